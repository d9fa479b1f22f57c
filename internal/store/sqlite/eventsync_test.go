package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// A batch of read-only events commits with synchronous=NORMAL and leaves a FULL commit owed; a
// batch with a change commits FULL and owes nothing; either way the writer connection is back to
// FULL for the Updates that follow.
func TestEventDurability(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "rootward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The owed commit is checked, then made by the test itself, not by the timer.
	db.syncDelay = time.Hour
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	synchronous := func() int {
		t.Helper()
		var v int
		if err := db.write.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	owed := func() bool {
		db.syncMu.Lock()
		defer db.syncMu.Unlock()
		return db.syncOwed
	}
	cases := []struct {
		name     string
		readOnly []bool
		wantOwed bool
	}{
		{"read-only batch", []bool{true, true}, true},
		{"batch with a change", []bool{true, false}, false},
		{"one change", []bool{false}, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var events []*store.StoredEvent
			for j, ro := range tc.readOnly {
				events = append(events, &store.StoredEvent{Account: "111122223333", Time: at, ID: string(rune('a'+i)) + string(rune('0'+j)), ReadOnly: ro, Body: []byte("{}")})
			}
			if err := db.AppendEvents(ctx, events); err != nil {
				t.Fatal(err)
			}
			if got := owed(); got != tc.wantOwed {
				t.Errorf("FULL commit owed = %v; want %v", got, tc.wantOwed)
			}
			if got := synchronous(); got != 2 {
				t.Errorf("writer's synchronous = %d after the append; want 2 (FULL)", got)
			}
		})
	}
	t.Run("owed commit made", func(t *testing.T) {
		if err := db.AppendEvents(ctx, []*store.StoredEvent{{Account: "111122223333", Time: at, ID: "ro", ReadOnly: true, Body: []byte("{}")}}); err != nil {
			t.Fatal(err)
		}
		db.syncMu.Lock()
		armed := db.syncTimer != nil
		db.syncMu.Unlock()
		if !owed() || !armed {
			t.Fatalf("owed %v, timer armed %v after a NORMAL commit; want both", owed(), armed)
		}
		// What the timer runs within normalSyncDelay, run now rather than waited for.
		if err := db.syncNormalCommits(); err != nil {
			t.Fatal(err)
		}
		if owed() {
			t.Error("FULL commit still owed after syncNormalCommits")
		}
		if got := synchronous(); got != 2 {
			t.Errorf("writer's synchronous = %d; want 2 (FULL)", got)
		}
	})
}
