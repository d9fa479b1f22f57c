package server_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestOrganizationsUnknownServicePrincipal checks that the trusted-access and delegated
// administrator operations know AWS's list of services that support trusted access: a made-up
// principal that merely looks like one answers InvalidInputException UNRECOGNIZED_SERVICE_PRINCIPAL.
func TestOrganizationsUnknownServicePrincipal(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	e.NewOrg(m)
	sec := e.CreateMember(m, "security")
	const bogus = "made-up.amazonaws.com"
	cases := []struct {
		name string
		call func() error
	}{
		{"EnableAWSServiceAccess", func() error {
			_, err := m.Orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(bogus)})
			return err
		}},
		{"DisableAWSServiceAccess", func() error {
			_, err := m.Orgs.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(bogus)})
			return err
		}},
		{"RegisterDelegatedAdministrator", func() error {
			_, err := m.Orgs.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(sec), ServicePrincipal: aws.String(bogus)})
			return err
		}},
		{"DeregisterDelegatedAdministrator", func() error {
			_, err := m.Orgs.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(sec), ServicePrincipal: aws.String(bogus)})
			return err
		}},
		{"ListDelegatedAdministrators", func() error {
			_, err := m.Orgs.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(bogus)})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			servertest.WantReason(t, tc.call(), "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL")
		})
	}
	for _, p := range []string{"sso.amazonaws.com", "member.org.stacksets.cloudformation.amazonaws.com", "account.amazonaws.com"} {
		if _, err := m.Orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p)}); err != nil {
			t.Errorf("EnableAWSServiceAccess(%s): %v", p, err)
		}
	}
}

// TestOrganizationsNamePatterns checks CreateAccount's AccountName ([\u0020-\u007E]+) and Email
// ([^\s@]+@[^\s@]+\.[^\s@]+) patterns, and that OU and policy names and descriptions refuse NUL and
// control characters; each answers InvalidInputException INVALID_PATTERN and creates nothing.
func TestOrganizationsNamePatterns(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	rootID := e.NewOrg(m)
	if _, err := m.Orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: otypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	const scp = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`
	cases := []struct {
		name string
		call func() error
	}{
		{"AccountName with NUL", func() error {
			_, err := m.Orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev\x00ops"), Email: aws.String("devops@example.com")})
			return err
		}},
		{"AccountName with a tab", func() error {
			_, err := m.Orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev\tops"), Email: aws.String("devops@example.com")})
			return err
		}},
		{"AccountName outside printable ASCII", func() error {
			_, err := m.Orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("développement"), Email: aws.String("devops@example.com")})
			return err
		}},
		{"Email without a domain dot", func() error {
			_, err := m.Orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev"), Email: aws.String("dev@localhost")})
			return err
		}},
		{"Email with NUL", func() error {
			_, err := m.Orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev"), Email: aws.String("dev\x00@example.com")})
			return err
		}},
		{"OU name with a control character", func() error {
			_, err := m.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("ops\x1b[2J")})
			return err
		}},
		{"policy name with NUL", func() error {
			_, err := m.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("deny\x00s3"), Description: aws.String("d"), Content: aws.String(scp), Type: otypes.PolicyTypeServiceControlPolicy})
			return err
		}},
		{"policy description with a control character", func() error {
			_, err := m.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("deny-s3"), Description: aws.String("a\x07b"), Content: aws.String(scp), Type: otypes.PolicyTypeServiceControlPolicy})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			servertest.WantReason(t, tc.call(), "InvalidInputException", "INVALID_PATTERN")
		})
	}
	accts, err := m.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil || len(accts.Accounts) != 1 {
		t.Fatalf("ListAccounts = %+v, %v; want the management account only", accts, err)
	}
	if _, err := m.Orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("Dev Ops ~ 2"), Email: aws.String("dev.ops+2@example.com")}); err != nil {
		t.Fatalf("valid CreateAccount refused: %v", err)
	}
}

// TestPageSizeBounds checks IAM's MaxItems (1–1000: ValidationError) and Organizations' MaxResults
// (1–20: InvalidInputException MIN_VALUE_EXCEEDED / MAX_VALUE_EXCEEDED) on list operations,
// including an explicit 0 and operations that answer in one page.
func TestPageSizeBounds(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	rootID := e.NewOrg(m)
	iamCases := []struct {
		name string
		call func() error
	}{
		{"ListUsers MaxItems 0", func() error {
			_, err := e.IAM.ListUsers(ctx, &awsiam.ListUsersInput{MaxItems: aws.Int32(0)})
			return err
		}},
		{"ListRoles MaxItems 1001", func() error {
			_, err := e.IAM.ListRoles(ctx, &awsiam.ListRolesInput{MaxItems: aws.Int32(1001)})
			return err
		}},
		{"ListEntitiesForPolicy MaxItems 0", func() error {
			_, err := e.IAM.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess"), MaxItems: aws.Int32(0)})
			return err
		}},
		{"ListAccountAliases MaxItems 1001", func() error {
			_, err := e.IAM.ListAccountAliases(ctx, &awsiam.ListAccountAliasesInput{MaxItems: aws.Int32(1001)})
			return err
		}},
	}
	for _, tc := range iamCases {
		t.Run(tc.name, func(t *testing.T) { testutil.WantCode(t, tc.call(), "ValidationError") })
	}
	orgCases := []struct {
		name, reason string
		call         func() error
	}{
		{"ListAccounts MaxResults 0", "MIN_VALUE_EXCEEDED", func() error {
			_, err := m.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(0)})
			return err
		}},
		{"ListChildren MaxResults 21", "MAX_VALUE_EXCEEDED", func() error {
			_, err := m.Orgs.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String(rootID), ChildType: otypes.ChildTypeAccount, MaxResults: aws.Int32(21)})
			return err
		}},
		{"ListRoots MaxResults 0", "MIN_VALUE_EXCEEDED", func() error {
			_, err := m.Orgs.ListRoots(ctx, &organizations.ListRootsInput{MaxResults: aws.Int32(0)})
			return err
		}},
		{"ListAWSServiceAccessForOrganization MaxResults 21", "MAX_VALUE_EXCEEDED", func() error {
			_, err := m.Orgs.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{MaxResults: aws.Int32(21)})
			return err
		}},
	}
	for _, tc := range orgCases {
		t.Run(tc.name, func(t *testing.T) { servertest.WantReason(t, tc.call(), "InvalidInputException", tc.reason) })
	}
	if _, err := m.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(20)}); err != nil {
		t.Fatalf("ListAccounts MaxResults 20: %v", err)
	}
}
