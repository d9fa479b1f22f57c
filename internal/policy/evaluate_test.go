package policy

import (
	"testing"
)

const (
	acct      = "111122223333"
	otherAcct = "444455556666"
	aliceARN  = "arn:aws:iam::111122223333:user/alice"
	roleARN   = "arn:aws:iam::111122223333:role/app"
	sessARN   = "arn:aws:sts::111122223333:assumed-role/app/s1"
	rootARN   = "arn:aws:iam::111122223333:root"
	bucketObj = "arn:aws:s3:::bucket/key"
)

func TestEvaluateLogic(t *testing.T) {
	allowAll := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	allowS3 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	allowIAM := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`
	denyS3 := `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`
	bucketPolicy := func(principal string) string {
		return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}}`
	}
	user := Principal{ARN: aliceARN, Account: acct}
	session := Principal{ARN: sessARN, Account: acct, RoleARN: roleARN}
	s3req := func(p Principal) *Request { return &Request{Action: "s3:GetObject", Resource: bucketObj, Principal: p} }

	type policies struct {
		identity, session, task []string
		boundary, resource      string
		scps                    [][]string
	}
	tests := []struct {
		name     string
		pol      policies
		req      *Request
		resAcct  string
		root     bool
		want     Effect
		wantType PolicyType
		source   string
	}{
		{name: "implicit deny by default", req: s3req(user), want: ImplicitDeny, wantType: PolicyIdentity,
			source: "Policy evaluation logic: all requests are implicitly denied"},
		{name: "identity allow", pol: policies{identity: []string{allowS3}}, req: s3req(user), want: Allowed, wantType: PolicyIdentity},
		{name: "explicit deny wins over allow", pol: policies{identity: []string{allowAll, denyS3}}, req: s3req(user),
			want: ExplicitDeny, wantType: PolicyIdentity, source: "An explicit deny overrides an allow"},
		{name: "boundary must allow", pol: policies{identity: []string{allowAll}, boundary: allowIAM}, req: s3req(user),
			want: ImplicitDeny, wantType: PolicyBoundary, source: "Permissions boundaries: effective permissions are the intersection"},
		{name: "boundary allows", pol: policies{identity: []string{allowS3}, boundary: allowAll}, req: s3req(user), want: Allowed, wantType: PolicyIdentity},
		{name: "boundary does not grant", pol: policies{boundary: allowAll}, req: s3req(user), want: ImplicitDeny, wantType: PolicyIdentity},
		{name: "boundary deny", pol: policies{identity: []string{allowAll}, boundary: denyS3}, req: s3req(user), want: ExplicitDeny, wantType: PolicyBoundary},
		{name: "session policy must allow", pol: policies{identity: []string{allowAll}, session: []string{allowIAM}}, req: s3req(session),
			want: ImplicitDeny, wantType: PolicySession, source: "Session policies: intersection of identity and session policy"},
		{name: "empty session list allows nothing", pol: policies{identity: []string{allowAll}, session: []string{}}, req: s3req(session),
			want: ImplicitDeny, wantType: PolicySession},
		{name: "session policy allows", pol: policies{identity: []string{allowAll}, session: []string{allowS3}}, req: s3req(session), want: Allowed, wantType: PolicyIdentity},
		{name: "scp must allow", pol: policies{identity: []string{allowAll}, scps: [][]string{{allowAll}, {allowIAM}}}, req: s3req(user),
			want: ImplicitDeny, wantType: PolicySCP, source: "SCP evaluation: every level must allow"},
		{name: "scp union per level", pol: policies{identity: []string{allowAll}, scps: [][]string{{allowAll}, {allowIAM, allowS3}, {allowAll}}}, req: s3req(user),
			want: Allowed, wantType: PolicyIdentity},
		{name: "scp empty level", pol: policies{identity: []string{allowAll}, scps: [][]string{{allowAll}, {}}}, req: s3req(user),
			want: ImplicitDeny, wantType: PolicySCP},
		{name: "scp deny", pol: policies{identity: []string{allowAll}, scps: [][]string{{allowAll, denyS3}}}, req: s3req(user),
			want: ExplicitDeny, wantType: PolicySCP},
		{name: "scp does not grant", pol: policies{scps: [][]string{{allowAll}}}, req: s3req(user), want: ImplicitDeny, wantType: PolicyIdentity},
		{name: "scp applies to root", pol: policies{scps: [][]string{{allowIAM}}}, root: true,
			req:  &Request{Action: "s3:GetObject", Resource: bucketObj, Principal: Principal{ARN: rootARN, Account: acct}},
			want: ImplicitDeny, wantType: PolicySCP, source: "Organizations User Guide, SCPs: they affect the member root user"},
		{name: "root implicit allow", root: true,
			req:  &Request{Action: "s3:GetObject", Resource: bucketObj, Principal: Principal{ARN: rootARN, Account: acct}},
			want: Allowed, wantType: PolicyIdentity},
		{name: "task policy denies", root: true, pol: policies{task: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":["iam:GetUser"],"Resource":"*"}}`}},
			req:  &Request{Action: "iam:DeleteUser", Resource: "*", Principal: Principal{ARN: rootARN, Account: acct}},
			want: ExplicitDeny, wantType: PolicyTask, source: "IAM User Guide, privileged root tasks: task policies are deny-only"},
		{name: "task policy allow does not grant", pol: policies{task: []string{allowAll}},
			req: &Request{Action: "iam:DeleteUser", Resource: "*", Principal: user}, want: ImplicitDeny, wantType: PolicyIdentity},
		// Same-account resource-based policies ("Policy evaluation logic", resource-based section).
		{name: "bucket policy naming user grants alone", pol: policies{resource: bucketPolicy(aliceARN)}, req: s3req(user),
			want: Allowed, wantType: PolicyResource},
		{name: "bucket policy naming user ignores boundary", pol: policies{resource: bucketPolicy(aliceARN), boundary: allowIAM}, req: s3req(user),
			want: Allowed, wantType: PolicyResource, source: "Permissions boundaries: implicit deny in a boundary does not limit a resource policy naming the IAM user"},
		{name: "bucket policy naming role limited by boundary", pol: policies{resource: bucketPolicy(roleARN), boundary: allowIAM}, req: s3req(session),
			want: ImplicitDeny, wantType: PolicyBoundary, source: "boundary limits permissions granted to the ARN of the underlying role"},
		{name: "bucket policy naming role grants without identity", pol: policies{resource: bucketPolicy(roleARN)}, req: s3req(session),
			want: Allowed, wantType: PolicyResource},
		{name: "bucket policy naming role derived from session ARN", pol: policies{resource: bucketPolicy(roleARN)},
			req: s3req(Principal{ARN: sessARN, Account: acct}), want: Allowed, wantType: PolicyResource},
		{name: "bucket policy naming role limited by session policy", pol: policies{resource: bucketPolicy(roleARN), session: []string{allowIAM}}, req: s3req(session),
			want: ImplicitDeny, wantType: PolicySession, source: "Session policies: resource policy naming the role ARN is limited"},
		{name: "bucket policy naming session ignores boundary and session policy", pol: policies{resource: bucketPolicy(sessARN), boundary: allowIAM, session: []string{allowIAM}}, req: s3req(session),
			want: Allowed, wantType: PolicyResource, source: "Session policies: resource policy naming the session ARN is not limited"},
		{name: "bucket policy naming account needs identity", pol: policies{resource: bucketPolicy(acct)}, req: s3req(user),
			want: ImplicitDeny, wantType: PolicyIdentity, source: "naming the account delegates to identity policies"},
		{name: "bucket policy naming account with identity", pol: policies{resource: bucketPolicy(acct), identity: []string{allowS3}}, req: s3req(user),
			want: Allowed, wantType: PolicyIdentity},
		{name: "bucket policy deny naming account", pol: policies{identity: []string{allowAll},
			resource: `{"Statement":{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}}`},
			req: s3req(user), want: ExplicitDeny, wantType: PolicyResource},
		{name: "bucket policy other principal", pol: policies{resource: bucketPolicy("arn:aws:iam::111122223333:user/bob")}, req: s3req(user),
			want: ImplicitDeny, wantType: PolicyIdentity},
		// Cross-account ("Cross-account policy evaluation logic"): both sides must allow.
		{name: "cross-account needs resource allow", pol: policies{identity: []string{allowAll}}, req: s3req(user), resAcct: otherAcct,
			want: ImplicitDeny, wantType: PolicyResource},
		{name: "cross-account needs identity allow", pol: policies{resource: bucketPolicy(aliceARN)}, req: s3req(user), resAcct: otherAcct,
			want: ImplicitDeny, wantType: PolicyIdentity},
		{name: "cross-account both allow", pol: policies{resource: bucketPolicy(acct), identity: []string{allowS3}}, req: s3req(user), resAcct: otherAcct,
			want: Allowed, wantType: PolicyIdentity},
		{name: "cross-account boundary", pol: policies{resource: bucketPolicy(aliceARN), identity: []string{allowS3}, boundary: allowIAM}, req: s3req(user), resAcct: otherAcct,
			want: ImplicitDeny, wantType: PolicyBoundary},
		// Trust policies for sts:AssumeRole (IAM User Guide, "Grant a user permissions to switch roles").
		{name: "trust naming user allows same account", pol: policies{resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"` + aliceARN + `"},"Action":"sts:AssumeRole"}}`},
			req: &Request{Action: "sts:AssumeRole", Resource: roleARN, Principal: user}, want: Allowed, wantType: PolicyResource},
		{name: "trust naming account root needs identity allow", pol: policies{resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}}`},
			req: &Request{Action: "sts:AssumeRole", Resource: roleARN, Principal: user}, want: ImplicitDeny, wantType: PolicyIdentity},
		{name: "trust naming account root with identity allow", pol: policies{
			resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}}`,
			identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + roleARN + `"}}`}},
			req: &Request{Action: "sts:AssumeRole", Resource: roleARN, Principal: user}, want: Allowed, wantType: PolicyIdentity},
		{name: "trust cross-account", pol: policies{
			resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole"}}`,
			identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`}},
			req:     &Request{Action: "sts:AssumeRole", Resource: roleARN, Principal: Principal{ARN: "arn:aws:iam::444455556666:user/bob", Account: otherAcct}},
			resAcct: acct, want: Allowed, wantType: PolicyIdentity},
		{name: "trust service principal", pol: policies{resource: `{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`},
			req: &Request{Action: "sts:AssumeRole", Resource: roleARN, Principal: Principal{Service: "ec2.amazonaws.com"}}, resAcct: acct,
			want: Allowed, wantType: PolicyResource},
		{name: "trust other service", pol: policies{resource: `{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`},
			req: &Request{Action: "sts:AssumeRole", Resource: roleARN, Principal: Principal{Service: "lambda.amazonaws.com"}}, resAcct: acct,
			want: ImplicitDeny, wantType: PolicyResource},
		{name: "trust federated with condition", pol: policies{resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:org/*"}}}}`},
			req: &Request{Action: "sts:AssumeRoleWithWebIdentity", Resource: roleARN, Principal: Principal{Federated: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
				Context: ctxOf(map[string][]string{"token.actions.githubusercontent.com:sub": {"repo:org/app:ref:refs/heads/main"}})},
			resAcct: acct, want: Allowed, wantType: PolicyResource},
		// NotPrincipal with Deny (Principal page): the account must be listed too.
		{name: "deny notprincipal without account still denies", pol: policies{identity: []string{allowAll},
			resource: `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"` + aliceARN + `"},"Action":"s3:*","Resource":"*"}}`},
			req: s3req(user), want: ExplicitDeny, wantType: PolicyResource},
		{name: "deny notprincipal with account excludes", pol: policies{identity: []string{allowAll},
			resource: `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["` + aliceARN + `","` + acct + `"]},"Action":"s3:*","Resource":"*"}}`},
			req: s3req(user), want: Allowed, wantType: PolicyIdentity},
		{name: "bucket policy naming the user behind a federation session is limited by the session policy",
			pol:  policies{resource: bucketPolicy(aliceARN), session: []string{allowIAM}},
			req:  s3req(Principal{ARN: "arn:aws:sts::111122223333:federated-user/alice", Account: acct, UserARN: aliceARN}),
			want: ImplicitDeny, wantType: PolicySession, source: "Session policies: resource policy naming the IAM user ARN"},
		{name: "bucket policy naming the federated-user session is not limited",
			pol:  policies{resource: bucketPolicy("arn:aws:sts::111122223333:federated-user/alice"), session: []string{allowIAM}},
			req:  s3req(Principal{ARN: "arn:aws:sts::111122223333:federated-user/alice", Account: acct, UserARN: aliceARN}),
			want: Allowed, wantType: PolicyResource, source: "Session policies: resource policy naming the federated user session ARN"},
		{name: "public bucket policy", pol: policies{resource: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}}`},
			req: s3req(user), want: Allowed, wantType: PolicyResource},
		{name: "public bucket policy still bounded", pol: policies{boundary: allowIAM, resource: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}}`},
			req: s3req(user), want: ImplicitDeny, wantType: PolicyBoundary},
		{name: "empty action is unevaluable", pol: policies{identity: []string{allowAll}}, req: &Request{Principal: user}, want: ImplicitDeny, wantType: PolicyNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &Input{ResourceAccount: tt.resAcct, Root: tt.root}
			for _, d := range tt.pol.identity {
				in.Identity = append(in.Identity, mustParse(t, d, KindIdentity))
			}
			if tt.pol.session != nil {
				in.Session = []*Policy{}
				for _, d := range tt.pol.session {
					in.Session = append(in.Session, mustParse(t, d, KindSession))
				}
			}
			for _, d := range tt.pol.task {
				in.TaskPolicies = append(in.TaskPolicies, mustParse(t, d, KindSession))
			}
			if tt.pol.boundary != "" {
				in.Boundary = mustParse(t, tt.pol.boundary, KindBoundary)
			}
			if tt.pol.resource != "" {
				kind := KindResource
				if tt.req.Action == "sts:AssumeRole" || tt.req.Action == "sts:AssumeRoleWithWebIdentity" {
					kind = KindTrust
				}
				in.Resource = mustParse(t, tt.pol.resource, kind)
			}
			for _, level := range tt.pol.scps {
				ps := []*Policy{}
				for _, d := range level {
					ps = append(ps, mustParse(t, d, KindSCP))
				}
				in.SCPs = append(in.SCPs, ps)
			}
			d := Evaluate(in, tt.req)
			if d.Effect != tt.want || d.Type != tt.wantType {
				t.Fatalf("decision %v/%v, want %v/%v (%s)", d.Effect, d.Type, tt.want, tt.wantType, tt.source)
			}
			if (d.Policy == nil) != (d.Statement < 0) {
				t.Fatalf("inconsistent decision %+v", d)
			}
			x := Explain(in, tt.req)
			if x.Decision != d {
				t.Fatalf("Explain decision %+v differs from Evaluate %+v", x.Decision, d)
			}
		})
	}
}

