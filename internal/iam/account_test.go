package iam

import (
	"testing"

	"github.com/rootward/rootward/internal/store"
)

// Accounts returns every account, past the 1,000 a single page holds, and AccountCount agrees.
func TestAccountsListsThemAll(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	const extra = 1001
	err := e.svc.st.Update(e.ctx, func(tx store.Tx) error {
		for i := range extra {
			a := Account{ID: newAccountID(), Name: "bulk", Email: "bulk" + itoa(i) + "@example.com"}
			if err := accounts.Insert(tx, "", a.ID, accountRecordOf(&a)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all, err := e.svc.Accounts(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.AccountCount(e.ctx)
	if err != nil || n != len(all) || len(all) < extra+1 {
		t.Fatalf("Accounts = %d, AccountCount = %d, %v; want at least %d", len(all), n, err, extra+1)
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].ID >= all[i].ID {
			t.Fatalf("accounts out of order at %d", i)
		}
	}
}
