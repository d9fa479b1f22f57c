package orgs

import (
	"slices"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/storetest"
	"github.com/rootward/rootward/internal/testutil"
)

// scanAll returns every object of kind, in every scope, as "account|key|body".
func scanAll(t *testing.T, e *env, kind string) []string {
	t.Helper()
	var out []string
	err := e.org.st.View(e.ctx, func(tx store.Tx) error {
		var after *store.Object
		for {
			objs, err := tx.Scan(kind, after, 100)
			if err != nil {
				return err
			}
			for _, o := range objs {
				out = append(out, o.Account+"|"+o.Key+"|"+string(o.Body))
			}
			if len(objs) < 100 {
				return nil
			}
			after = &objs[len(objs)-1]
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// orgKinds returns the registered kinds of this package and the store kinds of their indexes.
func orgKinds() (records, indexes []string) {
	for _, k := range store.Kinds() {
		if !strings.HasPrefix(k.Name, "org") {
			continue
		}
		records = append(records, k.Name)
		for _, ix := range k.Indexes {
			indexes = append(indexes, store.IndexKind(k.Name, strings.TrimSuffix(ix, "!")))
		}
	}
	return records, indexes
}

// TestLegacyStorageMigrates writes an organization as the previous schema stored it — bodies
// without a record envelope, no declared indexes, and the hand-kept index objects (orgchild,
// orgtarget, orgpolicyname, orghsaccount, orghsorg) — and opens it with store.Migrate: the
// declared indexes are built as the service writes them, the hand-kept objects are gone, and the
// listings that read the indexes answer as before.
func TestLegacyStorageMigrates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	must(e.org.EnablePolicyType(e.ctx, e.mgmt, o.RootID, TypeSCP))(t)
	ou := must(e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, o.RootID, "workloads", Tag{Key: "env", Value: "prod"}))(t)
	inner := must(e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, ou.ID, "inner"))(t)
	m1, m2 := e.member(t, "one"), e.member(t, "two")
	testutil.WantCode(t, e.org.MoveAccount(e.ctx, e.mgmt, m2, o.RootID, inner.ID), "")
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`
	pol := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "no-users", Type: TypeSCP, Content: deny}))(t)
	testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, pol.ID, ou.ID), "")
	testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, pol.ID, m1), "")
	guest := e.account(t, "guest")
	hs := must(e.org.InviteAccountToOrganization(e.ctx, e.mgmt, HandshakeParty{ID: guest, Type: partyAccount}, ""))(t)

	records, indexes := orgKinds()
	want := map[string][]string{}
	for _, k := range indexes {
		want[k] = scanAll(t, e, k)
		if len(want[k]) == 0 {
			t.Fatalf("index %s holds nothing before the downgrade; the test covers too little", k)
		}
	}

	// The hand-kept index objects of the previous schema, then its bodies (storetest.Downgrade).
	legacy := map[string][][2]string{} // kind → (scope, key)
	add := func(kind, scope, key string) { legacy[kind] = append(legacy[kind], [2]string{scope, key}) }
	err := e.org.st.View(e.ctx, func(tx store.Tx) error {
		for _, m := range must(members.List(tx, o.ID, "", "", 0))(t) {
			add("orgchild", o.ID, m.Record.ParentID+sep+ChildAccount+sep+m.Key)
		}
		for _, u := range must(ous.List(tx, o.ID, "", "", 0))(t) {
			add("orgchild", o.ID, u.Record.ParentID+sep+ChildOU+sep+u.Key)
		}
		for _, a := range must(attachments.List(tx, o.ID, "", "", 0))(t) {
			target, policyID, _ := strings.Cut(a.Key, sep)
			add("orgtarget", o.ID, policyID+sep+target)
		}
		for _, p := range must(policies.List(tx, o.ID, "", "", 0))(t) {
			add("orgpolicyname", o.ID, p.Record.Type+sep+p.Record.Name)
		}
		add("orghsaccount", guest, hs.ID)
		add("orghsorg", o.ID, hs.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Downgrade(t, e.org.st, records...)
	err = e.org.st.Update(e.ctx, func(tx store.Tx) error {
		for kind, objs := range legacy {
			for _, obj := range objs {
				if err := tx.Put(kind, obj[0], obj[1], []byte("{}")); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"orgchild", "orgtarget", "orgpolicyname", "orghsaccount", "orghsorg"} {
		if len(legacy[k]) == 0 {
			t.Fatalf("no legacy %s objects written", k)
		}
	}

	if err := store.Migrate(e.ctx, e.org.st); err != nil {
		t.Fatal(err)
	}
	for _, k := range indexes {
		if got := scanAll(t, e, k); !slices.Equal(got, want[k]) {
			t.Errorf("%s after Migrate:\n got %q\nwant %q", k, got, want[k])
		}
	}
	for k := range legacy {
		if got := scanAll(t, e, k); len(got) != 0 {
			t.Errorf("retired kind %s keeps %d objects after Migrate", k, len(got))
		}
	}

	children := must(e.org.ListChildren(e.ctx, e.mgmt, inner.ID, ChildAccount, ListOpts{}))(t)
	if len(children.Items) != 1 || children.Items[0].ID != m2 {
		t.Errorf("ListChildren(%s) = %+v, want %s", inner.ID, children.Items, m2)
	}
	targets := must(e.org.ListTargetsForPolicy(e.ctx, e.mgmt, pol.ID, ListOpts{}))(t)
	var ids []string
	for _, tg := range targets.Items {
		ids = append(ids, tg.TargetID)
	}
	if wantIDs := []string{m1, ou.ID}; !slices.Equal(ids, wantIDs) {
		t.Errorf("ListTargetsForPolicy = %q, want %q", ids, wantIDs)
	}
	invites := must(e.org.ListHandshakesForAccount(e.ctx, guest, "", ListOpts{}))(t)
	if len(invites.Items) != 1 || invites.Items[0].ID != hs.ID {
		t.Errorf("ListHandshakesForAccount = %+v, want %s", invites.Items, hs.ID)
	}
	_, err = e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "no-users", Type: TypeSCP, Content: deny})
	testutil.WantCode(t, err, awserr.OrgsDuplicatePolicy)
	testutil.WantCode(t, e.org.DeleteOrganizationalUnit(e.ctx, e.mgmt, inner.ID), awserr.OrgsOUNotEmpty)
}

// The children of a parent, a policy's targets and an organization's or account's handshakes are
// index ranges: a record moved, detached or deleted leaves no entry behind.
func TestIndexesFollowWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	must(e.org.EnablePolicyType(e.ctx, e.mgmt, o.RootID, TypeSCP))(t)
	ou := must(e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, o.RootID, "ou"))(t)
	m := e.member(t, "moved")
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`
	pol := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "first", Type: TypeSCP, Content: deny}))(t)
	testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, pol.ID, m), "")
	testutil.WantCode(t, e.org.MoveAccount(e.ctx, e.mgmt, m, o.RootID, ou.ID), "")

	childIDs := func(parent string) []string {
		p := must(e.org.ListChildren(e.ctx, e.mgmt, parent, ChildAccount, ListOpts{}))(t)
		var out []string
		for _, c := range p.Items {
			out = append(out, c.ID)
		}
		return out
	}
	if got := childIDs(o.RootID); slices.Contains(got, m) {
		t.Errorf("root's accounts after the move = %q, still hold %s", got, m)
	}
	if got := childIDs(ou.ID); !slices.Equal(got, []string{m}) {
		t.Errorf("OU's accounts after the move = %q, want [%s]", got, m)
	}

	// A renamed policy frees its old name and takes the new one.
	renamed := "second"
	must(e.org.UpdatePolicy(e.ctx, e.mgmt, pol.ID, UpdatePolicyInput{Name: &renamed}))(t)
	again := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "first", Type: TypeSCP, Content: deny}))(t)
	_, err := e.org.UpdatePolicy(e.ctx, e.mgmt, again.ID, UpdatePolicyInput{Name: &renamed})
	testutil.WantCode(t, err, awserr.OrgsDuplicatePolicy)
	if got := must(e.org.DescribePolicy(e.ctx, e.mgmt, again.ID))(t); got.Name != "first" {
		t.Errorf("refused rename changed the name to %q", got.Name)
	}

	testutil.WantCode(t, e.org.RemoveAccountFromOrganization(e.ctx, e.mgmt, m), "")
	if got := must(e.org.ListTargetsForPolicy(e.ctx, e.mgmt, pol.ID, ListOpts{}))(t); len(got.Items) != 0 {
		t.Errorf("targets of %s after its account left = %+v, want none", pol.ID, got.Items)
	}
	if got := childIDs(ou.ID); len(got) != 0 {
		t.Errorf("OU's accounts after removal = %q, want none", got)
	}
	testutil.WantCode(t, e.org.DeletePolicy(e.ctx, e.mgmt, pol.ID), "")
	testutil.WantCode(t, e.org.DeleteOrganizationalUnit(e.ctx, e.mgmt, ou.ID), "")
	testutil.WantCode(t, e.org.DeleteOrganization(e.ctx, e.mgmt), "")
}