func TestUnevaluablePolicies(t *testing.T) {
	good := mustParse(t, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, KindIdentity)
	req := &Request{Action: "s3:GetObject", Resource: "*"}
	tests := []struct {
		name string
		in   *Input
	}{
		{"nil input", nil},
		{"nil identity policy", &Input{Identity: []*Policy{good, nil}}},
		{"hand-built policy", &Input{Identity: []*Policy{good}, Boundary: &Policy{Statements: []Statement{{Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}}}}}},
		{"nil scp", &Input{Identity: []*Policy{good}, SCPs: [][]*Policy{{nil}}}},
		{"nil session", &Input{Identity: []*Policy{good}, Session: []*Policy{nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Evaluate(tt.in, req)
			if d.Allowed() || d.Type != PolicyNone {
				t.Fatalf("decision %+v, want unevaluable deny", d)
			}
			if got := d.Reason("s3:GetObject"); got != "because the request could not be evaluated" {
				t.Fatalf("Reason = %q", got)
			}
		})
	}
	if d := Evaluate(&Input{Identity: []*Policy{good}}, nil); d.Allowed() {
		t.Fatal("nil request allowed")
	}
}

func TestReason(t *testing.T) {
	// IAM User Guide, "Troubleshoot access denied error messages".
	tests := []struct {
		name string
		d    Decision
		want string
	}{
		{"implicit identity", implicit(PolicyIdentity), "because no identity-based policy allows the iam:CreateUser action"},
		{"implicit scp", implicit(PolicySCP), "because no service control policy allows the iam:CreateUser action"},
		{"implicit boundary", implicit(PolicyBoundary), "because no permissions boundary allows the iam:CreateUser action"},
		{"implicit session", implicit(PolicySession), "because no session policy allows the iam:CreateUser action"},
		{"implicit resource", implicit(PolicyResource), "because no resource-based policy allows the iam:CreateUser action"},
		{"explicit identity", Decision{Effect: ExplicitDeny, Type: PolicyIdentity}, "with an explicit deny in an identity-based policy"},
		{"explicit scp", Decision{Effect: ExplicitDeny, Type: PolicySCP}, "with an explicit deny in a service control policy"},
		{"explicit boundary", Decision{Effect: ExplicitDeny, Type: PolicyBoundary}, "with an explicit deny in a permissions boundary"},
		{"explicit session", Decision{Effect: ExplicitDeny, Type: PolicySession}, "with an explicit deny in a session policy"},
		{"explicit task", Decision{Effect: ExplicitDeny, Type: PolicyTask}, "with an explicit deny in a session policy"},
		{"explicit resource", Decision{Effect: ExplicitDeny, Type: PolicyResource}, "with an explicit deny in a resource-based policy"},
		{"allowed", Decision{Effect: Allowed, Type: PolicyIdentity}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.Reason("iam:CreateUser"); got != tt.want {
				t.Fatalf("Reason = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	id := mustParse(t, `{"Version":"2012-10-17","Statement":[
	  {"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},
	  {"Sid":"B","Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
	  {"Sid":"C","Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`, KindIdentity)
	id.Name = "inline:user/alice/p"
	in := &Input{Identity: []*Policy{id}}
	req := &Request{Action: "s3:GetObject", Resource: bucketObj, Context: ctxOf(map[string][]string{"aws:SecureTransport": {"true"}})}
	x := Explain(in, req)
	if !x.Decision.Allowed() || x.Decision.Statement != 0 || x.Decision.Policy != id {
		t.Fatalf("decision %+v", x.Decision)
	}
	if len(x.Matched) != 1 || x.Matched[0].Statement != 0 || x.Matched[0].Effect != "Allow" || x.Matched[0].Start.Line != 2 {
		t.Fatalf("matched %+v", x.Matched)
	}
	if len(x.MissingContextKeys) != 2 || x.MissingContextKeys[0] != "aws:RequestedRegion" || x.MissingContextKeys[1] != "aws:MultiFactorAuthPresent" {
		t.Fatalf("missing keys %v", x.MissingContextKeys)
	}
	if !x.AllowedByOrganizations || !x.AllowedByPermissionsBoundary || !x.AllowedBySessionPolicy {
		t.Fatalf("flags %+v", x)
	}
	// With the region set, the Deny applies; Explain still lists the allows.
	req.Context.Set("aws:RequestedRegion", "eu-west-1")
	x = Explain(in, req)
	if x.Decision.Effect != ExplicitDeny || x.Decision.Statement != 2 || len(x.Matched) != 2 {
		t.Fatalf("explain with deny: %+v", x)
	}
}
