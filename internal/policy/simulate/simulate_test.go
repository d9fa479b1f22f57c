package simulate

import (
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/policy"
)

// code is the AWS code of err: an *awserr.Error's, "Invalid:<member>" for an *InvalidParam, "" for nil.
func code(err error) awserr.Code {
	var ip *InvalidParam
	if errors.As(err, &ip) {
		return awserr.Code("Invalid:" + ip.Name)
	}
	if e, ok := awserr.As(err); ok {
		return e.Code
	}
	if err != nil {
		return awserr.Code("other: " + err.Error())
	}
	return ""
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		r    Request
		want awserr.Code
	}{
		{"valid", Request{Actions: []string{"s3:GetObject"}, Resources: []string{"*", "arn:aws:s3:::b/k"}, Owner: "111122223333"}, ""},
		{"short action", Request{Actions: []string{"s3"}}, "Invalid:ActionNames"},
		{"wildcard action", Request{Actions: []string{"s3:Get*"}}, awserr.InvalidInput},
		{"no service", Request{Actions: []string{":GetObject"}}, awserr.InvalidInput},
		{"first bad action decides", Request{Actions: []string{"s3:Get*", "s"}}, awserr.InvalidInput},
		{"empty resource", Request{Actions: []string{"s3:GetObject"}, Resources: []string{""}}, "Invalid:ResourceArns"},
		{"resource not an ARN", Request{Actions: []string{"s3:GetObject"}, Resources: []string{"bucket"}}, awserr.InvalidInput},
		{"owner as ARN", Request{Actions: []string{"s3:GetObject"}, Owner: "arn:aws:iam::111122223333:root"}, ""},
		{"owner not an account", Request{Actions: []string{"s3:GetObject"}, Owner: "1234"}, awserr.InvalidInput},
		{"short key", Request{Actions: []string{"s3:GetObject"}, Context: []ContextEntry{{Name: "aws:"}}}, "Invalid:ContextEntries.member.1.ContextKeyName"},
		{"unknown type", Request{Actions: []string{"s3:GetObject"}, Context: []ContextEntry{{Name: "aws:SourceIp", Type: "ipv6", Values: []string{"::1"}}}}, "Invalid:ContextEntries.member.1.ContextKeyType"},
		{"two values for a single type", Request{Actions: []string{"s3:GetObject"}, Context: []ContextEntry{{Name: "aws:MultiFactorAuthPresent", Type: "boolean", Values: []string{"true", "false"}}}}, awserr.InvalidInput},
		{"block as an address", Request{Actions: []string{"s3:GetObject"}, Context: []ContextEntry{{Name: "aws:SourceIp", Type: "ip", Values: []string{"10.0.0.0/8"}}}}, awserr.InvalidInput},
		{"not a number", Request{Actions: []string{"s3:GetObject"}, Context: []ContextEntry{{Name: "s3:max-keys", Type: "numericList", Values: []string{"1", "abc"}}}}, awserr.InvalidInput},
		{"date", Request{Actions: []string{"s3:GetObject"}, Context: []ContextEntry{{Name: "aws:CurrentTime", Type: "date", Values: []string{"2020-01-01T00:00:00Z"}}}}, ""},
		{"untyped values are not checked", Request{Actions: []string{"s3:GetObject"}, Context: []ContextEntry{{Name: "aws:SourceIp", Values: []string{"x"}}}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tc.r)
			if got := code(err); got != tc.want {
				t.Errorf("New: got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

func TestCheckExclusions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		excl []Exclusion
		want awserr.Code
	}{
		{"types", []Exclusion{{PolicyType: "inline"}, {PolicyType: "scp"}, {PolicyType: "Any"}}, ""},
		{"unknown type", []Exclusion{{PolicyType: "everything"}}, "Invalid:PolicyExclusionList.member.1.PolicyType"},
		{"ARN pattern", []Exclusion{{PolicyARN: "arn:aws:iam::aws:policy/*Read?nly*"}}, awserr.InvalidInput},
		{"ARN with one star", []Exclusion{{PolicyARN: "arn:aws:iam::111122223333:policy/eng/*"}}, ""},
		{"wildcard account", []Exclusion{{PolicyARN: "arn:aws:iam::*:policy/X"}}, awserr.InvalidInput},
		{"not a policy ARN", []Exclusion{{PolicyARN: "arn:aws:iam::aws:role/X"}}, awserr.InvalidInput},
		{"inline", []Exclusion{{Inline: &InlinePolicy{"P", "group", "D*v?"}}}, ""},
		{"inline on an unknown type", []Exclusion{{Inline: &InlinePolicy{"P", "policy", "D"}}}, "Invalid:PolicyExclusionList.member.1.InlinePolicyIdentifier.AttachmentType"},
		{"inline name with a wildcard", []Exclusion{{Inline: &InlinePolicy{"P*", "user", "D"}}}, awserr.InvalidInput},
		{"inline without entity", []Exclusion{{Inline: &InlinePolicy{"P", "user", ""}}}, awserr.InvalidInput},
		{"two members", []Exclusion{{PolicyType: "inline", PolicyARN: "arn:aws:iam::aws:policy/X"}}, awserr.InvalidInput},
		{"no member", []Exclusion{{}}, awserr.InvalidInput},
		{"second one checked", []Exclusion{{PolicyType: "inline"}, {PolicyType: "x"}}, "Invalid:PolicyExclusionList.member.2.PolicyType"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckExclusions(tc.excl)
			if got := code(err); got != tc.want {
				t.Errorf("CheckExclusions: got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

func TestWildcardMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a*", "a", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbb", false},
		{"*", "", true},
		{"ab*ba", "aba", false}, // prefix and suffix may not overlap
		{"?*?", "ab", true},
	} {
		if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q): got %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func TestExcluded(t *testing.T) {
	t.Parallel()
	managed := Attached{ARN: "arn:aws:iam::111122223333:policy/eng/CustomDeny"}
	awsManaged := Attached{ARN: "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}
	inline := Attached{EntityType: "group", Entity: "Devs", Name: "DevEC2"}
	for _, tc := range []struct {
		name string
		excl Exclusion
		want []bool // managed, awsManaged, inline
	}{
		{"inline", Exclusion{PolicyType: "inline"}, []bool{false, false, true}},
		{"aws-managed", Exclusion{PolicyType: "aws-managed"}, []bool{false, true, false}},
		{"user-managed", Exclusion{PolicyType: "user-managed"}, []bool{true, false, false}},
		{"scp matches nothing", Exclusion{PolicyType: "scp"}, []bool{false, false, false}},
		{"ARN pattern", Exclusion{PolicyARN: "arn:aws:iam::111122223333:policy/*Deny"}, []bool{true, false, false}},
		{"ARN is case-sensitive", Exclusion{PolicyARN: "arn:aws:iam::111122223333:policy/eng/customdeny"}, []bool{false, false, false}},
		{"entity name folds case", Exclusion{Inline: &InlinePolicy{"DevEC2", "group", "d*"}}, []bool{false, false, true}},
		{"policy name is exact", Exclusion{Inline: &InlinePolicy{"devec2", "group", "Devs"}}, []bool{false, false, false}},
		{"entity type matters", Exclusion{Inline: &InlinePolicy{"DevEC2", "user", "Devs"}}, []bool{false, false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []bool
			for _, a := range []Attached{managed, awsManaged, inline} {
				got = append(got, excluded([]Exclusion{tc.excl}, a))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("excluded (managed, aws-managed, inline): got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestStatementPositions pins where IAM says statements start and end (the AWS CLI examples cited
// at awsStatementStart).
func TestStatementPositions(t *testing.T) {
	t.Parallel()
	admin := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
	lone := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
	two := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	for _, tc := range []struct {
		name string
		doc  string
		want []Statement
	}{
		{"indented array", admin, []Statement{{"PolicyInputList.1", SourceIAM, policy.Position{Line: 3, Column: 17}, policy.Position{Line: 8, Column: 6}}}},
		{"lone statement", lone, []Statement{{"PolicyInputList.1", SourceIAM, policy.Position{Line: 1, Column: 38}, policy.Position{Line: 1, Column: 94}}}},
		{"consecutive statements", two, []Statement{
			{"PolicyInputList.1", SourceIAM, policy.Position{Line: 1, Column: 38}, policy.Position{Line: 1, Column: 95}},
			{"PolicyInputList.1", SourceIAM, policy.Position{Line: 1, Column: 95}, policy.Position{Line: 1, Column: 145}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(Request{Account: "111122223333", Actions: []string{"s3:GetObject"}})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.AddInputs(Inputs{Identity: []string{tc.doc}}); err != nil {
				t.Fatal(err)
			}
			if got := s.Evaluate("s3:GetObject").Statements; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("statements: got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestEvaluate checks the details the simulator adds to the engine's decision: the most
// restrictive decision across resources, EvalDecisionDetails only for another account's resources
// (present but empty for the caller's own), and the boundary and Organizations details only when
// a boundary or SCPs take part.
func TestEvaluate(t *testing.T) {
	t.Parallel()
	identity := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}]}`
	boundary := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`
	scp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}`
	own, other := "arn:aws:s3:::b/k", "arn:aws:s3:us-east-1:444455556666:b/k"
	type summary struct {
		decision, boundary, orgs string
		details                  map[string]string
		perResource              []string
	}
	str := func(b *bool) string {
		if b == nil {
			return "absent"
		}
		return strconv.FormatBool(*b)
	}
	for _, tc := range []struct {
		name      string
		resources []string
		in        Inputs
		scps      [][]string
		action    string
		want      summary
	}{
		{"all resources", nil, Inputs{Identity: []string{identity}}, nil, "s3:GetObject",
			summary{"allowed", "absent", "absent", nil, nil}},
		{"own resource: details present but empty", []string{own}, Inputs{Identity: []string{identity}}, nil, "s3:GetObject",
			summary{"allowed", "absent", "absent", map[string]string{}, []string{own + " allowed"}}},
		{"most restrictive across resources", []string{"arn:aws:s3:::c/k", own}, Inputs{Identity: []string{identity}}, nil, "s3:DeleteObject",
			summary{"explicitDeny", "absent", "absent", map[string]string{}, []string{"arn:aws:s3:::c/k allowed", own + " explicitDeny"}}},
		{"another account's resource", []string{other}, Inputs{Identity: []string{identity}, Boundary: []string{boundary}}, nil, "s3:GetObject",
			summary{"implicitDeny", "true", "absent", map[string]string{SourceIAM: "allowed", SourceResource: "implicitDeny", SourceBoundary: "allowed"}, []string{other + " implicitDeny"}}},
		{"boundary denies", nil, Inputs{Identity: []string{identity}, Boundary: []string{boundary}}, nil, "s3:PutObject",
			summary{"implicitDeny", "false", "absent", nil, nil}},
		{"SCPs allow", nil, Inputs{Identity: []string{identity}}, [][]string{{scp}}, "s3:GetObject",
			summary{"allowed", "absent", "true", nil, nil}},
		{"SCP denies: no details", []string{own}, Inputs{Identity: []string{identity}}, [][]string{{scp}}, "s3:PutObject",
			summary{"explicitDeny", "absent", "false", nil, []string{own + " explicitDeny"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(Request{Account: "111122223333", Actions: []string{tc.action}, Resources: tc.resources})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.AddInputs(tc.in); err != nil {
				t.Fatal(err)
			}
			if err := s.AddSCPs(tc.scps); err != nil {
				t.Fatal(err)
			}
			if err := s.SetCaller(""); err != nil {
				t.Fatal(err)
			}
			r := s.Evaluate(tc.action)
			got := summary{decision: r.Decision.String(), boundary: str(r.AllowedByBoundary), orgs: str(r.AllowedByOrganizations)}
			if r.Details != nil {
				got.details = map[string]string{}
				for k, v := range r.Details {
					got.details[k] = v.String()
				}
			}
			for _, rr := range r.PerResource {
				got.perResource = append(got.perResource, rr.Resource+" "+rr.Decision.String())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Evaluate(%s):\n got %+v\nwant %+v", tc.action, got, tc.want)
			}
		})
	}
}
