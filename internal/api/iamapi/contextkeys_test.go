package iamapi_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestGetContextKeysForCustomPolicy(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	out, err := e.IAM.GetContextKeysForCustomPolicy(ctx, &awsiam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*",
			"Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"},"Bool":{"aws:SecureTransport":"true"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
			"Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"},"NotIpAddress":{"AWS:SourceIP":"198.51.100.0/24"}}}]}`,
		allow("iam:GetUser", "*"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"aws:username", "aws:SourceIp", "aws:SecureTransport", "aws:RequestedRegion"}
	if !slices.Equal(out.ContextKeyNames, want) {
		t.Fatalf("ContextKeyNames = %q, want %q", out.ContextKeyNames, want)
	}
	for _, tc := range []struct {
		name string
		in   *awsiam.GetContextKeysForCustomPolicyInput
		code string
	}{
		{"no policies", &awsiam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{}}, "ValidationError"},
		{"malformed policy", &awsiam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"}}}]}`}}, "MalformedPolicyDocument"},
		{"identity policy with a principal", &awsiam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`}}, "MalformedPolicyDocument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.IAM.GetContextKeysForCustomPolicy(ctx, tc.in)
			testutil.WantCode(t, err, tc.code)
		})
	}
}

func TestGetContextKeysForPrincipalPolicy(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	a := e.Account.ID
	s := e.Svc
	bg := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.CreatePolicy(bg, a, iam.CreatePolicyInput{PolicyName: "Bound", PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`})
	must(err)
	_, err = s.CreateUser(bg, a, iam.CreateUserInput{UserName: "alice", PermissionsBoundary: "arn:aws:iam::" + a + ":policy/Bound"})
	must(err)
	must(s.PutInlinePolicy(bg, a, "user", "alice", "Home", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`))
	_, err = s.CreateGroup(bg, a, "Devs", "/")
	must(err)
	must(s.AddUserToGroup(bg, a, "Devs", "alice"))
	must(s.PutInlinePolicy(bg, a, "group", "Devs", "Net", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}]}`))
	_, err = s.CreateRole(bg, a, iam.CreateRoleInput{RoleName: "app", AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`})
	must(err)
	must(s.PutInlinePolicy(bg, a, "role", "app", "Regions", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`))

	keys := func(in *awsiam.GetContextKeysForPrincipalPolicyInput) []string {
		t.Helper()
		out, err := e.IAM.GetContextKeysForPrincipalPolicy(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(out.ContextKeyNames)
		return out.ContextKeyNames
	}
	alice := "arn:aws:iam::" + a + ":user/alice"
	// The user's own and its group's policies and its boundary, then PolicyInputList.
	if got, want := keys(&awsiam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(alice),
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"IpAddress":{"aws:SOURCEIP":"192.0.2.0/24"}}}]}`}}),
		[]string{"aws:CurrentTime", "aws:MultiFactorAuthPresent", "aws:PrincipalTag/team", "aws:SourceIp", "aws:username"}; !slices.Equal(got, want) {
		t.Fatalf("user: %q, want %q", got, want)
	}
	if got, want := keys(&awsiam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + a + ":role/app")}),
		[]string{"aws:RequestedRegion"}; !slices.Equal(got, want) {
		t.Fatalf("role: %q, want %q", got, want)
	}
	if got, want := keys(&awsiam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + a + ":group/Devs")}),
		[]string{"aws:SourceIp"}; !slices.Equal(got, want) {
		t.Fatalf("group: %q, want %q", got, want)
	}
	for _, tc := range []struct {
		name, source, code string
	}{
		{"no such user", "arn:aws:iam::" + a + ":user/nobody", "NoSuchEntity"},
		{"another account's user", "arn:aws:iam::444455556666:user/alice", "NoSuchEntity"},
		{"not an IAM entity", "arn:aws:s3:::bucket", "InvalidInput"},
		{"missing source", "", "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &awsiam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(tc.source)}
			_, err := e.IAM.GetContextKeysForPrincipalPolicy(ctx, in)
			testutil.WantCode(t, err, tc.code)
		})
	}
	// It is authorized on the entity it reads, as SimulatePrincipalPolicy is.
	bob, _ := e.UserClients("bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetContextKeysForPrincipalPolicy","Resource":"arn:aws:iam::`+a+`:role/app"}]}`)
	if _, err := bob.GetContextKeysForPrincipalPolicy(ctx, &awsiam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + a + ":role/app")}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.GetContextKeysForPrincipalPolicy(ctx, &awsiam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(alice)})
	testutil.WantCode(t, err, "AccessDenied")
}
