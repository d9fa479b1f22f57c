package orgsapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestResourcePolicyDelegatesPolicyManagement: the organization's resource policy lets a member
// account manage policies — only the actions it names, only for the principals it names — and
// deleting it takes that away (Organizations User Guide, "Delegated administrator for AWS
// Organizations").
func TestResourcePolicyDelegatesPolicyManagement(t *testing.T) {
	t.Parallel()
	s := newSCPEnv(t)
	ctx := servertest.Ctx(t)
	_, err := s.m.Orgs.DescribeResourcePolicy(ctx, &organizations.DescribeResourcePolicyInput{})
	testutil.WantCode(t, err, "ResourcePolicyNotFoundException")
	scp := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`
	create := func(c servertest.Caller, name string) error {
		_, err := c.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name),
			Type: otypes.PolicyTypeServiceControlPolicy, Content: aws.String(scp)})
		return err
	}
	testutil.WantCode(t, create(s.devAdmin, "before"), "AccessDeniedException")

	// A resource policy names its principals.
	_, err = s.m.Orgs.PutResourcePolicy(ctx, &organizations.PutResourcePolicyInput{Content: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":"organizations:CreatePolicy","Resource":"*"}]}`)})
	testutil.WantCode(t, err, "MalformedPolicyDocumentException")
	put, err := s.m.Orgs.PutResourcePolicy(ctx, &organizations.PutResourcePolicyInput{Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"DelegatePolicies",` +
		`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + s.dev + `:root"},"Action":["organizations:CreatePolicy","organizations:DescribePolicy","organizations:ListPolicies"],"Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(put.ResourcePolicy.ResourcePolicySummary.Id)
	if len(id) != 11 || aws.ToString(put.ResourcePolicy.ResourcePolicySummary.Arn) != "arn:aws:organizations::"+s.Account.ID+":resourcepolicy/"+s.orgID+"/"+id {
		t.Errorf("resource policy summary %+v", put.ResourcePolicy.ResourcePolicySummary)
	}
	testutil.WantCode(t, create(s.devAdmin, "delegated"), "")
	list, err := s.devAdmin.Orgs.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: otypes.PolicyTypeServiceControlPolicy})
	if err != nil || len(list.Policies) != 2 {
		t.Fatalf("ListPolicies as the delegate = %+v, %v", list, err)
	}
	// Actions the policy does not name stay the management account's.
	_, err = s.devAdmin.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: list.Policies[0].Id, TargetId: aws.String(s.ouID)})
	testutil.WantCode(t, err, "AccessDeniedException")
	// A principal whose own policies do not allow the action gets nothing from the delegation.
	weak := s.UserIn(s.dev, "weak", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:Describe*","Resource":"*"}]}`)
	testutil.WantCode(t, create(weak, "weak"), "AccessDeniedException")

	if _, err := s.m.Orgs.DeleteResourcePolicy(ctx, &organizations.DeleteResourcePolicyInput{}); err != nil {
		t.Fatal(err)
	}
	testutil.WantCode(t, create(s.devAdmin, "after"), "AccessDeniedException")
	_, err = s.m.Orgs.DeleteResourcePolicy(ctx, &organizations.DeleteResourcePolicyInput{})
	testutil.WantCode(t, err, "ResourcePolicyNotFoundException")
	_, err = s.devAdmin.Orgs.PutResourcePolicy(ctx, &organizations.PutResourcePolicyInput{Content: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + s.dev + `:root"},"Action":"organizations:*","Resource":"*"}]}`)})
	testutil.WantCode(t, err, "AccessDeniedException")
}
