package iamapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestRefusedIAMOperations: role templates and partner
// delegation requests answer their documented refusals (refused.go), after authorization.
func TestRefusedIAMOperations(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	_, err := e.IAM.GetRoleTemplateVersion(ctx, &awsiam.GetRoleTemplateVersionInput{TemplateArn: aws.String("arn:aws:iam::aws:role-template/x")})
	testutil.WantCode(t, err, "RoleTemplateDisabled")
	_, err = e.IAM.GetDelegationRequest(ctx, &awsiam.GetDelegationRequestInput{DelegationRequestId: aws.String("abcdefghijkl")})
	testutil.WantCode(t, err, "NoSuchEntity")
	list, err := e.IAM.ListDelegationRequests(ctx, &awsiam.ListDelegationRequestsInput{})
	if err != nil || len(list.DelegationRequests) != 0 {
		t.Fatalf("ListDelegationRequests = %+v, %v; want none", list, err)
	}
	nobody, _ := e.UserClients("nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)
	_, err = nobody.GetRoleTemplateVersion(ctx, &awsiam.GetRoleTemplateVersionInput{TemplateArn: aws.String("arn:aws:iam::aws:role-template/x")})
	testutil.WantCode(t, err, "AccessDenied")
}
