package orgsapi_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestEffectivePolicies: tag policies attached at the root and the OU merge into the member's
// effective policy; a lower policy that breaks a higher one's child control is reported as a
// validation error, and its account listed (Organizations API Reference, DescribeEffectivePolicy,
// ListEffectivePolicyValidationErrors, ListAccountsWithInvalidEffectivePolicy).
func TestEffectivePolicies(t *testing.T) {
	t.Parallel()
	s := newSCPEnv(t)
	ctx := servertest.Ctx(t)
	create := func(name, content string) string {
		p, err := s.m.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name),
			Type: otypes.PolicyTypeTagPolicy, Content: aws.String(content)})
		if err != nil {
			t.Fatal(err)
		}
		return *p.Policy.PolicySummary.Id
	}
	root := create("cost-center", `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter","@@operators_allowed_for_child_policies":["@@none"]},"tag_value":{"@@assign":["100"]}}}}`)
	ou := create("cost-center-ou", `{"tags":{"costcenter":{"tag_key":{"@@assign":"costcenter"},"tag_value":{"@@append":["200"]}}}}`)
	_, err := s.m.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(root), TargetId: aws.String(s.rootID)})
	testutil.WantCode(t, err, "PolicyTypeNotEnabledException")
	if _, err := s.m.Orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(s.rootID), PolicyType: otypes.PolicyTypeTagPolicy}); err != nil {
		t.Fatal(err)
	}
	s.attach(root, s.rootID)
	s.attach(ou, s.ouID)

	want := `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["100","200"]}}}`
	for name, c := range map[string]struct {
		caller servertest.Caller
		target *string
	}{"management": {s.m, aws.String(s.dev)}, "the member itself": {s.devAdmin, nil}} {
		out, err := c.caller.Orgs.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: otypes.EffectivePolicyTypeTagPolicy, TargetId: c.target})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got, w any
		_ = json.Unmarshal([]byte(aws.ToString(out.EffectivePolicy.PolicyContent)), &got)
		_ = json.Unmarshal([]byte(want), &w)
		if !reflect.DeepEqual(got, w) || aws.ToString(out.EffectivePolicy.TargetId) != s.dev || out.EffectivePolicy.LastUpdatedTimestamp == nil {
			t.Errorf("%s: effective policy %+v, want content %s", name, out.EffectivePolicy, want)
		}
	}
	_, err = s.m.Orgs.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: otypes.EffectivePolicyTypeBackupPolicy, TargetId: aws.String(s.dev)})
	testutil.WantCode(t, err, "EffectivePolicyNotFoundException")

	errs, err := s.m.Orgs.ListEffectivePolicyValidationErrors(ctx, &organizations.ListEffectivePolicyValidationErrorsInput{AccountId: aws.String(s.dev), PolicyType: otypes.EffectivePolicyTypeTagPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs.EffectivePolicyValidationErrors) != 1 || aws.ToString(errs.EffectivePolicyValidationErrors[0].PathToError) != "/tags/costcenter/tag_key" ||
		!reflect.DeepEqual(errs.EffectivePolicyValidationErrors[0].ContributingPolicies, []string{ou}) {
		t.Errorf("validation errors: %+v", errs.EffectivePolicyValidationErrors)
	}
	bad, err := s.m.Orgs.ListAccountsWithInvalidEffectivePolicy(ctx, &organizations.ListAccountsWithInvalidEffectivePolicyInput{PolicyType: otypes.EffectivePolicyTypeTagPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if len(bad.Accounts) != 1 || aws.ToString(bad.Accounts[0].Id) != s.dev {
		t.Errorf("accounts with invalid effective policy: %+v", bad.Accounts)
	}
}

// TestRefusedOrganizationsOperations: GovCloud accounts and billing responsibility transfers are
// refused with Organizations' UnsupportedAPIEndpointException, after authorization.
func TestRefusedOrganizationsOperations(t *testing.T) {
	t.Parallel()
	s := newSCPEnv(t)
	ctx := servertest.Ctx(t)
	_, err := s.m.Orgs.CreateGovCloudAccount(ctx, &organizations.CreateGovCloudAccountInput{AccountName: aws.String("gov"), Email: aws.String("gov@example.com")})
	testutil.WantCode(t, err, "UnsupportedAPIEndpointException")
	_, err = s.m.Orgs.ListInboundResponsibilityTransfers(ctx, &organizations.ListInboundResponsibilityTransfersInput{Type: otypes.ResponsibilityTransferTypeBilling})
	testutil.WantCode(t, err, "UnsupportedAPIEndpointException")
	nobody := s.UserIn(s.Account.ID, "nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)
	_, err = nobody.Orgs.CreateGovCloudAccount(ctx, &organizations.CreateGovCloudAccountInput{AccountName: aws.String("gov"), Email: aws.String("gov@example.com")})
	testutil.WantCode(t, err, "AccessDeniedException")
}
