package store

import (
	"context"
	"encoding/json"
	"slices"
)

// registryKind holds, per registered kind (key: its name, global account), the KindInfo its stored
// data was last brought up to by Migrate.
const registryKind = "store.kind"

// migrateBatch bounds the records one Migrate transaction rewrites, so that no transaction holds
// a whole kind.
const migrateBatch = 256

// Migrate brings the stored data of every registered kind up to its declaration: bodies written by
// an older version are upgraded and rewritten, indexes declared since the data was written are
// built, and the entries of indexes no longer declared are deleted; then the kind's registry row
// records what was done. Last, the objects of retired kinds (Retire) are deleted. A kind whose row
// already matches, or a retired kind with nothing left, costs one read, so Migrate is cheap on every
// start. It works in transactions of at most migrateBatch records and is idempotent: when two nodes
// run it at once, or a run stops half-way, a later run finishes the work.
func Migrate(ctx context.Context, st Store) error {
	kinds := registeredKinds()
	stored := map[string]KindInfo{}
	empty := map[string]bool{}
	err := st.View(ctx, func(tx Tx) error {
		rows, err := tx.List(registryKind, "", "", "", 0)
		if err != nil {
			return err
		}
		for _, it := range rows {
			var ki KindInfo
			if err := json.Unmarshal(it.Body, &ki); err != nil {
				return err
			}
			stored[it.Key] = ki
		}
		for _, k := range kinds {
			ki := k.info()
			if have, ok := stored[ki.Name]; ok && sameInfo(have, ki) {
				continue
			}
			first, err := tx.Scan(ki.Name, nil, 1)
			if err != nil {
				return err
			}
			empty[ki.Name] = len(first) == 0
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Kinds with nothing stored only need their row.
	err = st.Update(ctx, func(tx Tx) error {
		for _, k := range kinds {
			if ki := k.info(); empty[ki.Name] {
				if err := putInfo(tx, ki); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range kinds {
		ki := k.info()
		if isEmpty, checked := empty[ki.Name]; !checked || isEmpty {
			continue
		}
		have, known := stored[ki.Name]
		if err := migrateKind(ctx, st, k, have, known); err != nil {
			return err
		}
	}
	return dropRetired(ctx, st)
}

func sameInfo(a, b KindInfo) bool {
	return a.Name == b.Name && a.Version == b.Version && slices.Equal(a.Indexes, b.Indexes)
}

func putInfo(tx Tx, ki KindInfo) error {
	b, err := json.Marshal(ki)
	if err != nil {
		return err
	}
	return tx.Put(registryKind, "", ki.Name, b)
}

// migrateKind rewrites and re-indexes every record of k, then drops the indexes k no longer has.
// Without a registry row (data written before kinds were registered), every index is built.
func migrateKind(ctx context.Context, st Store, k registered, have KindInfo, known bool) error {
	want := k.info()
	var build []string
	for _, ix := range want.Indexes {
		if !known || !slices.Contains(have.Indexes, ix) {
			build = append(build, ix)
		}
	}
	var after *Object
	for {
		var n int
		err := st.Update(ctx, func(tx Tx) error {
			objs, err := tx.Scan(want.Name, after, migrateBatch)
			if err != nil {
				return err
			}
			n = len(objs)
			for i := 0; i < len(objs); {
				j := i
				items := []Item{}
				for ; j < len(objs) && objs[j].Account == objs[i].Account; j++ {
					items = append(items, Item{Key: objs[j].Key, Body: objs[j].Body})
				}
				if err := k.reindex(tx, objs[i].Account, items, build); err != nil {
					return err
				}
				i = j
			}
			if n > 0 {
				last := objs[n-1]
				after = &Object{Account: last.Account, Key: last.Key}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if n < migrateBatch {
			break
		}
	}
	for _, ix := range have.Indexes {
		if !slices.Contains(want.Indexes, ix) {
			if err := dropKind(ctx, st, IndexKind(want.Name, trimUnique(ix))); err != nil {
				return err
			}
		}
	}
	return st.Update(ctx, func(tx Tx) error { return putInfo(tx, want) })
}

func trimUnique(ix string) string {
	if n := len(ix); n > 0 && ix[n-1] == '!' {
		return ix[:n-1]
	}
	return ix
}

// dropKind deletes every object of kind, in batches.
func dropKind(ctx context.Context, st Store, kind string) error {
	for {
		var n int
		err := st.Update(ctx, func(tx Tx) error {
			objs, err := tx.Scan(kind, nil, migrateBatch)
			if err != nil {
				return err
			}
			n = len(objs)
			for _, o := range objs {
				if err := tx.Delete(kind, o.Account, o.Key); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || n < migrateBatch {
			return err
		}
	}
}
