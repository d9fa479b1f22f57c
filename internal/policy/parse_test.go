package policy

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/testutil"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		doc  string
		msg  string // expected message prefix; "" means the document is valid
	}{
		// IAM User Guide, "Example IAM identity-based policies": the canonical shape.
		{name: "identity ok", kind: KindIdentity,
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`},
		// "IAM JSON policy elements: Statement": a single statement object is allowed.
		{name: "statement object", kind: KindIdentity,
			doc: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::b/*"]}}`},
		// "IAM JSON policy elements: Version": 2008-10-17 and no Version are accepted.
		{name: "version 2008", kind: KindIdentity,
			doc: `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`},
		{name: "no version", kind: KindIdentity,
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`},
		{name: "bad version", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`},
		{name: "numeric version", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Version":2012,"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`},
		{name: "invalid json", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",}]}`},
		{name: "trailing data", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}} {}`},
		{name: "not an object", kind: KindIdentity, msg: "Syntax errors in policy.", doc: `[]`},
		{name: "duplicate key", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}}`},
		{name: "unknown top-level field", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Version":"2012-10-17","Statements":[]}`},
		{name: "missing statement", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Version":"2012-10-17"}`},
		{name: "empty statement list", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Version":"2012-10-17","Statement":[]}`},
		// pulumi/pulumi-aws-native #1616: element names are case-sensitive.
		// A resource policy is answered in the words its services report (pulumi-aws-native #1616);
		// an identity policy with IAM's syntax message (moto's AWS-checked cases).
		{name: "lower-case element name", kind: KindResource, msg: "Unknown field statement",
			doc: `{"Version":"2012-10-17","statement":[]}`},
		{name: "missing statement, resource policy", kind: KindResource, msg: "Missing required field Statement",
			doc: `{"Version":"2012-10-17"}`},
		{name: "lower-case element name, identity policy", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Version":"2012-10-17","statement":[]}`},
		{name: "unknown statement field", kind: KindResource, msg: "Unknown field Actions",
			doc: `{"Statement":{"Effect":"Allow","Actions":"s3:*","Resource":"*"}}`},
		// hashicorp/terraform-provider-aws #10419: Principal in an identity policy.
		{name: "principal in identity policy", kind: KindIdentity, msg: "Policy document should not specify a principal.",
			doc: `{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}}`},
		{name: "principal in boundary", kind: KindBoundary, msg: "Policy document should not specify a principal.",
			doc: `{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"*"}}`},
		{name: "missing effect, resource policy", kind: KindResource, msg: "Missing required field Effect",
			doc: `{"Statement":{"Principal":"*","Action":"s3:*","Resource":"*"}}`},
		{name: "missing effect", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Statement":{"Action":"s3:*","Resource":"*"}}`},
		// hashicorp/terraform #10057: a lower-case Effect fails legacy parsing.
		{name: "bad effect case", kind: KindIdentity, msg: "The policy failed legacy parsing",
			doc: `{"Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}`},
		{name: "missing action", kind: KindIdentity, msg: "Policy statement must contain actions.",
			doc: `{"Statement":{"Effect":"Allow","Resource":"*"}}`},
		{name: "empty action list", kind: KindIdentity, msg: "Policy statement must contain actions.",
			doc: `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`},
		{name: "missing resource", kind: KindIdentity, msg: "Policy statement must contain resources.",
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*"}}`},
		{name: "action and notaction", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}}`},
		{name: "action without vendor", kind: KindIdentity, msg: "Actions/Conditions must be prefaced by a vendor",
			doc: `{"Statement":{"Effect":"Allow","Action":"GetUser","Resource":"*"}}`},
		// garnaat/kappa #111: "Actions/Condition can contain only one colon."
		{name: "action two colons", kind: KindIdentity, msg: "Actions/Condition can contain only one colon.",
			doc: `{"Statement":{"Effect":"Allow","Action":"iam:Get:User","Resource":"*"}}`},
		{name: "resource not arn", kind: KindIdentity, msg: `Resource bucket must be in ARN format or "*".`,
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}}`},
		// Wolox/carthage_cache #22: Sid characters and uniqueness.
		{name: "sid with dash", kind: KindIdentity, msg: "Statement IDs (SID) must be alpha-numeric",
			doc: `{"Statement":{"Sid":"autogenerated-id","Effect":"Allow","Action":"s3:*","Resource":"*"}}`},
		{name: "sid with space in resource policy", kind: KindResource,
			doc: `{"Statement":{"Sid":"Allow read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`},
		{name: "duplicate sid, resource policy", kind: KindResource, msg: "The Statement Ids in the policy are not unique",
			doc: `{"Statement":[{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`},
		{name: "duplicate sid", kind: KindIdentity, msg: "Statement IDs (SID) in a single policy must be unique.",
			doc: `{"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`},
		// Trust policies: "IAM roles" / "Role trust policy" pages.
		{name: "trust ok", kind: KindTrust,
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
		{name: "trust account id principal", kind: KindTrust,
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`},
		// humanmade/S3-Uploads #191.
		{name: "trust without principal", kind: KindTrust, msg: "Missing required field Principal",
			doc: `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`},
		{name: "trust with resource", kind: KindTrust, msg: "Has prohibited field Resource",
			doc: `{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Resource":"*"}}`},
		{name: "trust non-sts action", kind: KindTrust, msg: "AssumeRole policy may only specify STS AssumeRole actions.",
			doc: `{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject"}}`},
		{name: "resource policy without principal", kind: KindResource, msg: "Missing required field Principal",
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`},
		// hashicorp/terraform-provider-aws #8905: the IAM message names the principal.
		{name: "invalid principal arn", kind: KindTrust, msg: `Invalid principal in policy: "AWS":"arn:aws:iam::12345:role/x"`,
			doc: `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::12345:role/x"},"Action":"sts:AssumeRole"}}`},
		{name: "wildcard inside principal", kind: KindResource, msg: "Invalid principal in policy",
			doc: `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"},"Action":"s3:*","Resource":"*"}}`},
		{name: "unknown principal key", kind: KindResource, msg: `Invalid principal in policy: "Users"`,
			doc: `{"Statement":{"Effect":"Allow","Principal":{"Users":"x"},"Action":"s3:*","Resource":"*"}}`},
		{name: "principal string not star", kind: KindResource, msg: "Invalid principal in policy",
			doc: `{"Statement":{"Effect":"Allow","Principal":"123456789012","Action":"s3:*","Resource":"*"}}`},
		{name: "scp ok without resource", kind: KindSCP,
			doc: `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"organizations:LeaveOrganization"}}`},
		{name: "scp with principal", kind: KindSCP, msg: "The provided policy document does not meet the requirements",
			doc: `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`},
		// Condition operators page: unknown operator, Null+IfExists, typed values.
		// getmoto/moto tests/test_iam/test_iam_policies.py (cases checked against IAM): an unknown
		// operator is a syntax error, a condition key needs no vendor prefix, and a date IAM cannot
		// read fails legacy parsing.
		{name: "unknown operator", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}}}`},
		{name: "null with ifexists", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"aws:username":"true"}}}}`},
		{name: "double colon operator", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"ForAnyValue::StringEqualsIfExists":{"a":"asf"}}}}`},
		{name: "condition key without vendor", kind: KindIdentity,
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"username":"a"}}}}`},
		{name: "numeric value not a number", kind: KindIdentity, msg: "Invalid Condition value for NumericLessThan",
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}}`},
		{name: "date value bad", kind: KindIdentity, msg: "The policy failed legacy parsing",
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"yesterday"}}}}`},
		{name: "ip value bad", kind: KindIdentity, msg: "Invalid Condition value for IpAddress",
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"300.1.1.1/8"}}}}`},
		{name: "bool value bad", kind: KindIdentity, msg: "Invalid Condition value for Bool",
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}}`},
		{name: "binary value bad", kind: KindIdentity, msg: "Invalid Condition value for BinaryEquals",
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"BinaryEquals":{"x:key":"!!!"}}}}`},
		{name: "condition value object", kind: KindIdentity, msg: "Syntax errors in policy.",
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":{"a":"b"}}}}}`},
		{name: "condition values json types", kind: KindIdentity,
			doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true},"StringEquals":{"aws:username":["a","b"]}}}}`},
		{name: "unterminated variable", kind: KindIdentity, msg: "Invalid policy variable",
			doc: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username"}}`},
		{name: "unterminated variable is text in 2008", kind: KindIdentity,
			doc: `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.doc, tt.kind)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if p.Kind() != tt.kind {
					t.Fatalf("Kind() = %v", p.Kind())
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse succeeded, want %q", tt.msg)
			}
			testutil.WantCode(t, err, awserr.MalformedPolicyDocument)
			ae, _ := awserr.As(err)
			if !strings.HasPrefix(ae.Message, tt.msg) {
				t.Fatalf("message %q, want prefix %q", ae.Message, tt.msg)
			}
		})
	}
}

func TestParseElements(t *testing.T) {
	// IAM User Guide, "Principal" page: an account ID in AWS means that account's root.
	doc := `{"Version":"2012-10-17","Id":"P1","Statement":[{"Sid":"S1","Effect":"Deny",
	  "NotPrincipal":{"AWS":["123456789012","arn:aws:iam::123456789012:user/alice"],"Service":"ec2.amazonaws.com"},
	  "NotAction":"iam:*","NotResource":["arn:aws:s3:::b"],
	  "Condition":{"StringLike":{"s3:prefix":["home/*","x"]},"NumericEquals":{"s3:max-keys":1.5}}}]}`
	p, err := Parse(doc, KindResource)
	if err != nil {
		t.Fatal(err)
	}
	want := Statement{
		Sid: "S1", Effect: "Deny",
		NotPrincipal: &PrincipalElement{AWS: []string{"123456789012", "arn:aws:iam::123456789012:user/alice"},
			Service: []string{"ec2.amazonaws.com"}, order: []string{"AWS", "Service"}},
		NotAction:   []string{"iam:*"},
		NotResource: []string{"arn:aws:s3:::b"},
		Condition: []Condition{
			{Operator: "StringLike", Key: "s3:prefix", Values: []string{"home/*", "x"}},
			{Operator: "NumericEquals", Key: "s3:max-keys", Values: []string{"1.5"}},
		},
	}
	if p.Version != Version2012 || p.ID != "P1" || len(p.Statements) != 1 {
		t.Fatalf("policy header %+v", p)
	}
	if !reflect.DeepEqual(p.Statements[0], want) {
		t.Fatalf("statement\n got %+v\nwant %+v", p.Statements[0], want)
	}
	start, end := p.StatementPosition(0)
	if start != (Position{Line: 1, Column: 48}) || end.Line != 4 {
		t.Fatalf("positions %+v %+v", start, end)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	docs := []struct {
		name string
		kind Kind
		doc  string
	}{
		{"identity", KindIdentity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"}}`},
		{"resource principal star", KindResource, `{"Statement":[{"Sid":"Public read","Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]},"Bool":{"aws:SecureTransport":true}}}]}`},
		{"html characters", KindIdentity, `{"Id":"<&>","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/<a&b>"}}`},
		{"trust", KindTrust, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/example.com","AWS":"123456789012"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"example.com:aud":"app"}}}}`},
	}
	for _, tt := range docs {
		t.Run(tt.name, func(t *testing.T) {
			p1, err := Parse(tt.doc, tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			out, err := json.Marshal(p1)
			if err != nil {
				t.Fatal(err)
			}
			p2, err := Parse(string(out), tt.kind)
			if err != nil {
				t.Fatalf("reparse %s: %v", out, err)
			}
			if !samePolicy(p1, p2) {
				t.Fatalf("round trip changed the policy:\n%s", out)
			}
		})
	}
}

// samePolicy compares the exported form of two policies.
func samePolicy(a, b *Policy) bool {
	return a.Version == b.Version && a.ID == b.ID && reflect.DeepEqual(a.Statements, b.Statements)
}
