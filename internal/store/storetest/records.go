package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/rootward/rootward/internal/store"
)

// gadget is the storage record of the suite's typed kind; version 2 renamed "label" to "name".
type gadget struct {
	Name   string   `json:"name"`
	Owner  string   `json:"owner"`
	Serial string   `json:"serial,omitempty"`
	Tags   []string `json:"tags,omitempty"`
}

// gadgets is a kind with a unique index (serial), a single-valued index (owner) and a
// multi-valued one (tag). Version 1 bodies had "label" where version 2 has "name".
var gadgets = store.Define(store.Kind[gadget]{
	Name:    "storetest.gadget",
	Version: 2,
	Upgrade: []func([]byte) ([]byte, error){
		nil, // version 0 (bodies without an envelope) is version 1's JSON
		func(b []byte) ([]byte, error) {
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, err
			}
			m["name"] = m["label"]
			delete(m, "label")
			return json.Marshal(m)
		},
	},
	Indexes: []store.Index[gadget]{
		{Name: "serial", Unique: true, Values: func(_ string, g *gadget) []string {
			if g.Serial == "" {
				return nil
			}
			return []string{g.Serial}
		}},
		{Name: "owner", Values: func(_ string, g *gadget) []string { return []string{g.Owner} }},
		{Name: "tag", Values: func(_ string, g *gadget) []string { return g.Tags }},
	},
})

func testScan(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, o := range [][2]string{{"", "z"}, {"111", "b"}, {"111", "a"}, {"222", ""}, {"222", "c"}} {
			if err := tx.Put("scanned", o[0], o[1], []byte(o[0]+"/"+o[1])); err != nil {
				return err
			}
		}
		return tx.Put("other", "111", "x", []byte("x"))
	})
	want := []string{"/z", "111/a", "111/b", "222/", "222/c"}
	for _, limit := range []int{1, 2, 5, 100} {
		t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
			var got []string
			var after *store.Object
			for {
				var objs []store.Object
				view(t, s, func(tx store.Tx) (err error) {
					objs, err = tx.Scan("scanned", after, limit)
					return err
				})
				if len(objs) > limit {
					t.Fatalf("Scan returned %d objects, limit %d", len(objs), limit)
				}
				for _, o := range objs {
					if string(o.Body) != o.Account+"/"+o.Key {
						t.Errorf("Scan body %q under (%q, %q)", o.Body, o.Account, o.Key)
					}
					got = append(got, o.Account+"/"+o.Key)
				}
				if len(objs) < limit {
					break
				}
				last := objs[len(objs)-1]
				after = &last
			}
			if !slices.Equal(got, want) {
				t.Errorf("Scan = %q, want %q", got, want)
			}
		})
	}
}

func indexKeys(t *testing.T, s store.Store, index, prefix string) []string {
	t.Helper()
	var got []string
	view(t, s, func(tx store.Tx) error {
		items, err := gadgets.IndexRange(tx, index, account, prefix)("", 0)
		for _, it := range items {
			got = append(got, it.Key)
		}
		return err
	})
	return got
}

func testRecordIndexes(t *testing.T, s store.Store) {
	ctx := context.Background()
	put := func(key string, g gadget) {
		t.Helper()
		update(t, s, func(tx store.Tx) error { return gadgets.Put(tx, account, key, &g) })
	}
	update(t, s, func(tx store.Tx) error {
		return gadgets.Insert(tx, account, "g1", &gadget{Name: "one", Owner: "ann", Tags: []string{"red", "blue"}})
	})
	put("g2", gadget{Name: "two", Owner: "bob", Tags: []string{"red"}})
	put("g3", gadget{Name: "three", Owner: "ann"})
	if got, want := indexKeys(t, s, "owner", "ann"), []string{"ann\x00g1", "ann\x00g3"}; !slices.Equal(got, want) {
		t.Errorf("owner index = %q, want %q", got, want)
	}
	if got, want := indexKeys(t, s, "tag", "red"), []string{"red\x00g1", "red\x00g2"}; !slices.Equal(got, want) {
		t.Errorf("tag index = %q, want %q", got, want)
	}
	// Moving g1 to bob and dropping its red tag moves its entries in the same transaction.
	put("g1", gadget{Name: "one", Owner: "bob", Tags: []string{"blue"}})
	if got, want := indexKeys(t, s, "owner", ""), []string{"ann\x00g3", "bob\x00g1", "bob\x00g2"}; !slices.Equal(got, want) {
		t.Errorf("owner index after move = %q, want %q", got, want)
	}
	if got, want := indexKeys(t, s, "tag", ""), []string{"blue\x00g1", "red\x00g2"}; !slices.Equal(got, want) {
		t.Errorf("tag index after move = %q, want %q", got, want)
	}
	// A failed transaction leaves record and index as they were.
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := gadgets.Delete(tx, account, "g2"); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Update = %v, want errAbort", err)
	}
	if got := indexKeys(t, s, "owner", "bob"); len(got) != 2 {
		t.Errorf("owner index after a rolled-back delete = %q, want 2 entries", got)
	}
	update(t, s, func(tx store.Tx) error { return gadgets.Delete(tx, account, "g2") })
	if got, want := indexKeys(t, s, "owner", "bob"), []string{"bob\x00g1"}; !slices.Equal(got, want) {
		t.Errorf("owner index after delete = %q, want %q", got, want)
	}
	view(t, s, func(tx store.Tx) error {
		if err := gadgets.Delete(tx, account, "g2"); !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrReadOnly) {
			t.Errorf("Delete of a missing record = %v, want ErrNotFound", err)
		}
		items, err := gadgets.IndexRange(tx, "owner", account, "bob")("", 0)
		if err != nil {
			return err
		}
		key, g, ok, err := gadgets.Resolve(tx, account, items[0])
		if err != nil || !ok || key != "g1" || g.Name != "one" {
			t.Errorf("Resolve = %q, %+v, %v, %v; want g1 one", key, g, ok, err)
		}
		n, err := gadgets.Count(tx, "owner", account, "")
		if n != 2 || err != nil {
			t.Errorf("Count = %d, %v; want 2", n, err)
		}
		return nil
	})
}

