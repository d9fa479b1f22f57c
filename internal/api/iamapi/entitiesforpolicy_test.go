package iamapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestListEntitiesForPolicyIDsAndUsage: the entities come with their unique IDs, and
// PolicyUsageFilter=PermissionsBoundary lists the users and roles whose boundary the policy is
// instead of those it is attached to (IAM API Reference, ListEntitiesForPolicy).
func TestListEntitiesForPolicyIDsAndUsage(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	p, err := e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("fence"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	attached, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("attached")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("attached"), PolicyArn: p.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	fenced, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("Fenced"), PermissionsBoundary: p.Policy.Arn})
	if err != nil {
		t.Fatal(err)
	}
	role, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("fenced-role"), PermissionsBoundary: p.Policy.Arn,
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:root"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	list := func(usage iamtypes.PolicyUsageType, filter iamtypes.EntityType) *awsiam.ListEntitiesForPolicyOutput {
		t.Helper()
		out, err := e.IAM.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: p.Policy.Arn, PolicyUsageFilter: usage, EntityFilter: filter})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	perm := list("", "")
	if len(perm.PolicyUsers) != 1 || aws.ToString(perm.PolicyUsers[0].UserName) != "attached" || aws.ToString(perm.PolicyUsers[0].UserId) != aws.ToString(attached.User.UserId) ||
		len(perm.PolicyRoles) != 0 {
		t.Errorf("attached entities: %+v", perm)
	}
	bound := list(iamtypes.PolicyUsageTypePermissionsBoundary, "")
	if len(bound.PolicyUsers) != 1 || aws.ToString(bound.PolicyUsers[0].UserName) != "Fenced" || aws.ToString(bound.PolicyUsers[0].UserId) != aws.ToString(fenced.User.UserId) ||
		len(bound.PolicyRoles) != 1 || aws.ToString(bound.PolicyRoles[0].RoleId) != aws.ToString(role.Role.RoleId) || !strings.HasPrefix(aws.ToString(bound.PolicyRoles[0].RoleId), "AROA") {
		t.Errorf("boundary entities: %+v", bound)
	}
	if roles := list(iamtypes.PolicyUsageTypePermissionsBoundary, iamtypes.EntityTypeRole); len(roles.PolicyUsers) != 0 || len(roles.PolicyRoles) != 1 {
		t.Errorf("boundary entities, roles only: %+v", roles)
	}
	_, err = e.IAM.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: p.Policy.Arn, PolicyUsageFilter: "Sometimes"})
	testutil.WantCode(t, err, "ValidationError")
}
