package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/rootward/rootward/internal/store"
)

// testGetMany reads objects by many keys at once: one body per key in the order asked, nil for a
// missing key and never for a stored one (an empty body included), repeated keys, keys of every
// byte (the empty key too), the same isolation by kind and account as Get, batches longer than a
// backend's single query, and, inside an Update, the transaction's own writes.
func testGetMany(t *testing.T, s store.Store) {
	objects := map[string]string{"alice": "a", "bob": "b", "": "empty key", "\x00\xff": "bytes", "hollow": ""}
	for i := range 600 {
		objects[fmt.Sprintf("many/%03d", i)] = fmt.Sprint(i)
	}
	seed(t, s, objects)
	seedOther(t, s)
	update(t, s, func(tx store.Tx) error { return tx.Put("role", account, "carol", []byte("other kind")) })

	// none marks a key GetMany must answer nil for.
	const none = "\x00none"
	var many, manyWant []string
	for i := 599; i >= 0; i -= 2 { // longer than one query of a batching backend, in reverse order
		k := fmt.Sprintf("many/%03d", i)
		many, manyWant = append(many, k, k+"x"), append(manyWant, fmt.Sprint(i), none)
	}
	tests := []struct {
		name, kind, account string
		keys, want          []string
	}{
		{"no keys", kind, account, nil, nil},
		{"one present", kind, account, []string{"alice"}, []string{"a"}},
		{"one missing", kind, account, []string{"zed"}, []string{none}},
		{"in the order asked", kind, account, []string{"bob", "zed", "alice"}, []string{"b", none, "a"}},
		{"repeated key", kind, account, []string{"bob", "alice", "bob", "zed", "zed"}, []string{"b", "a", "b", none, none}},
		{"empty key and body", kind, account, []string{"", "hollow", "\x00\xff"}, []string{"empty key", "", "bytes"}},
		{"key differs in case", kind, account, []string{"Alice", "alice"}, []string{none, "a"}},
		{"key is a prefix", kind, account, []string{"alic", "bo"}, []string{none, none}},
		{"other kind", "role", account, []string{"alice", "carol"}, []string{none, "other kind"}},
		{"other account", kind, "210987654321", []string{"alice", "bob"}, []string{none, none}},
		{"many", kind, account, many, manyWant},
	}
	check := func(t *testing.T, got [][]byte, keys, want []string) {
		t.Helper()
		if len(got) != len(keys) {
			t.Fatalf("GetMany returned %d bodies for %d keys", len(got), len(keys))
		}
		for i, w := range want {
			switch {
			case w == none && got[i] != nil:
				t.Errorf("GetMany body %d (key %q) = %q, want nil", i, keys[i], got[i])
			case w != none && (got[i] == nil || string(got[i]) != w):
				t.Errorf("GetMany body %d (key %q) = %q (nil %v), want %q", i, keys[i], got[i], got[i] == nil, w)
			}
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			view(t, s, func(tx store.Tx) error {
				got, err := tx.GetMany(tc.kind, tc.account, tc.keys)
				if err != nil {
					t.Fatalf("GetMany: %v", err)
				}
				check(t, got, tc.keys, tc.want)
				return nil
			})
		})
	}

	t.Run("sees the transaction's own writes", func(t *testing.T) {
		err := s.Update(context.Background(), func(tx store.Tx) error {
			if err := tx.Put(kind, account, "alice", []byte("a2")); err != nil {
				return err
			}
			if err := tx.Insert(kind, account, "dave", []byte("d")); err != nil {
				return err
			}
			if err := tx.Delete(kind, account, "bob"); err != nil {
				return err
			}
			keys := []string{"alice", "bob", "dave"}
			got, err := tx.GetMany(kind, account, keys)
			if err != nil {
				return err
			}
			check(t, got, keys, []string{"a2", none, "d"})
			return errAbort
		})
		if err != errAbort {
			t.Fatalf("Update = %v, want errAbort", err)
		}
	})

	t.Run("tracked as reads", func(t *testing.T) {
		ctx, rs := store.TrackReads(context.Background())
		keys := []string{"alice", "zed"}
		if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetMany(kind, account, keys); return err }); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range rs.Keys() {
			got = append(got, c.Kind+"/"+c.Account+"/"+c.Key)
		}
		slices.Sort(got)
		want := []string{kind + "/" + account + "/alice", kind + "/" + account + "/zed"}
		if !slices.Equal(got, want) {
			t.Errorf("ReadSet keys = %q, want %q", got, want)
		}
		if !rs.Affected(store.Change{Kind: kind, Account: account, Key: "zed"}) {
			t.Error("a change to a key GetMany found missing does not affect the ReadSet")
		}
	})
}

// testResolved pages a non-unique index with Kind.Resolved: each entry carries its record's body,
// nil for an entry whose record has gone (written here as a stray index entry), and the page's
// positions are the index keys, as IndexRange's.
func testResolved(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i := range 300 {
			g := gadget{Name: fmt.Sprint("g", i), Owner: "ann"}
			if i%3 == 0 {
				g.Owner = "bob"
			}
			if err := gadgets.Insert(tx, account, fmt.Sprintf("k%03d", i), &g); err != nil {
				return err
			}
		}
		// An entry whose record is gone, as a concurrent delete between two reads would leave it.
		return tx.Put(store.IndexKind(gadgets.Name, "owner"), account, "ann\x00k999", nil)
	})
	for _, n := range []int{1, 7, 0} {
		t.Run(fmt.Sprint("batch ", n), func(t *testing.T) {
			var got []string
			view(t, s, func(tx store.Tx) error {
				src := gadgets.Resolved(tx, account, gadgets.IndexRange(tx, "owner", account, "ann\x00"))
				after := ""
				for {
					items, err := src(after, n)
					if err != nil {
						return err
					}
					for _, it := range items {
						if it.Body == nil {
							got = append(got, "gone:"+store.EntryKey(it.Key))
							continue
						}
						g, err := gadgets.Decode(it.Body)
						if err != nil {
							return err
						}
						got = append(got, store.EntryKey(it.Key)+"="+g.Name)
					}
					if n <= 0 || len(items) < n {
						return nil
					}
					after = items[len(items)-1].Key
				}
			})
			var want []string
			for i := range 300 {
				if i%3 != 0 {
					want = append(want, fmt.Sprintf("k%03d=g%d", i, i))
				}
			}
			want = append(want, "gone:k999")
			if !slices.Equal(got, want) {
				t.Errorf("Resolved pages =\n %q\nwant\n %q", got, want)
			}
		})
	}
}
