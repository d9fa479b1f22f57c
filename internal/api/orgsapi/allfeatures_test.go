package orgsapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestEnableAllFeatures: a consolidated-billing organization moves to all features once every
// invited account approves and the management account accepts its own handshake; accounts
// created in the organization need not approve (API Reference, EnableAllFeatures).
func TestEnableAllFeatures(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	if _, err := m.Orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: otypes.OrganizationFeatureSetConsolidatedBilling}); err != nil {
		t.Fatal(err)
	}
	e.CreateMember(m, "created")
	guest := e.Standalone("guest")
	inv, err := m.Orgs.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(guest.Account), Type: otypes.HandshakePartyTypeAccount}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := guest.Orgs.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: inv.Handshake.Id}); err != nil {
		t.Fatal(err)
	}
	member := e.UserIn(guest.Account, "operator", "")
	_, err = member.Orgs.EnableAllFeatures(ctx, &organizations.EnableAllFeaturesInput{})
	testutil.WantCode(t, err, "AccessDeniedException")

	out, err := m.Orgs.EnableAllFeatures(ctx, &organizations.EnableAllFeaturesInput{})
	if err != nil {
		t.Fatal(err)
	}
	parent := out.Handshake
	if parent.Action != otypes.ActionTypeEnableAllFeatures || parent.State != otypes.HandshakeStateRequested {
		t.Fatalf("EnableAllFeatures handshake = %+v", parent)
	}
	_, err = m.Orgs.EnableAllFeatures(ctx, &organizations.EnableAllFeaturesInput{})
	testutil.WantCode(t, err, "DuplicateHandshakeException")
	// Not yet: the invited account has not approved.
	_, err = m.Orgs.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: parent.Id})
	testutil.WantCode(t, err, "InvalidHandshakeTransitionException")

	mine, err := guest.Orgs.ListHandshakesForAccount(ctx, &organizations.ListHandshakesForAccountInput{
		Filter: &otypes.HandshakeFilter{ActionType: otypes.ActionTypeApproveAllFeatures}})
	if err != nil || len(mine.Handshakes) != 1 {
		t.Fatalf("approval handshakes of the invited account: %+v, %v", mine, err)
	}
	if _, err := guest.Orgs.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: mine.Handshakes[0].Id}); err != nil {
		t.Fatal(err)
	}
	desc, err := m.Orgs.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: parent.Id})
	if err != nil || desc.Handshake.State != otypes.HandshakeStateOpen {
		t.Fatalf("parent after the approval: %+v, %v", desc, err)
	}
	_, err = m.Orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootOf(t, m)), PolicyType: otypes.PolicyTypeServiceControlPolicy})
	testutil.WantCode(t, err, "PolicyTypeNotAvailableForOrganizationException")
	if _, err := m.Orgs.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: parent.Id}); err != nil {
		t.Fatal(err)
	}
	org, err := m.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil || org.Organization.FeatureSet != otypes.OrganizationFeatureSetAll {
		t.Fatalf("feature set after the change: %+v, %v", org, err)
	}
	if _, err := m.Orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootOf(t, m)), PolicyType: otypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	_, err = m.Orgs.EnableAllFeatures(ctx, &organizations.EnableAllFeaturesInput{})
	testutil.WantCode(t, err, "HandshakeConstraintViolationException")
}

func rootOf(t *testing.T, m servertest.Caller) string {
	t.Helper()
	roots, err := m.Orgs.ListRoots(servertest.Ctx(t), &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("ListRoots = %+v, %v", roots, err)
	}
	return aws.ToString(roots.Roots[0].Id)
}
