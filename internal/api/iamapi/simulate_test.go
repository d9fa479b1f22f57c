package iamapi_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// simResult is an EvaluationResult reduced to comparable values. Matched statements read
// "SourcePolicyId|SourcePolicyType|line:col-line:col". details is nil when EvalDecisionDetails is
// absent and empty when it is present but empty; boundary and orgs are "" when absent.
type simResult struct {
	action, resource, decision string
	matched, missing           []string
	details                    map[string]string
	boundary, orgs             string
	perResource                []simResource
}

type simResource struct {
	resource, decision string
	matched, missing   []string
	details            map[string]string
	boundary           string
}

func matchedOf(ms []types.Statement) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s|%s|%d:%d-%d:%d", aws.ToString(m.SourcePolicyId), m.SourcePolicyType,
			m.StartPosition.Line, m.StartPosition.Column, m.EndPosition.Line, m.EndPosition.Column))
	}
	return out
}

func detailsOf(d map[string]types.PolicyEvaluationDecisionType) map[string]string {
	if d == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range d {
		out[k] = string(v)
	}
	return out
}

func summarize(rs []types.EvaluationResult) []simResult {
	var out []simResult
	for _, r := range rs {
		s := simResult{
			action: aws.ToString(r.EvalActionName), resource: aws.ToString(r.EvalResourceName), decision: string(r.EvalDecision),
			matched: matchedOf(r.MatchedStatements), missing: append([]string{}, r.MissingContextValues...),
			details: detailsOf(r.EvalDecisionDetails),
		}
		if r.PermissionsBoundaryDecisionDetail != nil {
			s.boundary = fmt.Sprint(r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary)
		}
		if r.OrganizationsDecisionDetail != nil {
			s.orgs = fmt.Sprint(r.OrganizationsDecisionDetail.AllowedByOrganizations)
		}
		for _, rr := range r.ResourceSpecificResults {
			sr := simResource{
				resource: aws.ToString(rr.EvalResourceName), decision: string(rr.EvalResourceDecision),
				matched: matchedOf(rr.MatchedStatements), missing: append([]string{}, rr.MissingContextValues...),
				details: detailsOf(rr.EvalDecisionDetails),
			}
			if rr.PermissionsBoundaryDecisionDetail != nil {
				sr.boundary = fmt.Sprint(rr.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary)
			}
			s.perResource = append(s.perResource, sr)
		}
		out = append(out, s)
	}
	return out
}

func ctxEntry(name string, typ types.ContextKeyTypeEnum, values ...string) types.ContextEntry {
	return types.ContextEntry{ContextKeyName: aws.String(name), ContextKeyType: typ, ContextKeyValues: values}
}

// oneLine is the position IAM reports for the only statement of a one-line policy that begins
// {"Version":"2012-10-17","Statement":[ and ends }]}: from one past the '[' (column 37) to one past
// the statement's closing brace.
func oneLine(doc string) string {
	if !strings.HasPrefix(doc, `{"Version":"2012-10-17","Statement":[{`) || !strings.HasSuffix(doc, "}]}") {
		panic("oneLine: unexpected document shape " + doc)
	}
	return fmt.Sprintf("1:38-1:%d", len(doc)-1)
}

func allow(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

func deny(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

func withCondition(effect, action, resource, condition string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"` + effect + `","Action":"` + action + `","Resource":"` + resource + `","Condition":` + condition + `}]}`
}

// The AWS CLI examples for simulate-custom-policy (awscli/examples/iam/simulate-custom-policy.rst).
const cliExamplePolicy = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`

// AdministratorAccess as IAM stores it (two-space indentation); simulate-principal-policy reports
// its statement at 3:17–8:6 in captured output.
const prettyAdmin = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}`

const twoStatements = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`

