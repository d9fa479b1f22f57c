package iamapi_test

import (
	"reflect"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestListPoliciesGrantingServiceAccess: per namespace, the managed policies (by ARN) and inline
// policies (by the entity they are attached to) of a user, its groups, a group or a role that
// allow an action of the service (IAM API Reference, ListPoliciesGrantingServiceAccess).
func TestListPoliciesGrantingServiceAccess(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("Devs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("Devs"), UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	s3Read := e.ManagedPolicy("s3-read", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`)
	for _, step := range []func() error{
		func() error {
			_, err := e.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("iam-list"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}`)})
			return err
		},
		func() error {
			_, err := e.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(s3Read)})
			return err
		},
		func() error { // attached twice (user and group): listed once
			_, err := e.IAM.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("Devs"), PolicyArn: aws.String(s3Read)})
			return err
		},
		func() error {
			_, err := e.IAM.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("Devs"), PolicyName: aws.String("all-but-deny"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"sts:*","Resource":"*"},{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`)})
			return err
		},
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	list := func(arn string, ns ...string) map[string][]string {
		t.Helper()
		out, err := e.IAM.ListPoliciesGrantingServiceAccess(ctx, &awsiam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(arn), ServiceNamespaces: ns})
		if err != nil {
			t.Fatal(err)
		}
		if out.IsTruncated {
			t.Errorf("IsTruncated: got true, want false")
		}
		got := map[string][]string{}
		for _, entry := range out.PoliciesGrantingServiceAccess {
			names := []string{}
			for _, p := range entry.Policies {
				name := string(p.PolicyType) + ":" + aws.ToString(p.PolicyName)
				if p.PolicyArn != nil {
					name += "@" + *p.PolicyArn
				}
				if p.EntityType != "" {
					name += "@" + string(p.EntityType) + "/" + aws.ToString(p.EntityName)
				}
				names = append(names, name)
			}
			sort.Strings(names)
			got[aws.ToString(entry.ServiceNamespace)] = names
		}
		return got
	}
	userARN := "arn:aws:iam::" + acct + ":user/alice"
	for _, tc := range []struct {
		name, arn string
		ns        []string
		want      map[string][]string
	}{
		{"user with its groups", userARN, []string{"iam", "s3", "sts", "ec2"}, map[string][]string{
			"iam": {"INLINE:all-but-deny@GROUP/Devs", "INLINE:iam-list@USER/alice"},
			"s3":  {"INLINE:all-but-deny@GROUP/Devs", "MANAGED:s3-read@" + s3Read},
			"sts": {}, // NotAction sts:* allows none of STS's actions
			"ec2": {"INLINE:all-but-deny@GROUP/Devs"},
		}},
		{"group", "arn:aws:iam::" + acct + ":group/Devs", []string{"s3", "lambda"}, map[string][]string{
			"s3":     {"INLINE:all-but-deny@GROUP/Devs", "MANAGED:s3-read@" + s3Read},
			"lambda": {"INLINE:all-but-deny@GROUP/Devs"},
		}},
		{"role without policies", e.Role("empty", "arn:aws:iam::"+acct+":root", "", false), []string{"iam"}, map[string][]string{"iam": {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := list(tc.arn, tc.ns...); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name, arn, ns, code string
	}{
		{"unknown user", "arn:aws:iam::" + acct + ":user/nobody", "iam", "NoSuchEntity"},
		{"another account", "arn:aws:iam::111122223333:user/alice", "iam", "InvalidInput"},
		{"a policy", s3Read, "iam", "InvalidInput"},
		{"bad namespace", userARN, "s3:Get", "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.IAM.ListPoliciesGrantingServiceAccess(ctx, &awsiam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(tc.arn), ServiceNamespaces: []string{tc.ns}})
			testutil.WantCode(t, err, tc.code)
		})
	}
}

// TestAccountProperties: an account has no properties (Rootward offers no Role Manager), and
// setting one is refused after the keys are checked as the model constrains them
// (accountprops.go); GetHumanReadableSummary answers for delegation requests, of which there are
// none (refused.go).
func TestAccountProperties(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	got, err := e.IAM.GetAccountProperties(ctx, &awsiam.GetAccountPropertiesInput{})
	if err != nil || len(got.Properties) != 0 {
		t.Fatalf("GetAccountProperties: got %+v, %v; want no properties", got, err)
	}
	for _, tc := range []struct {
		name  string
		props map[string]string
		code  string
	}{
		{"unknown property", map[string]string{"RoleManager/Enabled": "true"}, "InvalidInput"},
		{"no namespace", map[string]string{"Enabled": "true"}, "InvalidInput"},
		{"two slashes", map[string]string{"Role/Manager/Enabled": "true"}, "InvalidInput"},
		{"trailing slash", map[string]string{"RoleManager/": "true"}, "InvalidInput"},
		{"two namespaces", map[string]string{"A/x": "1", "B/y": "2"}, "InvalidInput"},
		{"bad key pattern", map[string]string{"1A/x": "1"}, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.IAM.PutAccountProperties(ctx, &awsiam.PutAccountPropertiesInput{Properties: tc.props})
			testutil.WantCode(t, err, tc.code)
		})
	}
	if got, err := e.IAM.GetAccountProperties(ctx, &awsiam.GetAccountPropertiesInput{}); err != nil || len(got.Properties) != 0 {
		t.Fatalf("GetAccountProperties after the refusals: got %+v, %v; want no properties", got, err)
	}
	_, err = e.IAM.GetHumanReadableSummary(ctx, &awsiam.GetHumanReadableSummaryInput{EntityArn: aws.String("arn:aws:iam::" + e.Account.ID + ":delegation-request/abcdefghijkl")})
	testutil.WantCode(t, err, "NoSuchEntity")
	_, err = e.IAM.GetHumanReadableSummary(ctx, &awsiam.GetHumanReadableSummaryInput{EntityArn: aws.String("arn:aws:iam::" + e.Account.ID + ":user/alice")})
	testutil.WantCode(t, err, "InvalidInput")
}