func testUniqueIndex(t *testing.T, s store.Store) {
	ctx := context.Background()
	update(t, s, func(tx store.Tx) error {
		return gadgets.Insert(tx, account, "a", &gadget{Name: "a", Owner: "o", Serial: "SN1"})
	})
	// A second record with the serial is refused, and the refused transaction writes nothing.
	err := s.Update(ctx, func(tx store.Tx) error {
		return gadgets.Insert(tx, account, "b", &gadget{Name: "b", Owner: "o", Serial: "SN1"})
	})
	var taken *store.ErrIndexTaken
	if !errors.As(err, &taken) || !errors.Is(err, store.ErrExists) || taken.Index != "serial" {
		t.Fatalf("Insert with a taken serial = %v, want ErrIndexTaken (ErrExists) on serial", err)
	}
	view(t, s, func(tx store.Tx) error {
		if _, ok, _ := gadgets.Get(tx, account, "b"); ok {
			t.Error("the refused record was stored")
		}
		key, g, ok, err := gadgets.Lookup(tx, "serial", account, "SN1")
		if err != nil || !ok || key != "a" || g.Name != "a" {
			t.Errorf("Lookup(SN1) = %q, %+v, %v, %v; want a", key, g, ok, err)
		}
		return nil
	})
	// Rewriting the holder with the same serial is not a conflict; changing it frees the old one.
	update(t, s, func(tx store.Tx) error {
		return gadgets.Put(tx, account, "a", &gadget{Name: "a2", Owner: "o", Serial: "SN1"})
	})
	update(t, s, func(tx store.Tx) error {
		return gadgets.Put(tx, account, "a", &gadget{Name: "a2", Owner: "o", Serial: "SN2"})
	})
	update(t, s, func(tx store.Tx) error {
		return gadgets.Insert(tx, account, "b", &gadget{Name: "b", Owner: "o", Serial: "SN1"})
	})
	view(t, s, func(tx store.Tx) error {
		for serial, want := range map[string]string{"SN1": "b", "SN2": "a"} {
			key, _, ok, err := gadgets.Lookup(tx, "serial", account, serial)
			if err != nil || !ok || key != want {
				t.Errorf("Lookup(%s) = %q, %v, %v; want %q", serial, key, ok, err, want)
			}
		}
		// Another account has its own values.
		if _, _, ok, _ := gadgets.Lookup(tx, "serial", "999999999999", "SN1"); ok {
			t.Error("Lookup found another account's serial")
		}
		return nil
	})
}

func testUpgradeOnRead(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		return tx.Put(gadgets.Name, account, "old", []byte(`{"label":"legacy","owner":"ann"}`))
	})
	view(t, s, func(tx store.Tx) error {
		g, ok, err := gadgets.Get(tx, account, "old")
		if err != nil || !ok || g.Name != "legacy" || g.Owner != "ann" {
			t.Errorf("Get of a version-0 body = %+v, %v, %v; want name legacy, owner ann", g, ok, err)
		}
		return nil
	})
	// A body newer than the program is an error, not a silent loss of fields.
	update(t, s, func(tx store.Tx) error {
		return tx.Put(gadgets.Name, account, "future", []byte("\x01\x09{}"))
	})
	view(t, s, func(tx store.Tx) error {
		if _, _, err := gadgets.Get(tx, account, "future"); err == nil {
			t.Error("Get of a version-9 body succeeded, want an error")
		}
		return nil
	})
}