func TestSimulateCustomPolicy(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	alice := "arn:aws:iam::" + acct + ":user/alice"
	bucketPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}]}`
	fullAccess := allow("*", "*")
	denyS3 := deny("s3:*", "*")
	boundary := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}]}`

	for _, tc := range []struct {
		name string
		in   awsiam.SimulateCustomPolicyInput
		want []simResult
	}{
		{"CLI example: condition met", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{cliExamplePolicy}, ActionNames: []string{"dynamodb:CreateBackup"},
			ContextEntries: []types.ContextEntry{ctxEntry("aws:CurrentTime", types.ContextKeyTypeEnumDate, "2019-04-25T11:00:00Z")},
		}, []simResult{{action: "dynamodb:CreateBackup", resource: "*", decision: "allowed",
			matched: []string{"PolicyInputList.1|IAM Policy|1:38-1:167"}, missing: []string{}}}},
		{"CLI example: condition not met", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{cliExamplePolicy}, ActionNames: []string{"dynamodb:CreateBackup"},
			ContextEntries: []types.ContextEntry{ctxEntry("aws:CurrentTime", types.ContextKeyTypeEnumDate, "2018-04-25T11:00:00Z")},
		}, []simResult{{action: "dynamodb:CreateBackup", resource: "*", decision: "implicitDeny", matched: []string{}, missing: []string{}}}},
		{"condition key not supplied", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{cliExamplePolicy}, ActionNames: []string{"dynamodb:CreateBackup"},
		}, []simResult{{action: "dynamodb:CreateBackup", resource: "*", decision: "implicitDeny", matched: []string{}, missing: []string{"aws:CurrentTime"}}}},
		{"pretty-printed statement starts after the bracket", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{prettyAdmin}, ActionNames: []string{"s3:ListBucket"},
		}, []simResult{{action: "s3:ListBucket", resource: "*", decision: "allowed", matched: []string{"PolicyInputList.1|IAM Policy|3:17-8:6"}, missing: []string{}}}},
		{"second statement starts where the first ends", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{twoStatements}, ActionNames: []string{"s3:GetObject", "s3:PutObject"},
		}, []simResult{
			{action: "s3:GetObject", resource: "*", decision: "allowed", missing: []string{},
				matched: []string{"PolicyInputList.1|IAM Policy|1:38-1:95", "PolicyInputList.1|IAM Policy|1:95-1:145"}},
			{action: "s3:PutObject", resource: "*", decision: "allowed", missing: []string{},
				matched: []string{"PolicyInputList.1|IAM Policy|1:95-1:145"}},
		}},
		{"explicit deny is the only statement reported", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{fullAccess, denyS3}, ActionNames: []string{"s3:DeleteBucket", "iam:GetUser"},
		}, []simResult{
			{action: "s3:DeleteBucket", resource: "*", decision: "explicitDeny", missing: []string{},
				matched: []string{"PolicyInputList.2|IAM Policy|" + oneLine(denyS3)}},
			{action: "iam:GetUser", resource: "*", decision: "allowed", missing: []string{},
				matched: []string{"PolicyInputList.1|IAM Policy|" + oneLine(fullAccess)}},
		}},
		{"permissions boundary limits and denies", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{allow("iam:*", "*")}, PermissionsBoundaryPolicyInputList: []string{boundary},
			ActionNames: []string{"iam:GetUser", "iam:DeleteUser", "s3:GetObject"},
		}, []simResult{
			{action: "iam:GetUser", resource: "*", decision: "allowed", missing: []string{}, boundary: "true",
				matched: []string{"PolicyInputList.1|IAM Policy|" + oneLine(allow("iam:*", "*"))}},
			{action: "iam:DeleteUser", resource: "*", decision: "explicitDeny", missing: []string{}, boundary: "false",
				matched: []string{"PermissionsBoundaryPolicyInputList.1|Permissions Boundary Policy|1:84-1:143"}},
			{action: "s3:GetObject", resource: "*", decision: "implicitDeny", missing: []string{}, boundary: "true", matched: []string{}},
		}},
		{"boundary without an allow", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{fullAccess}, PermissionsBoundaryPolicyInputList: []string{allow("iam:Get*", "*")},
			ActionNames: []string{"iam:CreateUser"},
		}, []simResult{{action: "iam:CreateUser", resource: "*", decision: "implicitDeny", missing: []string{}, boundary: "false", matched: []string{}}}},
		{"resource ARNs each get a result", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{allow("s3:GetObject", "arn:aws:s3:::pub/*")}, ActionNames: []string{"s3:GetObject"},
			ResourceArns: []string{"arn:aws:s3:::pub/a", "arn:aws:s3:::priv/b"},
		}, []simResult{{action: "s3:GetObject", resource: "*", decision: "implicitDeny", missing: []string{}, details: map[string]string{},
			matched: []string{"PolicyInputList.1|IAM Policy|" + oneLine(allow("s3:GetObject", "arn:aws:s3:::pub/*"))},
			perResource: []simResource{
				{resource: "arn:aws:s3:::pub/a", decision: "allowed", missing: []string{},
					matched: []string{"PolicyInputList.1|IAM Policy|" + oneLine(allow("s3:GetObject", "arn:aws:s3:::pub/*"))}},
				{resource: "arn:aws:s3:::priv/b", decision: "implicitDeny", missing: []string{}, matched: []string{}},
			}}}},
		{"missing context keys per resource", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{withCondition("Allow", "s3:GetObject", "*", `{"Bool":{"aws:SecureTransport":"true"}}`)},
			ActionNames:     []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::b/k"},
		}, []simResult{{action: "s3:GetObject", resource: "*", decision: "implicitDeny", matched: []string{}, missing: []string{"aws:SecureTransport"},
			details: map[string]string{}, perResource: []simResource{
				{resource: "arn:aws:s3:::b/k", decision: "implicitDeny", matched: []string{}, missing: []string{"aws:SecureTransport"}},
			}}}},
		{"resource policy grants the caller", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{allow("sqs:SendMessage", "*")}, ResourcePolicy: aws.String(bucketPolicy), CallerArn: aws.String(alice),
			ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::shared/x"},
		}, []simResult{{action: "s3:GetObject", resource: "*", decision: "allowed", missing: []string{}, details: map[string]string{},
			matched: []string{"ResourcePolicy|Resource Policy|" + oneLine(bucketPolicy)},
			perResource: []simResource{{resource: "arn:aws:s3:::shared/x", decision: "allowed", missing: []string{},
				matched: []string{"ResourcePolicy|Resource Policy|" + oneLine(bucketPolicy)}}},
		}}},
		{"cross-account needs identity and resource allows", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{allow("s3:GetObject", "arn:aws:s3:::shared/*")}, ResourcePolicy: aws.String(bucketPolicy),
			CallerArn: aws.String(alice), ResourceOwner: aws.String("999999999999"),
			ActionNames: []string{"s3:GetObject", "s3:PutObject"}, ResourceArns: []string{"arn:aws:s3:::shared/x"},
		}, []simResult{
			{action: "s3:GetObject", resource: "*", decision: "allowed", missing: []string{},
				details: map[string]string{"IAM Policy": "allowed", "Resource Policy": "allowed"},
				matched: []string{"ResourcePolicy|Resource Policy|" + oneLine(bucketPolicy),
					"PolicyInputList.1|IAM Policy|" + oneLine(allow("s3:GetObject", "arn:aws:s3:::shared/*"))},
				perResource: []simResource{{resource: "arn:aws:s3:::shared/x", decision: "allowed", missing: []string{},
					details: map[string]string{"IAM Policy": "allowed", "Resource Policy": "allowed"},
					matched: []string{"ResourcePolicy|Resource Policy|" + oneLine(bucketPolicy),
						"PolicyInputList.1|IAM Policy|" + oneLine(allow("s3:GetObject", "arn:aws:s3:::shared/*"))}}}},
			{action: "s3:PutObject", resource: "*", decision: "implicitDeny", missing: []string{}, matched: []string{},
				details: map[string]string{"IAM Policy": "implicitDeny", "Resource Policy": "implicitDeny"},
				perResource: []simResource{{resource: "arn:aws:s3:::shared/x", decision: "implicitDeny", missing: []string{}, matched: []string{},
					details: map[string]string{"IAM Policy": "implicitDeny", "Resource Policy": "implicitDeny"}}}},
		}},
		{"owner taken from the resource ARN", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{fullAccess}, ActionNames: []string{"sqs:SendMessage"},
			ResourceArns: []string{"arn:aws:sqs:us-east-1:999999999999:q"},
		}, []simResult{{action: "sqs:SendMessage", resource: "*", decision: "implicitDeny", missing: []string{}, matched: []string{},
			details: map[string]string{"IAM Policy": "allowed", "Resource Policy": "implicitDeny"},
			perResource: []simResource{{resource: "arn:aws:sqs:us-east-1:999999999999:q", decision: "implicitDeny", missing: []string{}, matched: []string{},
				details: map[string]string{"IAM Policy": "allowed", "Resource Policy": "implicitDeny"}}}}}},
		{"SCP levels", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{fullAccess}, ActionNames: []string{"s3:GetObject", "iam:GetUser", "ec2:RunInstances"},
			OrderedOrganizationPolicyInputList: []types.OrderedOrganizationPolicyType{
				{ServiceControlPolicyInputList: []string{fullAccess}},
				{ServiceControlPolicyInputList: []string{allow("s3:*", "*"), allow("iam:*", "*"), denyS3}},
			},
		}, []simResult{
			{action: "s3:GetObject", resource: "*", decision: "explicitDeny", missing: []string{}, matched: []string{}, orgs: "false"},
			{action: "iam:GetUser", resource: "*", decision: "allowed", missing: []string{}, orgs: "true",
				matched: []string{"PolicyInputList.1|IAM Policy|" + oneLine(fullAccess)}},
			{action: "ec2:RunInstances", resource: "*", decision: "implicitDeny", missing: []string{}, matched: []string{}, orgs: "false"},
		}},
		{"SCP denial ends the cross-account details", awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{fullAccess}, ActionNames: []string{"s3:GetObject"},
			ResourceArns: []string{"arn:aws:s3:::shared/x"}, ResourceOwner: aws.String("999999999999"),
			OrderedOrganizationPolicyInputList: []types.OrderedOrganizationPolicyType{{ServiceControlPolicyInputList: []string{fullAccess, denyS3}}},
		}, []simResult{{action: "s3:GetObject", resource: "*", decision: "explicitDeny", missing: []string{}, matched: []string{}, orgs: "false",
			perResource: []simResource{{resource: "arn:aws:s3:::shared/x", decision: "explicitDeny", missing: []string{}, matched: []string{}}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.IAM.SimulateCustomPolicy(ctx, &tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if out.IsTruncated || out.Marker != nil {
				t.Errorf("IsTruncated = %v, Marker = %v", out.IsTruncated, out.Marker)
			}
			if got := summarize(out.EvaluationResults); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("results\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestSimulateContextTypes checks that every ContextKeyType reaches the condition operators with
// its meaning, and that values that do not parse as their type are refused.
func TestSimulateContextTypes(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	for _, tc := range []struct {
		name      string
		condition string
		entry     types.ContextEntry
		want      string // decision, or the error code
	}{
		{"string", `{"StringEquals":{"aws:username":"carol"}}`, ctxEntry("aws:username", types.ContextKeyTypeEnumString, "carol"), "allowed"},
		{"string mismatch", `{"StringEquals":{"aws:username":"carol"}}`, ctxEntry("aws:username", types.ContextKeyTypeEnumString, "dave"), "implicitDeny"},
		{"string with two values", `{"StringEquals":{"aws:username":"carol"}}`, ctxEntry("aws:username", types.ContextKeyTypeEnumString, "carol", "dave"), "InvalidInput"},
		{"stringList", `{"ForAnyValue:StringEquals":{"aws:TagKeys":"env"}}`, ctxEntry("aws:TagKeys", types.ContextKeyTypeEnumStringList, "team", "env"), "allowed"},
		{"numeric", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctxEntry("s3:max-keys", types.ContextKeyTypeEnumNumeric, "5"), "allowed"},
		{"numeric too large", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctxEntry("s3:max-keys", types.ContextKeyTypeEnumNumeric, "50"), "implicitDeny"},
		{"numeric not a number", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctxEntry("s3:max-keys", types.ContextKeyTypeEnumNumeric, "ten"), "InvalidInput"},
		{"numericList", `{"ForAllValues:NumericLessThan":{"s3:sizes":"10"}}`, ctxEntry("s3:sizes", types.ContextKeyTypeEnumNumericList, "1", "2.5"), "allowed"},
		{"numericList with a bad member", `{"ForAllValues:NumericLessThan":{"s3:sizes":"10"}}`, ctxEntry("s3:sizes", types.ContextKeyTypeEnumNumericList, "1", "x"), "InvalidInput"},
		{"boolean", `{"Bool":{"aws:SecureTransport":"true"}}`, ctxEntry("aws:SecureTransport", types.ContextKeyTypeEnumBoolean, "TRUE"), "allowed"},
		{"boolean false", `{"Bool":{"aws:SecureTransport":"true"}}`, ctxEntry("aws:SecureTransport", types.ContextKeyTypeEnumBoolean, "false"), "implicitDeny"},
		{"boolean not a boolean", `{"Bool":{"aws:SecureTransport":"true"}}`, ctxEntry("aws:SecureTransport", types.ContextKeyTypeEnumBoolean, "yes"), "InvalidInput"},
		{"booleanList", `{"ForAnyValue:Bool":{"ex:flags":"true"}}`, ctxEntry("ex:flags", types.ContextKeyTypeEnumBooleanList, "false", "true"), "allowed"},
		{"ip", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctxEntry("aws:SourceIp", types.ContextKeyTypeEnumIp, "10.1.2.3"), "allowed"},
		{"ip outside", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctxEntry("aws:SourceIp", types.ContextKeyTypeEnumIp, "192.0.2.1"), "implicitDeny"},
		{"ip given as a block", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctxEntry("aws:SourceIp", types.ContextKeyTypeEnumIp, "10.0.0.0/8"), "InvalidInput"},
		{"ipList", `{"ForAnyValue:IpAddress":{"ex:hops":"2001:db8::/32"}}`, ctxEntry("ex:hops", types.ContextKeyTypeEnumIpList, "192.0.2.1", "2001:db8::1"), "allowed"},
		{"binary", `{"BinaryEquals":{"ex:blob":"aGVsbG8="}}`, ctxEntry("ex:blob", types.ContextKeyTypeEnumBinary, "aGVsbG8="), "allowed"},
		{"binary not base64", `{"BinaryEquals":{"ex:blob":"aGVsbG8="}}`, ctxEntry("ex:blob", types.ContextKeyTypeEnumBinary, "%%%"), "InvalidInput"},
		{"binaryList", `{"ForAnyValue:BinaryEquals":{"ex:blobs":"aGVsbG8="}}`, ctxEntry("ex:blobs", types.ContextKeyTypeEnumBinaryList, "d29ybGQ=", "aGVsbG8="), "allowed"},
		{"date", `{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`, ctxEntry("aws:CurrentTime", types.ContextKeyTypeEnumDate, "2029-12-31T23:59:59Z"), "allowed"},
		{"date as epoch seconds", `{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`, ctxEntry("aws:CurrentTime", types.ContextKeyTypeEnumDate, "1893456000"), "implicitDeny"},
		{"date not a date", `{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`, ctxEntry("aws:CurrentTime", types.ContextKeyTypeEnumDate, "tomorrow"), "InvalidInput"},
		{"dateList", `{"ForAllValues:DateLessThan":{"ex:times":"2030-01-01"}}`, ctxEntry("ex:times", types.ContextKeyTypeEnumDateList, "2020-01-01", "2021-06-01T12:00:00Z"), "allowed"},
		{"unknown type", `{"StringEquals":{"aws:username":"carol"}}`, ctxEntry("aws:username", "text", "carol"), "ValidationError"},
		{"key name too short", `{"StringEquals":{"aws:username":"carol"}}`, ctxEntry("a:b", types.ContextKeyTypeEnumString, "carol"), "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.IAM.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{
				PolicyInputList: []string{withCondition("Allow", "s3:GetObject", "*", tc.condition)},
				ActionNames:     []string{"s3:GetObject"}, ContextEntries: []types.ContextEntry{tc.entry},
			})
			if strings.Contains(tc.want, "I") || strings.HasPrefix(tc.want, "Validation") {
				testutil.WantCode(t, err, tc.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := string(out.EvaluationResults[0].EvalDecision); got != tc.want {
				t.Errorf("EvalDecision = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestSimulateCustomPolicyErrors(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	ok := allow("s3:GetObject", "*")
	rp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`
	for _, tc := range []struct {
		name string
		in   awsiam.SimulateCustomPolicyInput
		code string
	}{
		{"malformed identity policy", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Statement":`}, ActionNames: []string{"s3:GetObject"}}, "MalformedPolicyDocument"},
		{"identity policy with a principal", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{rp}, ActionNames: []string{"s3:GetObject"}}, "MalformedPolicyDocument"},
		{"malformed resource policy", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ResourcePolicy: aws.String(ok),
			CallerArn: aws.String("arn:aws:iam::" + acct + ":user/a"), ActionNames: []string{"s3:GetObject"}}, "MalformedPolicyDocument"},
		{"malformed boundary", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, PermissionsBoundaryPolicyInputList: []string{"nope"}, ActionNames: []string{"s3:GetObject"}}, "MalformedPolicyDocument"},
		{"malformed SCP", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{"s3:GetObject"},
			OrderedOrganizationPolicyInputList: []types.OrderedOrganizationPolicyType{{ServiceControlPolicyInputList: []string{rp}}}}, "MalformedPolicyDocument"},
		{"empty SCP level", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{"s3:GetObject"},
			OrderedOrganizationPolicyInputList: []types.OrderedOrganizationPolicyType{{ServiceControlPolicyInputList: []string{ok}}, {ServiceControlPolicyInputList: []string{}}}}, "InvalidInput"},
		{"no policies", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{}, ActionNames: []string{"s3:GetObject"}}, "ValidationError"},
		{"no actions", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{}}, "ValidationError"},
		{"two boundaries", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, PermissionsBoundaryPolicyInputList: []string{ok, ok}, ActionNames: []string{"s3:GetObject"}}, "InvalidInput"},
		{"resource policy without a caller", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ResourcePolicy: aws.String(rp), ActionNames: []string{"s3:GetObject"}}, "InvalidInput"},
		{"resource policy with a role caller", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ResourcePolicy: aws.String(rp),
			CallerArn: aws.String("arn:aws:iam::" + acct + ":role/r"), ActionNames: []string{"s3:GetObject"}}, "InvalidInput"},
		{"assumed-role caller", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok},
			CallerArn: aws.String("arn:aws:sts::" + acct + ":assumed-role/r/s"), ActionNames: []string{"s3:GetObject"}}, "InvalidInput"},
		{"caller not an ARN", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, CallerArn: aws.String("alice"), ActionNames: []string{"s3:GetObject"}}, "InvalidInput"},
		{"resource not an ARN", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"bucket/key"}}, "InvalidInput"},
		{"bad resource owner", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{"s3:GetObject"}, ResourceOwner: aws.String("12345")}, "InvalidInput"},
		{"wildcard action", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{"s3:Get*"}}, "InvalidInput"},
		{"action without service", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{"GetObject"}}, "InvalidInput"},
		{"bad marker", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{"s3:GetObject", "s3:PutObject"}, Marker: aws.String("bm90LWEtbWFya2Vy")}, "InvalidInput"},
		{"oversized policy", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok + strings.Repeat(" ", 131072)}, ActionNames: []string{"s3:GetObject"}}, "ValidationError"},
		{"MaxItems too large", awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{"s3:GetObject"}, MaxItems: aws.Int32(1001)}, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.IAM.SimulateCustomPolicy(ctx, &tc.in)
			testutil.WantCode(t, err, tc.code)
		})
	}
}

