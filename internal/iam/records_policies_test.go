package iam

import (
	"slices"
	"testing"

	"github.com/rootward/rootward/internal/store"
)

// TestMigrateBuildsPolicyIndexes: attachments and boundaries stored by the previous schema, with
// their hand-kept mirrors ("attachedto", "boundaryof") and without the declared indexes, count and
// list as before once the store's Migrate has run; the mirrors are gone, and a rename afterwards
// keeps the counts.
func TestMigrateBuildsPolicyIndexes(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
	p, err := e.svc.CreatePolicy(e.ctx, acct, CreatePolicyInput{PolicyName: "Legacy", Path: "/old/", PolicyDocument: doc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateUser(e.ctx, acct, CreateUserInput{UserName: "Alice", PermissionsBoundary: p.Arn}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AttachPolicy(e.ctx, acct, principalUserT, "Alice", p.Arn); err != nil {
		t.Fatal(err)
	}
	// Back to the previous schema: no declared index entries, no registry rows, and the mirrors.
	unindex(t, e, []string{"attached#policy", "user#boundary", "policy#path"}, []string{"attached", "user", "role", "policy"}, func(tx store.Tx) error {
		if err := tx.Put("attachedto", acct, p.Arn+"\x00user\x00alice", []byte("{}")); err != nil {
			return err
		}
		return tx.Put("boundaryof", acct, p.Arn+"\x00user\x00alice", []byte("{}"))
	})
	check := func(t *testing.T, user string) {
		t.Helper()
		got, err := e.svc.GetPolicy(e.ctx, acct, p.Arn)
		if err != nil || got.AttachmentCount != 1 || got.PermissionsBoundaryUsageCount != 1 {
			t.Errorf("GetPolicy = %+v, %v; want AttachmentCount 1, PermissionsBoundaryUsageCount 1", got, err)
		}
		ents, err := e.svc.ListEntitiesForPolicy(e.ctx, acct, p.Arn, "")
		if err != nil || !slices.Equal(ents.Users, []string{user}) || len(ents.Groups)+len(ents.Roles) != 0 {
			t.Errorf("ListEntitiesForPolicy = %+v, %v; want the user %s", ents, err, user)
		}
		list, err := e.svc.ListPolicies(e.ctx, acct, ListPoliciesInput{Scope: "Local", PathPrefix: "/old/"}, ListOpts{})
		if err != nil || len(list.Items) != 1 || list.Items[0].Arn != p.Arn {
			t.Errorf("ListPolicies /old/ = %+v, %v; want the policy", list.Items, err)
		}
	}
	check(t, "Alice")
	wantNone(t, e, "attachedto", "boundaryof")
	t.Run("rename", func(t *testing.T) {
		if err := e.svc.UpdateUser(e.ctx, acct, "Alice", "Bob", ""); err != nil {
			t.Fatal(err)
		}
		check(t, "Bob")
		if err := e.svc.DetachPolicy(e.ctx, acct, principalUserT, "Bob", p.Arn); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteUserPermissionsBoundary(e.ctx, acct, "Bob"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeletePolicy(e.ctx, acct, p.Arn); err != nil {
			t.Errorf("DeletePolicy after detaching and removing the boundary = %v, want success", err)
		}
	})
}

// unindex takes the store back to the previous schema for the tests of Migrate: it deletes the
// objects of the index kinds and the registry rows of kinds, then runs legacy (which writes
// what that schema kept by hand), then store.Migrate, as a backend's Open does.
func unindex(t *testing.T, e *credEnv, indexKinds, kinds []string, legacy func(tx store.Tx) error) {
	t.Helper()
	err := e.svc.st.Update(e.ctx, func(tx store.Tx) error {
		for _, k := range indexKinds {
			objs, err := tx.Scan(k, nil, 1000)
			if err != nil {
				return err
			}
			for _, o := range objs {
				if err := tx.Delete(k, o.Account, o.Key); err != nil {
					return err
				}
			}
		}
		for _, k := range kinds {
			if err := tx.Delete("store.kind", "", k); err != nil {
				return err
			}
		}
		return legacy(tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(e.ctx, e.svc.st); err != nil {
		t.Fatal(err)
	}
}

// wantNone checks that the store holds no object of the kinds.
func wantNone(t *testing.T, e *credEnv, kinds ...string) {
	t.Helper()
	err := e.svc.st.View(e.ctx, func(tx store.Tx) error {
		for _, kind := range kinds {
			if objs, err := tx.Scan(kind, nil, 1); err != nil || len(objs) != 0 {
				t.Errorf("%s objects after Migrate: %d, %v; want none", kind, len(objs), err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
