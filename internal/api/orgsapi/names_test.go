package orgsapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestOrgsShowCurrentRootEmailAndName changes the management and a member account's root email
// and account name after the organization exists (as claiming the root user and `rootward root
// set-email` do) and reads them back through Organizations: it kept the values of the day the
// organization was created or the account joined (root@rootward.invalid before a claim).
func TestOrgsShowCurrentRootEmailAndName(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	rootID := e.NewOrg(m)
	member := e.CreateMember(m, "dev")
	renamed := map[string][2]string{ // account → name, email
		e.Account.ID: {"Acme management", "security@acme.example"},
		member:       {"Acme development", "dev-root@acme.example"},
	}
	for id, ne := range renamed {
		if err := e.Svc.SetAccountName(context.Background(), id, ne[0]); err != nil {
			t.Fatal(err)
		}
		if err := e.Svc.SetRootEmail(context.Background(), id, ne[1]); err != nil {
			t.Fatal(err)
		}
	}

	org, err := m.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(org.Organization.MasterAccountEmail), renamed[e.Account.ID][1]; got != want {
		t.Errorf("DescribeOrganization MasterAccountEmail = %q, want %q", got, want)
	}
	for id, ne := range renamed {
		t.Run("DescribeAccount "+id, func(t *testing.T) {
			out, err := m.Orgs.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			if got := [2]string{aws.ToString(out.Account.Name), aws.ToString(out.Account.Email)}; got != ne {
				t.Errorf("name, email = %q, want %q", got, ne)
			}
		})
	}
	// current checks a listing: every account, each with its current name and root email.
	current := func(t *testing.T, accounts []otypes.Account) {
		t.Helper()
		got := map[string][2]string{}
		for _, a := range accounts {
			got[aws.ToString(a.Id)] = [2]string{aws.ToString(a.Name), aws.ToString(a.Email)}
		}
		if len(got) != len(renamed) || got[e.Account.ID] != renamed[e.Account.ID] || got[member] != renamed[member] {
			t.Errorf("accounts (name, email) = %q, want %q", got, renamed)
		}
	}
	t.Run("ListAccounts", func(t *testing.T) {
		out, err := m.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{})
		if err != nil {
			t.Fatal(err)
		}
		current(t, out.Accounts)
	})
	t.Run("ListAccountsForParent", func(t *testing.T) {
		out, err := m.Orgs.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(rootID)})
		if err != nil {
			t.Fatal(err)
		}
		current(t, out.Accounts)
	})
}
