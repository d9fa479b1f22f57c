package orgsapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestRCPsBindAssumeRole: a resource control policy attached above a member account binds every
// principal that assumes the account's roles — one outside the organization is refused with AWS's
// wording, one inside is not — and detaching it lifts the refusal (Organizations User Guide,
// "Resource control policies (RCPs)").
func TestRCPsBindAssumeRole(t *testing.T) {
	t.Parallel()
	s := newSCPEnv(t)
	ctx := servertest.Ctx(t)
	outsider, err := s.Svc.CreateAccount(context.Background(), "outside", "outside+"+strings.ToLower(t.Name())+"@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	mallory := s.UserIn(outsider.ID, "mallory", "")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::` + outsider.ID + `:root","arn:aws:iam::` + s.Account.ID + `:root"]},"Action":"sts:AssumeRole"}]}`
	role, err := s.devAdmin.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("shared"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	assume := func(c servertest.Caller) error {
		_, err := c.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("probe")})
		return err
	}
	testutil.WantCode(t, assume(mallory), "")

	if _, err := s.m.Orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(s.rootID), PolicyType: otypes.PolicyTypeResourceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	// RCPFullAWSAccess alone changes nothing.
	testutil.WantCode(t, assume(mallory), "")
	p, err := s.m.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("org-only"), Description: aws.String("only the organization assumes our roles"),
		Type: otypes.PolicyTypeResourceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*",
			"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"` + s.orgID + `"}}}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(aws.ToString(p.Policy.PolicySummary.Arn), "/resource_control_policy/") {
		t.Errorf("RCP ARN %s", aws.ToString(p.Policy.PolicySummary.Arn))
	}
	s.attach(*p.Policy.PolicySummary.Id, s.ouID)
	err = assume(mallory)
	testutil.WantCode(t, err, "AccessDenied")
	if err == nil || !strings.Contains(err.Error(), "with an explicit deny in a resource control policy") {
		t.Errorf("refusal: %v, want it to name the resource control policy", err)
	}
	testutil.WantCode(t, assume(s.m), "")
	// RCPFullAWSAccess cannot be detached; the customer RCP can.
	_, err = s.m.Orgs.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-RCPFullAWSAccess"), TargetId: aws.String(s.dev)})
	testutil.WantCode(t, err, "ConstraintViolationException")
	s.detach(*p.Policy.PolicySummary.Id, s.ouID)
	testutil.WantCode(t, assume(mallory), "")
}
