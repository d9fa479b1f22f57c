package orgs

import (
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
)

// ImportAccounts makes members as CreateAccount does (listed, described, in the root inventory);
// a caller that is not the management account creates nothing.
func TestImportAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.org.CreateOrganization(e.ctx, e.mgmt, ""); err != nil {
		t.Fatal(err)
	}
	in := []iam.ImportAccount{{Name: "one", Email: "one@example.com"}, {Name: "two", Email: "two@example.com"}}
	accts, err := e.org.ImportAccounts(e.ctx, e.mgmt, in)
	if err != nil || len(accts) != 2 {
		t.Fatalf("got %+v, %v; want two members", accts, err)
	}
	for _, a := range accts {
		got, err := e.org.DescribeAccount(e.ctx, e.mgmt, a.ID)
		if err != nil || got.Name != a.Name || got.Status != StatusActive || got.JoinedMethod != JoinedCreated {
			t.Errorf("DescribeAccount %s: got %+v, %v; want %s ACTIVE CREATED", a.ID, got, err, a.Name)
		}
	}
	inv, err := e.org.RootInventory(e.ctx, e.mgmt)
	if err != nil || len(inv.Accounts) != 3 {
		t.Fatalf("RootInventory: got %+v, %v; want the management account and two members", inv, err)
	}
	if mgmt, err := e.org.ManagementAccount(e.ctx); err != nil || mgmt != e.mgmt {
		t.Errorf("ManagementAccount: got %q, %v; want %s", mgmt, err, e.mgmt)
	}
	_, err = e.org.ImportAccounts(e.ctx, accts[0].ID, []iam.ImportAccount{{Name: "three", Email: "three@example.com"}})
	if !awserr.IsCode(err, awserr.OrgsAccessDenied) {
		t.Fatalf("a member importing: got %v, want AccessDeniedException", err)
	}
	if _, err := e.iam.AccountByRootEmail(e.ctx, "three@example.com"); !awserr.IsCode(err, awserr.NoSuchEntity) {
		t.Errorf("account three after the refused import: got %v, want NoSuchEntity", err)
	}
}
