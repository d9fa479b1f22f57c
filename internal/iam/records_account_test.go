package iam

import (
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// TestMigrateBuildsAccountIndexes: accounts stored by the previous schema, whose root emails and
// aliases were hand-kept "rootemail" and "alias" objects, are found by email and alias once the
// store's Migrate has run; the old objects are gone, the installation-wide uniqueness holds over
// the migrated data, and an alias or email that moves releases the old value.
func TestMigrateBuildsAccountIndexes(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	if err := e.svc.CreateAccountAlias(e.ctx, acct, "acme-prod"); err != nil {
		t.Fatal(err)
	}
	unindex(t, e, []string{"account#email", "account#alias"}, []string{"account"}, func(tx store.Tx) error {
		if err := tx.Put("rootemail", "", "root@acme.example", []byte(`"`+acct+`"`)); err != nil {
			return err
		}
		return tx.Put("alias", "", "acme-prod", []byte(`"`+acct+`"`))
	})
	if a, err := e.svc.AccountByRootEmail(e.ctx, "Root@Acme.Example"); err != nil || a.ID != acct {
		t.Errorf("AccountByRootEmail after Migrate = %+v, %v; want %s", a, err, acct)
	}
	if a, err := e.svc.AccountByAlias(e.ctx, "acme-prod"); err != nil || a.ID != acct {
		t.Errorf("AccountByAlias after Migrate = %+v, %v; want %s", a, err, acct)
	}
	wantNone(t, e, "rootemail", "alias")
	other, err := e.svc.CreateAccount(e.ctx, "Other", "other@acme.example", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want awserr.Code // "" for success
	}{
		{"new account, taken email", func() error {
			_, err := e.svc.CreateAccount(e.ctx, "Again", "ROOT@acme.example", "")
			return err
		}, awserr.EntityAlreadyExists},
		{"taken alias", func() error { return e.svc.CreateAccountAlias(e.ctx, other.ID, "acme-prod") }, awserr.EntityAlreadyExists},
		{"taken email", func() error { return e.svc.SetRootEmail(e.ctx, other.ID, "root@ACME.example") }, awserr.EntityAlreadyExists},
		{"alias moves", func() error { return e.svc.CreateAccountAlias(e.ctx, acct, "acme-new") }, ""},
		{"old alias free", func() error { return e.svc.CreateAccountAlias(e.ctx, other.ID, "acme-prod") }, ""},
		{"email moves", func() error { return e.svc.SetRootEmail(e.ctx, acct, "new@acme.example") }, ""},
		{"old email free", func() error { return e.svc.SetRootEmail(e.ctx, other.ID, "root@acme.example") }, ""},
	}
	for _, tc := range tests {
		err := tc.call()
		if tc.want == "" && err != nil || tc.want != "" && !awserr.IsCode(err, tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	for _, c := range []struct{ by, value, want string }{
		{"email", "new@acme.example", acct}, {"email", "root@acme.example", other.ID},
		{"alias", "acme-new", acct}, {"alias", "acme-prod", other.ID},
	} {
		find := e.svc.AccountByRootEmail
		if c.by == "alias" {
			find = e.svc.AccountByAlias
		}
		if a, err := find(e.ctx, c.value); err != nil || a.ID != c.want {
			t.Errorf("account by %s %s = %+v, %v; want %s", c.by, c.value, a, err, c.want)
		}
	}
}
