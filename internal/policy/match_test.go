package policy

import (
	"fmt"
	"testing"
)

// allowDoc builds a one-statement identity policy.
func allowDoc(version, action, resource string) string {
	v := ""
	if version != "" {
		v = fmt.Sprintf(`"Version":%q,`, version)
	}
	return fmt.Sprintf(`{%s"Statement":{"Effect":"Allow","Action":%s,"Resource":%s}}`, v, action, resource)
}

func mustParse(t testing.TB, doc string, kind Kind) *Policy {
	t.Helper()
	p, err := Parse(doc, kind)
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return p
}

func ctxOf(kv map[string][]string) *Context {
	c := &Context{}
	for k, v := range kv {
		c.Set(k, v...)
	}
	return c
}

func TestActionMatching(t *testing.T) {
	// IAM User Guide, "IAM JSON policy elements: Action": action names are case-insensitive and
	// accept '*' and '?' wildcards ("iam:*AccessKey*", "s3:Get*").
	tests := []struct {
		name, pattern, action string
		want                  bool
	}{
		{"exact", `"iam:CreateUser"`, "iam:CreateUser", true},
		{"case-insensitive", `"IAM:createuser"`, "iam:CreateUser", true},
		{"different action", `"iam:CreateUser"`, "iam:DeleteUser", false},
		{"service wildcard", `"iam:*"`, "iam:ListUsers", true},
		{"other service", `"iam:*"`, "sts:AssumeRole", false},
		{"prefix wildcard", `"s3:Get*"`, "s3:GetObjectAcl", true},
		{"prefix mismatch", `"s3:Get*"`, "s3:PutObject", false},
		{"infix wildcard", `"iam:*AccessKey*"`, "iam:ListAccessKeys", true},
		{"infix wildcard miss", `"iam:*AccessKey*"`, "iam:ListUsers", false},
		{"question mark", `"ec2:Describe?pc*"`, "ec2:DescribeVpcs", true},
		{"question mark needs one char", `"iam:GetUser?"`, "iam:GetUser", false},
		{"star everything", `"*"`, "organizations:LeaveOrganization", true},
		{"wildcard in service", `"*:Get*"`, "s3:GetObject", true},
		{"list of actions", `["iam:GetUser","iam:ListUsers"]`, "iam:listusers", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, allowDoc("2012-10-17", tt.pattern, `"*"`), KindIdentity)
			d := Evaluate(&Input{Identity: []*Policy{p}}, &Request{Action: tt.action, Resource: "*"})
			if d.Allowed() != tt.want {
				t.Fatalf("Allowed = %v, want %v", d.Allowed(), tt.want)
			}
		})
	}
}

