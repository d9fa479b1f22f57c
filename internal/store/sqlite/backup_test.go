package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/store"
)

// A backup taken while the database is open holds every committed object, opens as a database
// of its own, is private to the owner, and never overwrites a file.
func TestBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(filepath.Join(dir, "live.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, k := range []string{"alice", "bob", "carol"} {
		if err := db.Update(ctx, func(tx store.Tx) error { return tx.Insert("user", "111122223333", k, []byte(`{"n":"`+k+`"}`)) }); err != nil {
			t.Fatal(err)
		}
	}
	to := filepath.Join(dir, "copy.db")
	if err := db.Backup(ctx, to); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(to)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Fatalf("backup mode = %v, want 0600", got)
	}
	// A write after the backup is not in it.
	if err := db.Update(ctx, func(tx store.Tx) error { return tx.Insert("user", "111122223333", "dave", []byte(`{}`)) }); err != nil {
		t.Fatal(err)
	}
	cp, err := Open(to)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	var keys []string
	if err := cp.View(ctx, func(tx store.Tx) error {
		items, err := tx.List("user", "111122223333", "", "", 0)
		for _, it := range items {
			keys = append(keys, it.Key)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(keys, ","), "alice,bob,carol"; got != want {
		t.Fatalf("backup holds %q, want %q", got, want)
	}
	if err := db.Backup(ctx, to); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("backup over an existing file: %v, want a refusal", err)
	}
}
