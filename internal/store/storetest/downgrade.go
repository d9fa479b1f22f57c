package storetest

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/store"
)

// Downgrade turns the stored data of the named registered kinds back into what the schema before
// typed records left: bodies without a record envelope (their JSON as the current version wrote
// it, so only for kinds still at version 1), no index entries, no registry row. A test then runs
// store.Migrate and checks that the data reads back and the indexes are rebuilt — the conversion
// of a package's storage to records, exercised on its own test data.
func Downgrade(t testing.TB, s store.Store, kinds ...string) {
	t.Helper()
	infos := map[string]store.KindInfo{}
	for _, k := range store.Kinds() {
		infos[k.Name] = k
	}
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for _, name := range kinds {
			ki, ok := infos[name]
			if !ok || ki.Version != 1 {
				t.Fatalf("Downgrade: %q is not a registered kind of version 1", name)
			}
			if err := tx.Delete("store.kind", "", name); err != nil && !errors.Is(err, store.ErrNotFound) { // Migrate's registry row
				return err
			}
			for _, ix := range ki.Indexes {
				if err := deleteKind(tx, store.IndexKind(name, strings.TrimSuffix(ix, "!"))); err != nil {
					return err
				}
			}
			var after *store.Object
			for {
				objs, err := tx.Scan(name, after, 100)
				if err != nil {
					return err
				}
				for _, o := range objs {
					if len(o.Body) > 0 && o.Body[0] == 0x01 {
						_, n := binary.Uvarint(o.Body[1:])
						if err := tx.Put(name, o.Account, o.Key, o.Body[1+n:]); err != nil {
							return err
						}
					}
				}
				if len(objs) < 100 {
					break
				}
				after = &objs[len(objs)-1]
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func deleteKind(tx store.Tx, kind string) error {
	for {
		objs, err := tx.Scan(kind, nil, 100)
		if err != nil {
			return err
		}
		for _, o := range objs {
			if err := tx.Delete(kind, o.Account, o.Key); err != nil {
				return err
			}
		}
		if len(objs) < 100 {
			return nil
		}
	}
}