func testMigrate(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Data as the previous schema left it: bodies without an envelope, no index entries, no
	// registry row for the kind, and the entries of an index since retired.
	update(t, s, func(tx store.Tx) error {
		for i := range 600 { // more than one migration batch
			body := fmt.Sprintf(`{"label":"g%03d","owner":"o%d","serial":"S%03d"}`, i, i%3, i)
			if err := tx.Put(gadgets.Name, account, fmt.Sprintf("g%03d", i), []byte(body)); err != nil {
				return err
			}
		}
		if err := tx.Put(store.IndexKind(gadgets.Name, "retired"), account, "x\x00g001", nil); err != nil {
			return err
		}
		return tx.Put("store.kind", "", gadgets.Name, []byte(`{"Name":"storetest.gadget","Version":1,"Indexes":["retired"]}`))
	})
	for run := 1; run <= 2; run++ { // the second run finds nothing to do
		if err := store.Migrate(ctx, s); err != nil {
			t.Fatalf("Migrate run %d: %v", run, err)
		}
	}
	view(t, s, func(tx store.Tx) error {
		body, err := tx.Get(gadgets.Name, account, "g123")
		if err != nil {
			return err
		}
		if len(body) < 2 || body[0] != 0x01 || body[1] != 2 {
			t.Errorf("migrated body %q, want a version-2 envelope", body)
		}
		key, g, ok, err := gadgets.Lookup(tx, "serial", account, "S456")
		if err != nil || !ok || key != "g456" || g.Name != "g456" {
			t.Errorf("Lookup(S456) after Migrate = %q, %+v, %v, %v", key, g, ok, err)
		}
		n, err := gadgets.Count(tx, "owner", account, "o1\x00")
		if err != nil || n != 200 {
			t.Errorf("owner o1 entries = %d, %v; want 200", n, err)
		}
		if n, _ := tx.Count(store.IndexKind(gadgets.Name, "retired"), account, ""); n != 0 {
			t.Errorf("retired index keeps %d entries, want 0", n)
		}
		return nil
	})
}

func testRegistry(t *testing.T, s store.Store) {
	var found *store.KindInfo
	for _, k := range store.Kinds() {
		if k.Name == gadgets.Name {
			found = &k
		}
	}
	if found == nil {
		t.Fatal("Kinds() does not list the suite's kind")
	}
	if want := []string{"serial!", "owner", "tag"}; found.Version != 2 || !slices.Equal(found.Indexes, want) {
		t.Errorf("Kinds() entry = %+v, want version 2 with indexes %q", *found, want)
	}
	// Open ran Migrate: the kind has its registry row.
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.Get("store.kind", "", gadgets.Name); err != nil {
			t.Errorf("registry row after Open: %v", err)
		}
		return nil
	})
}

// retiredKind is a kind the suite retires (store.Retire): Migrate deletes its objects.
const retiredKind = "storetest.retired"

func init() { store.Retire(retiredKind) }

func testRetire(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i := range 300 { // more than one batch
			if err := tx.Put(retiredKind, fmt.Sprint("acct", i%3), fmt.Sprintf("k%03d", i), []byte("{}")); err != nil {
				return err
			}
		}
		return tx.Put("storetest.kept", account, "k", []byte("{}"))
	})
	if !slices.Contains(store.Retired(), retiredKind) {
		t.Fatalf("Retired() = %q, want it to hold %s", store.Retired(), retiredKind)
	}
	for run := 1; run <= 2; run++ { // the second finds nothing left
		if err := store.Migrate(context.Background(), s); err != nil {
			t.Fatalf("Migrate run %d: %v", run, err)
		}
	}
	view(t, s, func(tx store.Tx) error {
		objs, err := tx.Scan(retiredKind, nil, 10)
		if len(objs) != 0 {
			t.Errorf("retired kind keeps %d+ objects after Migrate, want none", len(objs))
		}
		if _, err := tx.Get("storetest.kept", account, "k"); err != nil {
			t.Errorf("an object of another kind: %v", err)
		}
		return err
	})
}

func testRecordJSON(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		return store.PutRecordJSON(tx, gadgets.Name, account, "j1", []byte(`{"name":"jay","owner":"jo"}`))
	})
	if got, want := indexKeys(t, s, "owner", "jo"), []string{"jo\x00j1"}; !slices.Equal(got, want) {
		t.Errorf("owner index after PutRecordJSON = %q, want %q", got, want)
	}
	view(t, s, func(tx store.Tx) error {
		js, err := store.RecordJSON(tx, gadgets.Name, account, "j1")
		var g gadget
		if err == nil {
			err = json.Unmarshal(js, &g)
		}
		if err != nil || g.Name != "jay" || g.Owner != "jo" {
			t.Errorf("RecordJSON = %s, %v; want name jay, owner jo", js, err)
		}
		if _, err := store.RecordJSON(tx, gadgets.Name, account, "none"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RecordJSON of a missing record = %v, want ErrNotFound", err)
		}
		if _, err := store.RecordJSON(tx, "storetest.unregistered", account, "j1"); err == nil {
			t.Error("RecordJSON of an unregistered kind succeeded")
		}
		return nil
	})
}