func TestSimulatePagination(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	actions := []string{"iam:GetUser", "iam:ListUsers", "s3:GetObject", "s3:PutObject", "sqs:SendMessage"}
	for _, tc := range []struct {
		name     string
		maxItems *int32
		pages    int
	}{
		{"pages of two", aws.Int32(2), 3},
		{"page of one", aws.Int32(1), 5},
		{"default page holds all", nil, 1},
	} {
		t.Run("custom "+tc.name, func(t *testing.T) {
			p := awsiam.NewSimulateCustomPolicyPaginator(e.IAM, &awsiam.SimulateCustomPolicyInput{
				PolicyInputList: []string{allow("s3:*", "*")}, ActionNames: actions, MaxItems: tc.maxItems,
			})
			var got []string
			pages := 0
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, r := range page.EvaluationResults {
					got = append(got, *r.EvalActionName+"="+string(r.EvalDecision))
				}
			}
			want := "iam:GetUser=implicitDeny,iam:ListUsers=implicitDeny,s3:GetObject=allowed,s3:PutObject=allowed,sqs:SendMessage=implicitDeny"
			if strings.Join(got, ",") != want || pages != tc.pages {
				t.Errorf("got %v in %d pages, want %s in %d", got, pages, want, tc.pages)
			}
		})
		t.Run("principal "+tc.name, func(t *testing.T) {
			p := awsiam.NewSimulatePrincipalPolicyPaginator(e.IAM, &awsiam.SimulatePrincipalPolicyInput{
				PolicySourceArn: aws.String("arn:aws:iam::" + e.Account.ID + ":user/admin"), ActionNames: actions, MaxItems: tc.maxItems,
			})
			var got []string
			pages := 0
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, r := range page.EvaluationResults {
					got = append(got, *r.EvalActionName+"="+string(r.EvalDecision))
				}
			}
			if strings.Join(got, ",") != strings.Join(actions, "=allowed,")+"=allowed" || pages != tc.pages {
				t.Errorf("got %v in %d pages, want all of %v allowed in %d", got, pages, actions, tc.pages)
			}
		})
	}
}

