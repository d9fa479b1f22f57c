package iamapi_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil/servertest"
)

// IAM's listing operations leave out attributes the Get operations answer: ListUsers
// PermissionsBoundary and Tags, ListRoles PermissionsBoundary, RoleLastUsed and Tags (IAM API
// Reference, ListUsers and ListRoles: "This operation does not return the following attributes");
// CreatePolicy's answer has no Description.
func TestListingsLeaveOutWhatAWSLeavesOut(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := e.IAM
	boundary := aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")
	tags := []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}
	if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u"), PermissionsBoundary: boundary, Tags: tags}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(ec2Trust), PermissionsBoundary: boundary, Tags: tags}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ action, name string }{{"ListUsers", "u"}, {"ListRoles", "r"}} {
		t.Run(tc.action, func(t *testing.T) {
			status, body := adminQuery(t, e, url.Values{"Action": {tc.action}, "Version": {"2010-05-08"}})
			if status != 200 || !strings.Contains(body, "<"+strings.TrimPrefix(tc.action, "List")[:4]) {
				t.Fatalf("%s = %d %s", tc.action, status, body)
			}
			for _, absent := range []string{"<PermissionsBoundary>", "<Tags>", "<RoleLastUsed>"} {
				if strings.Contains(body, absent) {
					t.Errorf("%s answers %s; AWS leaves it out: %s", tc.action, absent, body)
				}
			}
		})
	}
	g, err := c.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("u")})
	if err != nil || g.User.PermissionsBoundary == nil || len(g.User.Tags) != 1 {
		t.Errorf("GetUser still answers the boundary and tags: %+v, %v", g, err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
	status, body := adminQuery(t, e, url.Values{"Action": {"CreatePolicy"}, "Version": {"2010-05-08"}, "PolicyName": {"p"},
		"PolicyDocument": {doc}, "Description": {"described"}})
	if status != 200 || strings.Contains(body, "<Description>") {
		t.Errorf("CreatePolicy = %d %s; want no Description", status, body)
	}
	gp, err := c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + e.Account.ID + ":policy/p")})
	if err != nil || aws.ToString(gp.Policy.Description) != "described" {
		t.Errorf("GetPolicy = %+v, %v; want the Description", gp, err)
	}
}
