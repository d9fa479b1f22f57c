package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// retired lists the kinds no program reads any more (Retire).
var retired []string

// Retire names kinds whose objects the program no longer reads: hand-kept index objects that a
// declared index replaced, or a kind folded into another. Migrate deletes their objects, in
// batches, after it has brought the registered kinds up to their declarations (so an index built
// from a record kind exists before the hand-kept objects it replaces go). Call it at package level,
// next to the Define of the kind that took over. A kind may not be retired twice, nor be a
// registered kind or an index of one.
func Retire(kinds ...string) {
	registryMu.Lock()
	defer registryMu.Unlock()
	for _, k := range kinds {
		if k == "" || strings.Contains(k, "#") || slices.Contains(retired, k) {
			panic(fmt.Sprintf("store: cannot retire kind %q", k))
		}
		retired = append(retired, k)
	}
}

// Retired lists the retired kinds, sorted.
func Retired() []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := slices.Clone(retired)
	slices.Sort(out)
	return out
}

// dropRetired deletes the objects of every retired kind; a kind with none costs one read.
func dropRetired(ctx context.Context, st Store) error {
	registryMu.Lock()
	for _, k := range retired {
		if _, ok := registry[k]; ok {
			registryMu.Unlock()
			return fmt.Errorf("store: kind %q is both registered and retired", k)
		}
	}
	registryMu.Unlock()
	for _, k := range Retired() {
		var any bool
		err := st.View(ctx, func(tx Tx) error {
			first, err := tx.Scan(k, nil, 1)
			any = len(first) > 0
			return err
		})
		if err != nil {
			return err
		}
		if any {
			if err := dropKind(ctx, st, k); err != nil {
				return err
			}
		}
	}
	return nil
}