// principalEnv sets up, in e's account: user alice (path /eng/) with an inline policy, in group
// Devs (inline policy) with the AWS managed IAMReadOnlyAccess and a customer managed deny attached,
// and a permissions boundary; role app with an inline policy; group Ops with an inline policy.
func principalEnv(t *testing.T, e *servertest.Env) {
	t.Helper()
	ctx := context.Background()
	a := e.Account.ID
	s := e.Svc
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.CreatePolicy(ctx, a, iam.CreatePolicyInput{PolicyName: "Bound", PolicyDocument: allow("*", "*")})
	must(err)
	_, err = s.CreatePolicy(ctx, a, iam.CreatePolicyInput{PolicyName: "Bound2", PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:List*","Resource":"*"}]}`})
	must(err)
	_, err = s.CreatePolicy(ctx, a, iam.CreatePolicyInput{PolicyName: "CustomDeny", PolicyDocument: deny("iam:GetRole", "*")})
	must(err)
	_, err = s.CreateUser(ctx, a, iam.CreateUserInput{UserName: "alice", Path: "/eng/", PermissionsBoundary: "arn:aws:iam::" + a + ":policy/Bound2"})
	must(err)
	must(s.PutInlinePolicy(ctx, a, "user", "alice", "AllowS3Read", allow("s3:GetObject", "*")))
	_, err = s.CreateGroup(ctx, a, "Devs", "/")
	must(err)
	must(s.AddUserToGroup(ctx, a, "Devs", "alice"))
	must(s.PutInlinePolicy(ctx, a, "group", "Devs", "DevEC2", allow("ec2:Describe*", "*")))
	must(s.AttachPolicy(ctx, a, "user", "alice", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"))
	must(s.AttachPolicy(ctx, a, "group", "Devs", "arn:aws:iam::"+a+":policy/CustomDeny"))
	_, err = s.CreateRole(ctx, a, iam.CreateRoleInput{RoleName: "app", AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`})
	must(err)
	must(s.PutInlinePolicy(ctx, a, "role", "app", "RolePol", allow("sqs:SendMessage", "*")))
	_, err = s.CreateGroup(ctx, a, "Ops", "/")
	must(err)
	must(s.PutInlinePolicy(ctx, a, "group", "Ops", "OpsPol", allow("ssm:GetParameter", "*")))
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	principalEnv(t, e)
	a := e.Account.ID
	alice := "arn:aws:iam::" + a + ":user/eng/alice"
	// Positions of the shipped and test documents, by IAM's rule (see oneLine).
	s3Read := "user_alice_AllowS3Read|IAM Policy|" + oneLine(allow("s3:GetObject", "*"))
	devEC2 := "group_Devs_DevEC2|IAM Policy|" + oneLine(allow("ec2:Describe*", "*"))
	customDeny := "CustomDeny|IAM Policy|" + oneLine(deny("iam:GetRole", "*"))
	exInline := types.PolicyIdentifierMemberPolicyType{Value: types.PolicyIdentifierPolicyTypeInline}
	aliceBucket := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"s3:GetObject","Resource":"*"}]}`
	bobBucket := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + a + `:user/bob"},"Action":"s3:GetObject","Resource":"*"}]}`
	for _, tc := range []struct {
		name string
		in   awsiam.SimulatePrincipalPolicyInput
		want []simResult
	}{
		{"user, group and managed policies", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice),
			ActionNames: []string{"s3:GetObject", "ec2:DescribeInstances", "iam:GetRole", "iam:ListUsers", "sqs:SendMessage"}},
			[]simResult{
				{action: "s3:GetObject", resource: "*", decision: "allowed", missing: []string{}, boundary: "true", matched: []string{s3Read}},
				{action: "ec2:DescribeInstances", resource: "*", decision: "allowed", missing: []string{}, boundary: "true", matched: []string{devEC2}},
				{action: "iam:GetRole", resource: "*", decision: "explicitDeny", missing: []string{}, boundary: "true", matched: []string{customDeny}},
				{action: "iam:ListUsers", resource: "*", decision: "implicitDeny", missing: []string{}, boundary: "false", matched: []string{}},
				{action: "sqs:SendMessage", resource: "*", decision: "implicitDeny", missing: []string{}, boundary: "true", matched: []string{}},
			}},
		{"AWS managed policy reported by name", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice),
			ActionNames: []string{"iam:GetUser"}},
			[]simResult{{action: "iam:GetUser", resource: "*", decision: "allowed", missing: []string{}, boundary: "true", matched: []string{"IAMReadOnlyAccess|IAM Policy|1:15-1:211"}}}},
		{"extra policies and boundary override", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice),
			PolicyInputList: []string{allow("sqs:*", "*")}, PermissionsBoundaryPolicyInputList: []string{allow("*", "*")},
			ActionNames: []string{"sqs:SendMessage", "iam:ListUsers"}},
			[]simResult{
				{action: "sqs:SendMessage", resource: "*", decision: "allowed", missing: []string{}, boundary: "true",
					matched: []string{"PolicyInputList.1|IAM Policy|" + oneLine(allow("sqs:*", "*"))}},
				{action: "iam:ListUsers", resource: "*", decision: "allowed", missing: []string{}, boundary: "true",
					matched: []string{"IAMReadOnlyAccess|IAM Policy|1:15-1:211"}},
			}},
		{"role", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + a + ":role/app"), ActionNames: []string{"sqs:SendMessage", "s3:GetObject"}},
			[]simResult{
				{action: "sqs:SendMessage", resource: "*", decision: "allowed", missing: []string{}, matched: []string{"role_app_RolePol|IAM Policy|" + oneLine(allow("sqs:SendMessage", "*"))}},
				{action: "s3:GetObject", resource: "*", decision: "implicitDeny", missing: []string{}, matched: []string{}},
			}},
		{"group", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + a + ":group/Ops"), ActionNames: []string{"ssm:GetParameter"}},
			[]simResult{{action: "ssm:GetParameter", resource: "*", decision: "allowed", missing: []string{}, matched: []string{"group_Ops_OpsPol|IAM Policy|" + oneLine(allow("ssm:GetParameter", "*"))}}}},
		{"exclude inline policies", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice),
			PolicyExclusionList: []types.PolicyIdentifier{&exInline}, ActionNames: []string{"s3:GetObject", "ec2:DescribeInstances", "iam:GetUser"}},
			[]simResult{
				{action: "s3:GetObject", resource: "*", decision: "implicitDeny", missing: []string{}, boundary: "true", matched: []string{}},
				{action: "ec2:DescribeInstances", resource: "*", decision: "implicitDeny", missing: []string{}, boundary: "true", matched: []string{}},
				{action: "iam:GetUser", resource: "*", decision: "allowed", missing: []string{}, boundary: "true", matched: []string{"IAMReadOnlyAccess|IAM Policy|1:15-1:211"}},
			}},
		{"exclude by ARN pattern and inline identifier", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice),
			PolicyExclusionList: []types.PolicyIdentifier{
				&types.PolicyIdentifierMemberPolicyArn{Value: "arn:aws:iam::aws:policy/IAM*Access"},
				&types.PolicyIdentifierMemberInlinePolicyIdentifier{Value: types.InlinePolicyIdentifierType{
					AttachmentType: types.AttachmentTypeGroup, AttachmentName: aws.String("dev?"), PolicyName: aws.String("DevEC2")}},
			}, ActionNames: []string{"iam:GetUser", "ec2:DescribeInstances", "s3:GetObject"}},
			[]simResult{
				{action: "iam:GetUser", resource: "*", decision: "implicitDeny", missing: []string{}, boundary: "true", matched: []string{}},
				{action: "ec2:DescribeInstances", resource: "*", decision: "implicitDeny", missing: []string{}, boundary: "true", matched: []string{}},
				{action: "s3:GetObject", resource: "*", decision: "allowed", missing: []string{}, boundary: "true", matched: []string{s3Read}},
			}},
		{"exclude customer managed policies and the boundary", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice),
			PolicyExclusionList: []types.PolicyIdentifier{
				&types.PolicyIdentifierMemberPolicyType{Value: types.PolicyIdentifierPolicyTypeUserManaged},
				&types.PolicyIdentifierMemberPolicyType{Value: types.PolicyIdentifierPolicyTypePermissionBoundary},
			}, ActionNames: []string{"iam:GetRole", "iam:ListUsers"}},
			[]simResult{
				{action: "iam:GetRole", resource: "*", decision: "allowed", missing: []string{}, matched: []string{"IAMReadOnlyAccess|IAM Policy|1:15-1:211"}},
				{action: "iam:ListUsers", resource: "*", decision: "allowed", missing: []string{}, matched: []string{"IAMReadOnlyAccess|IAM Policy|1:15-1:211"}},
			}},
		{"exclusion that matches nothing is ignored", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice),
			PolicyExclusionList: []types.PolicyIdentifier{&types.PolicyIdentifierMemberPolicyArn{Value: "arn:aws:iam::" + a + ":policy/Nothing*"}},
			ActionNames:         []string{"iam:GetRole"}},
			[]simResult{{action: "iam:GetRole", resource: "*", decision: "explicitDeny", missing: []string{}, boundary: "true", matched: []string{customDeny}}}},
		{"the policy source is the caller by default", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice),
			PolicyExclusionList: []types.PolicyIdentifier{&exInline},
			ResourcePolicy:      aws.String(aliceBucket), ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::b/k"}},
			[]simResult{{action: "s3:GetObject", resource: "*", decision: "allowed", missing: []string{}, details: map[string]string{}, boundary: "true",
				matched: []string{"ResourcePolicy|Resource Policy|" + oneLine(aliceBucket)},
				perResource: []simResource{{resource: "arn:aws:s3:::b/k", decision: "allowed", missing: []string{}, boundary: "true",
					matched: []string{"ResourcePolicy|Resource Policy|" + oneLine(aliceBucket)}}}}}},
		{"caller with a resource policy", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + a + ":group/Ops"),
			CallerArn:      aws.String("arn:aws:iam::" + a + ":user/bob"),
			ResourcePolicy: aws.String(bobBucket),
			ActionNames:    []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::b/k"}},
			[]simResult{{action: "s3:GetObject", resource: "*", decision: "allowed", missing: []string{}, details: map[string]string{},
				matched:     []string{"ResourcePolicy|Resource Policy|" + oneLine(bobBucket)},
				perResource: []simResource{{resource: "arn:aws:s3:::b/k", decision: "allowed", missing: []string{}, matched: []string{"ResourcePolicy|Resource Policy|" + oneLine(bobBucket)}}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.IAM.SimulatePrincipalPolicy(ctx, &tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := summarize(out.EvaluationResults); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("results\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestSimulatePrincipalPolicyErrors(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	principalEnv(t, e)
	a := e.Account.ID
	alice := "arn:aws:iam::" + a + ":user/eng/alice"
	rp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`
	for _, tc := range []struct {
		name string
		in   awsiam.SimulatePrincipalPolicyInput
		code string
	}{
		{"unknown user", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + a + ":user/nobody")}, "NoSuchEntity"},
		{"unknown role", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + a + ":role/nobody")}, "NoSuchEntity"},
		{"unknown group", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + a + ":group/nobody")}, "NoSuchEntity"},
		{"wrong path", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + a + ":user/alice")}, "NoSuchEntity"},
		{"another account", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::999999999999:user/eng/alice")}, "NoSuchEntity"},
		{"not an ARN", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("alice-is-not-an-arn")}, "InvalidInput"},
		{"policy ARN", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}, "InvalidInput"},
		{"assumed role", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:sts::" + a + ":assumed-role/app/s")}, "InvalidInput"},
		{"malformed extra policy", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice), PolicyInputList: []string{"{}"}}, "MalformedPolicyDocument"},
		{"group with a resource policy and no caller", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + a + ":group/Ops"), ResourcePolicy: aws.String(rp)}, "InvalidInput"},
		{"role with a resource policy", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + a + ":role/app"), ResourcePolicy: aws.String(rp)}, "InvalidInput"},
		{"two wildcards in an excluded ARN", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice),
			PolicyExclusionList: []types.PolicyIdentifier{&types.PolicyIdentifierMemberPolicyArn{Value: "arn:aws:iam::aws:policy/*Read*"}}}, "InvalidInput"},
		{"wildcard in an excluded ARN's account", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice),
			PolicyExclusionList: []types.PolicyIdentifier{&types.PolicyIdentifierMemberPolicyArn{Value: "arn:aws:iam::*:policy/X"}}}, "InvalidInput"},
		{"unknown exclusion type", awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice),
			PolicyExclusionList: []types.PolicyIdentifier{&types.PolicyIdentifierMemberPolicyType{Value: "everything"}}}, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.in.ActionNames == nil {
				tc.in.ActionNames = []string{"s3:GetObject"}
			}
			_, err := e.IAM.SimulatePrincipalPolicy(ctx, &tc.in)
			testutil.WantCode(t, err, tc.code)
		})
	}
}

// TestSimulatorAuthorization checks that the simulator operations are authorized as IAM does:
// iam:SimulatePrincipalPolicy on the simulated entity's ARN, iam:SimulateCustomPolicy on "*".
func TestSimulatorAuthorization(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	principalEnv(t, e)
	a := e.Account.ID
	alice := "arn:aws:iam::" + a + ":user/eng/alice"
	onlyAlice, _ := e.UserClients("auditor", allow("iam:SimulatePrincipalPolicy", alice))
	custom, _ := e.UserClients("tester", allow("iam:SimulateCustomPolicy", "*"))
	for _, tc := range []struct {
		name string
		call func() error
		code string // "" for success
	}{
		{"principal simulation of the allowed user", func() error {
			_, err := onlyAlice.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice), ActionNames: []string{"s3:GetObject"}})
			return err
		}, ""},
		{"principal simulation of another entity", func() error {
			_, err := onlyAlice.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + a + ":role/app"), ActionNames: []string{"s3:GetObject"}})
			return err
		}, "AccessDenied"},
		{"custom simulation without permission", func() error {
			_, err := onlyAlice.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{allow("s3:*", "*")}, ActionNames: []string{"s3:GetObject"}})
			return err
		}, "AccessDenied"},
		{"custom simulation with permission", func() error {
			_, err := custom.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{allow("s3:*", "*")}, ActionNames: []string{"s3:GetObject"}})
			return err
		}, ""},
		{"principal simulation without permission", func() error {
			_, err := custom.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(alice), ActionNames: []string{"s3:GetObject"}})
			return err
		}, "AccessDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			testutil.WantCode(t, err, tc.code)
		})
	}
}

// allowedByServer reports whether a real call got past authorization: it succeeded or failed
// with anything but AccessDenied.
func allowedByServer(t *testing.T, err error) bool {
	t.Helper()
	if err == nil {
		return true
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("call failed without an API error: %v", err)
	}
	return ae.ErrorCode() != "AccessDenied"
}

// TestSimulatorAgreesWithEnforcement makes real calls as a user and as a role session and
// simulates the same requests with SimulatePrincipalPolicy, giving the simulator the condition
// keys the real requests carry. Both must decide alike, and as expected.
func TestSimulatorAgreesWithEnforcement(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	a := e.Account.ID
	s := e.Svc
	bg := context.Background()
	userARN := func(path, name string) string { return "arn:aws:iam::" + a + ":user" + path + name }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"bob", "admin2"} {
		_, err := s.CreateUser(bg, a, iam.CreateUserInput{UserName: n})
		must(err)
	}
	carolPolicy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:GetUser","iam:List*"],"Resource":"*"},
		{"Effect":"Allow","Action":"iam:CreateUser","Resource":"arn:aws:iam::` + a + `:user/team/*"},
		{"Effect":"Allow","Action":"iam:TagUser","Resource":"arn:aws:iam::` + a + `:user/${aws:username}"},
		{"Effect":"Allow","Action":"iam:UntagUser","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}},
		{"Effect":"Allow","Action":"iam:DeleteUser","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
		{"Effect":"Deny","Action":"iam:GetUser","Resource":"arn:aws:iam::` + a + `:user/admin2"}]}`
	carol, carolSTS := e.UserClients("carol", carolPolicy)
	_, err := s.CreatePolicy(bg, a, iam.CreatePolicyInput{PolicyName: "RoleReader", PolicyDocument: allow("iam:GetRole", "*")})
	must(err)
	_, err = s.CreateGroup(bg, a, "Readers", "/")
	must(err)
	must(s.AddUserToGroup(bg, a, "Readers", "carol"))
	must(s.AttachPolicy(bg, a, "group", "Readers", "arn:aws:iam::"+a+":policy/RoleReader"))
	_, err = s.CreatePolicy(bg, a, iam.CreatePolicyInput{PolicyName: "CarolBound",
		PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:CreateUser","iam:TagUser","iam:UntagUser","iam:DeleteUser"],"Resource":"*"},{"Effect":"Deny","Action":"iam:ListPolicies","Resource":"*"}]}`})
	must(err)
	must(s.PutUserPermissionsBoundary(bg, a, "carol", "arn:aws:iam::"+a+":policy/CarolBound"))

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + userARN("/", "carol") + `"},"Action":"sts:AssumeRole"}]}`
	role, err := s.CreateRole(bg, a, iam.CreateRoleInput{RoleName: "auditor", AssumeRolePolicyDocument: trust})
	must(err)
	must(s.PutInlinePolicy(bg, a, "role", "auditor", "audit", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"},{"Effect":"Deny","Action":"iam:ListRoles","Resource":"*"}]}`))

	carolCtx := []types.ContextEntry{
		ctxEntry("aws:username", types.ContextKeyTypeEnumString, "carol"),
		ctxEntry("aws:SourceIp", types.ContextKeyTypeEnumIp, "127.0.0.1"),
	}
	type request struct {
		name     string
		action   string
		resource string
		call     func(*awsiam.Client) error
		want     bool
	}
	userRequests := []request{
		{"GetUser bob", "iam:GetUser", userARN("/", "bob"), func(c *awsiam.Client) error {
			_, err := c.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("bob")})
			return err
		}, true},
		{"GetUser admin2 is denied", "iam:GetUser", userARN("/", "admin2"), func(c *awsiam.Client) error {
			_, err := c.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("admin2")})
			return err
		}, false},
		{"ListUsers", "iam:ListUsers", "*", func(c *awsiam.Client) error {
			_, err := c.ListUsers(ctx, &awsiam.ListUsersInput{})
			return err
		}, true},
		{"ListPolicies denied by the boundary", "iam:ListPolicies", "*", func(c *awsiam.Client) error {
			_, err := c.ListPolicies(ctx, &awsiam.ListPoliciesInput{})
			return err
		}, false},
		{"GetRole through the group's managed policy", "iam:GetRole", "arn:aws:iam::" + a + ":role/auditor", func(c *awsiam.Client) error {
			_, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("auditor")})
			return err
		}, true},
		{"CreateUser under /team/", "iam:CreateUser", userARN("/team/", "newbie"), func(c *awsiam.Client) error {
			_, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("newbie"), Path: aws.String("/team/")})
			return err
		}, true},
		{"CreateUser elsewhere", "iam:CreateUser", userARN("/", "stray"), func(c *awsiam.Client) error {
			_, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("stray")})
			return err
		}, false},
		{"TagUser self through ${aws:username}", "iam:TagUser", userARN("/", "carol"), func(c *awsiam.Client) error {
			_, err := c.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("carol"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, true},
		{"TagUser someone else", "iam:TagUser", userARN("/", "bob"), func(c *awsiam.Client) error {
			_, err := c.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("bob"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, false},
		{"UntagUser from the loopback network", "iam:UntagUser", userARN("/", "bob"), func(c *awsiam.Client) error {
			_, err := c.UntagUser(ctx, &awsiam.UntagUserInput{UserName: aws.String("bob"), TagKeys: []string{"k"}})
			return err
		}, true},
		{"DeleteUser needs 10.0.0.0/8", "iam:DeleteUser", userARN("/", "bob"), func(c *awsiam.Client) error {
			_, err := c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("bob")})
			return err
		}, false},
		{"UpdateUser is not allowed at all", "iam:UpdateUser", userARN("/", "bob"), func(c *awsiam.Client) error {
			_, err := c.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("bob"), NewPath: aws.String("/x/")})
			return err
		}, false},
	}
	check := func(t *testing.T, source string, client *awsiam.Client, ctxEntries []types.ContextEntry, reqs []request) {
		for _, r := range reqs {
			t.Run(r.name, func(t *testing.T) {
				real := allowedByServer(t, r.call(client))
				out, err := e.IAM.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
					PolicySourceArn: aws.String(source), ActionNames: []string{r.action}, ResourceArns: []string{r.resource},
					ContextEntries: ctxEntries,
				})
				if err != nil {
					t.Fatal(err)
				}
				simulated := out.EvaluationResults[0].EvalDecision == types.PolicyEvaluationDecisionTypeAllowed
				if real != simulated || real != r.want {
					t.Errorf("real call allowed = %v, simulation allowed = %v (%s), want %v", real, simulated, out.EvaluationResults[0].EvalDecision, r.want)
				}
			})
		}
	}
	t.Run("user", func(t *testing.T) { check(t, userARN("/", "carol"), carol, carolCtx, userRequests) })

	// A role session: carol assumes auditor.
	creds, err := carolSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role.Arn), RoleSessionName: aws.String("audit")})
	if err != nil {
		t.Fatal(err)
	}
	session, _ := e.Clients(*creds.Credentials.AccessKeyId, *creds.Credentials.SecretAccessKey, *creds.Credentials.SessionToken)
	roleRequests := []request{
		{"ListUsers", "iam:ListUsers", "*", func(c *awsiam.Client) error {
			_, err := c.ListUsers(ctx, &awsiam.ListUsersInput{})
			return err
		}, true},
		{"ListRoles is denied", "iam:ListRoles", "*", func(c *awsiam.Client) error {
			_, err := c.ListRoles(ctx, &awsiam.ListRolesInput{})
			return err
		}, false},
		{"GetUser is not allowed", "iam:GetUser", userARN("/", "bob"), func(c *awsiam.Client) error {
			_, err := c.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("bob")})
			return err
		}, false},
	}
	t.Run("role session", func(t *testing.T) { check(t, role.Arn, session, nil, roleRequests) })
}
