package policy

import "testing"

// TestResourceControlPolicies: RCPs of the resource's account bind every principal that reaches
// it — a deny at any level denies, and each level must allow (Organizations User Guide, "Resource
// control policies (RCPs)", "RCP syntax").
func TestResourceControlPolicies(t *testing.T) {
	full := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`, KindRCP)
	denyOutside := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*",
		"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abcdefghij"}}}]}`, KindRCP)
	trust := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}`, KindTrust)
	allowAssume := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`, KindIdentity)
	outsider := Principal{ARN: "arn:aws:iam::444455556666:user/mallory", Account: otherAcct}
	req := func(orgID string) *Request {
		ctx := &Context{}
		if orgID != "" {
			ctx.Set("aws:PrincipalOrgID", orgID)
		}
		return &Request{Action: "sts:AssumeRole", Resource: roleARN, Principal: outsider, Context: ctx}
	}
	cases := []struct {
		name     string
		rcps     [][]*Policy
		req      *Request
		want     Effect
		wantType PolicyType
		reason   string
	}{
		{"no RCPs", nil, req(""), Allowed, PolicyIdentity, ""},
		{"full access everywhere", [][]*Policy{{full}, {full}}, req(""), Allowed, PolicyIdentity, ""},
		{"deny outside the organization", [][]*Policy{{full, denyOutside}, {full}}, req(""), ExplicitDeny, PolicyRCP,
			"with an explicit deny in a resource control policy"},
		{"inside the organization", [][]*Policy{{full, denyOutside}, {full}}, req("o-abcdefghij"), Allowed, PolicyIdentity, ""},
		{"a level without allow", [][]*Policy{{full}, {}}, req(""), ImplicitDeny, PolicyRCP,
			"because no resource control policy allows the sts:AssumeRole action"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Evaluate(&Input{Identity: []*Policy{allowAssume}, Resource: trust, ResourceAccount: acct, RCPs: c.rcps}, c.req)
			if d.Effect != c.want || d.Type != c.wantType || d.Reason("sts:AssumeRole") != c.reason {
				t.Errorf("got %v/%v %q, want %v/%v %q", d.Effect, d.Type, d.Reason("sts:AssumeRole"), c.want, c.wantType, c.reason)
			}
		})
	}
	for _, bad := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:*","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:*","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"*"},"Action":"sts:*","Resource":"*"}]}`,
	} {
		if _, err := Parse(bad, KindRCP); err == nil {
			t.Errorf("Parse(%s, KindRCP) accepted it, want MalformedPolicyDocument", bad)
		}
	}
}
