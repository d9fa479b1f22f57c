package iamapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestIAMNamesWithControlCharacters checks that a name holding NUL or a control character answers
// IAM's ValidationError for the parameter's pattern on every operation, also those that look the
// entity up first (where a NoSuchEntity would tell the caller nothing about the input), and that a
// role Description follows its pattern.
func TestIAMNamesWithControlCharacters(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	const bad = "a\x00b"
	cases := []struct {
		name string
		call func() error
	}{
		{"ListAccessKeys", func() error {
			_, err := e.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String(bad)})
			return err
		}},
		{"ListMFADevices", func() error {
			_, err := e.IAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: aws.String(bad)})
			return err
		}},
		{"ListGroupsForUser", func() error {
			_, err := e.IAM.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("x\x1b")})
			return err
		}},
		{"ListAttachedUserPolicies", func() error {
			_, err := e.IAM.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String(bad)})
			return err
		}},
		{"ListRolePolicies", func() error {
			_, err := e.IAM.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String(bad)})
			return err
		}},
		{"DeleteRole", func() error {
			_, err := e.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String(bad)})
			return err
		}},
		{"ListGroupPolicies", func() error {
			_, err := e.IAM.ListGroupPolicies(ctx, &awsiam.ListGroupPoliciesInput{GroupName: aws.String(bad)})
			return err
		}},
		{"CreateRole Description", func() error {
			_, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), Description: aws.String("x\x00y"), AssumeRolePolicyDocument: aws.String(tagTestTrust)})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			testutil.WantCode(t, err, "ValidationError")
		})
	}
	if _, err := e.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")}); err == nil {
		t.Fatal("the role with a refused Description was created")
	}
}
