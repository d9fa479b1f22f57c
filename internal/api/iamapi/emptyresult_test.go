package iamapi_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/testutil/servertest"
)

// UpdateRole's output shape is an empty structure: IAM answers <UpdateRoleResult/>, which
// aws-sdk-go-v2 reads; without it the SDK failed ("deserialization failed, EOF") although the
// change was applied. (internal/api/services TestResultElementsFollowTheModel checks every
// operation's result element against the SDK's model.)
func TestUpdateRoleAnswersItsEmptyResult(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("r"), MaxSessionDuration: aws.Int32(7200), Description: aws.String("d")}); err != nil {
		t.Fatalf("UpdateRole: %v, want success", err)
	}
	g, err := e.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")})
	if err != nil || *g.Role.MaxSessionDuration != 7200 || aws.ToString(g.Role.Description) != "d" {
		t.Fatalf("GetRole = %+v, %v; want MaxSessionDuration 7200 and Description d", g, err)
	}
	status, body := adminQuery(t, e, url.Values{"Action": {"UpdateRole"}, "Version": {"2010-05-08"}, "RoleName": {"r"}, "Description": {"e"}})
	if status != 200 || !strings.Contains(body, "<UpdateRoleResult></UpdateRoleResult>") {
		t.Errorf("UpdateRole answer = %d %s, want 200 with an empty UpdateRoleResult", status, body)
	}
}