func TestNotAction(t *testing.T) {
	// "IAM JSON policy elements: NotAction": Allow with NotAction allows everything except the list.
	p := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`, KindIdentity)
	in := &Input{Identity: []*Policy{p}}
	if !Evaluate(in, &Request{Action: "s3:GetObject", Resource: "*"}).Allowed() {
		t.Fatal("s3:GetObject should be allowed")
	}
	if Evaluate(in, &Request{Action: "iam:CreateUser", Resource: "*"}).Allowed() {
		t.Fatal("iam:CreateUser should not be allowed")
	}
}

func TestResourceMatching(t *testing.T) {
	// IAM User Guide, "IAM JSON policy elements: Resource": case-sensitive, wildcards within ARN
	// components, and a '*' in the resource part spans colons and slashes.
	tests := []struct {
		name, pattern, resource string
		want                    bool
	}{
		{"exact", "arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/alice", true},
		{"case-sensitive", "arn:aws:iam::123456789012:user/Alice", "arn:aws:iam::123456789012:user/alice", false},
		{"path wildcard", "arn:aws:iam::123456789012:user/division_abc/*", "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob", true},
		{"account wildcard", "arn:aws:iam::*:root", "arn:aws:iam::111122223333:root", true},
		{"short pattern: last component takes the rest", "arn:aws:iam::*", "arn:aws:iam::111122223333:root", true},
		{"region wildcard", "arn:aws:ec2:*:123456789012:instance/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", true},
		{"service mismatch", "arn:aws:s3:::*", "arn:aws:iam::123456789012:root", false},
		{"star spans colons in resource", "arn:aws:logs:us-east-1:123456789012:log-group:*", "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", true},
		{"component wildcard stays in component", "arn:aws:s*:::b", "arn:aws:s3:x::b", false},
		{"question mark", "arn:aws:s3:::bucket-?", "arn:aws:s3:::bucket-1", true},
		{"question mark one char only", "arn:aws:s3:::bucket-?", "arn:aws:s3:::bucket-12", false},
		{"star", "*", "arn:aws:s3:::anything", true},
		{"non-arn request resource only matches star", "arn:aws:iam::*:*", "*", false},
		{"star matches star resource", "*", "*", true},
		{"empty region exact", "arn:aws:iam::123456789012:role/r", "arn:aws:iam:us-east-1:123456789012:role/r", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, allowDoc("2012-10-17", `"iam:GetUser"`, fmt.Sprintf("%q", tt.pattern)), KindIdentity)
			d := Evaluate(&Input{Identity: []*Policy{p}}, &Request{Action: "iam:GetUser", Resource: tt.resource})
			if d.Allowed() != tt.want {
				t.Fatalf("Allowed = %v, want %v", d.Allowed(), tt.want)
			}
		})
	}
}

func TestPolicyVariables(t *testing.T) {
	// IAM User Guide, "IAM policy elements: Variables and tags".
	tests := []struct {
		name, version, resource, request string
		ctx                              map[string][]string
		want                             bool
	}{
		{name: "username", version: "2012-10-17", resource: "arn:aws:s3:::b/home/${aws:username}/*",
			request: "arn:aws:s3:::b/home/alice/x", ctx: map[string][]string{"aws:username": {"alice"}}, want: true},
		{name: "username other user", version: "2012-10-17", resource: "arn:aws:s3:::b/home/${aws:username}/*",
			request: "arn:aws:s3:::b/home/bob/x", ctx: map[string][]string{"aws:username": {"alice"}}, want: false},
		{name: "key case-insensitive", version: "2012-10-17", resource: "arn:aws:s3:::b/${AWS:UserName}",
			request: "arn:aws:s3:::b/alice", ctx: map[string][]string{"aws:username": {"alice"}}, want: true},
		// "Policy variables with no value": an unresolved variable never matches a Resource.
		{name: "unresolved never matches", version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:username}*",
			request: "arn:aws:s3:::b/", ctx: nil, want: false},
		{name: "unresolved star does not rescue", version: "2012-10-17", resource: "arn:aws:s3:::*${aws:username}",
			request: "arn:aws:s3:::b", ctx: nil, want: false},
		// "Specifying default values".
		{name: "default value", version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:PrincipalTag/team, 'company-wide'}/*",
			request: "arn:aws:s3:::b/company-wide/x", ctx: nil, want: true},
		{name: "tag value wins over default", version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:PrincipalTag/team, 'company-wide'}/*",
			request: "arn:aws:s3:::b/red/x", ctx: map[string][]string{"aws:PrincipalTag/team": {"red"}}, want: true},
		{name: "principal account", version: "2012-10-17", resource: "arn:aws:iam::${aws:PrincipalAccount}:user/*",
			request: "arn:aws:iam::123456789012:user/a", ctx: map[string][]string{"aws:PrincipalAccount": {"123456789012"}}, want: true},
		{name: "userid", version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:userid}",
			request: "arn:aws:s3:::b/AIDAEXAMPLE", ctx: map[string][]string{"aws:userid": {"AIDAEXAMPLE"}}, want: true},
		// Variable values are literal: a '*' in a tag value is not a wildcard.
		{name: "value is literal", version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:PrincipalTag/p}",
			request: "arn:aws:s3:::b/anything", ctx: map[string][]string{"aws:PrincipalTag/p": {"*"}}, want: false},
		// A multivalued key cannot be a variable.
		{name: "multivalued key unresolved", version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:TagKeys}",
			request: "arn:aws:s3:::b/a", ctx: map[string][]string{"aws:TagKeys": {"a", "b"}}, want: false},
		// "Special characters": ${*}, ${?}, ${$}.
		{name: "literal star", version: "2012-10-17", resource: "arn:aws:s3:::b/${*}", request: "arn:aws:s3:::b/*", want: true},
		{name: "literal star is not wildcard", version: "2012-10-17", resource: "arn:aws:s3:::b/${*}", request: "arn:aws:s3:::b/x", want: false},
		{name: "literal question mark", version: "2012-10-17", resource: "arn:aws:s3:::b/${?}", request: "arn:aws:s3:::b/?", want: true},
		{name: "literal dollar", version: "2012-10-17", resource: "arn:aws:s3:::b/${$}x", request: "arn:aws:s3:::b/$x", want: true},
		// "IAM JSON policy elements: Version": without 2012-10-17 variables are plain text.
		{name: "2008 treats variable as text", version: "2008-10-17", resource: "arn:aws:s3:::b/${aws:username}",
			request: "arn:aws:s3:::b/alice", ctx: map[string][]string{"aws:username": {"alice"}}, want: false},
		{name: "2008 literal match", version: "2008-10-17", resource: "arn:aws:s3:::b/${aws:username}",
			request: "arn:aws:s3:::b/${aws:username}", want: true},
		{name: "missing version treats variable as text", version: "", resource: "arn:aws:s3:::b/${aws:username}",
			request: "arn:aws:s3:::b/alice", ctx: map[string][]string{"aws:username": {"alice"}}, want: false},
		{name: "variable in account component", version: "2012-10-17", resource: "arn:aws:s3:::${aws:username}-bucket",
			request: "arn:aws:s3:::alice-bucket", ctx: map[string][]string{"aws:username": {"alice"}}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, allowDoc(tt.version, `"s3:GetObject"`, fmt.Sprintf("%q", tt.resource)), KindIdentity)
			d := Evaluate(&Input{Identity: []*Policy{p}}, &Request{Action: "s3:GetObject", Resource: tt.request, Context: ctxOf(tt.ctx)})
			if d.Allowed() != tt.want {
				t.Fatalf("Allowed = %v, want %v", d.Allowed(), tt.want)
			}
		})
	}
}

func TestNotResourceUnresolvedVariable(t *testing.T) {
	// An Allow whose NotResource cannot be resolved would allow more than written: refused. A Deny
	// with the same NotResource still applies (never fail open).
	allow := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::${aws:username}"}}`, KindIdentity)
	req := &Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::other"}
	if Evaluate(&Input{Identity: []*Policy{allow}}, req).Allowed() {
		t.Fatal("allow with unresolved NotResource must not apply")
	}
	deny := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::${aws:username}"}]}`, KindIdentity)
	if d := Evaluate(&Input{Identity: []*Policy{deny}}, req); d.Effect != ExplicitDeny {
		t.Fatalf("deny with unresolved NotResource: %+v", d)
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"a*", "a", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"*ab", "aab", true},
		{"a**b", "ab", true},
		{"?", "é", true},
		{"??", "é", false},
		{"a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"/"+tt.s, func(t *testing.T) {
			p, msg := compilePattern(tt.pattern, compileOpts{wildcards: true})
			if msg != "" {
				t.Fatal(msg)
			}
			if got, _ := p.match(tt.s, false, nil); got != tt.want {
				t.Fatalf("match = %v, want %v", got, tt.want)
			}
		})
	}
}
