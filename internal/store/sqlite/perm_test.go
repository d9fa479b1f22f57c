//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/rootward/rootward/internal/store"
)

// TestFilesPrivate checks that the database, its WAL and its shared-memory file are readable by
// their owner only, under the common umask 022 (which would leave SQLite's own files 0644), both
// for a new database and for one an older Rootward left 0644.
func TestFilesPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, path string)
	}{
		{"new database", func(*testing.T, string) {}},
		{"database left 0644", func(t *testing.T, path string) {
			db, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				if err := os.Chmod(p, 0o644); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rootward.db")
			tc.prepare(t, path)
			db, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// A write and a read make SQLite create the -wal and -shm files.
			if err := db.Update(context.Background(), func(tx store.Tx) error {
				return tx.Put("k", "a", "key", []byte("v"))
			}); err != nil {
				t.Fatal(err)
			}
			if err := db.View(context.Background(), func(tx store.Tx) error {
				_, err := tx.Get("k", "a", "key")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, path + "-wal", path + "-shm", path + "-open.lock"} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != 0o600 {
					t.Errorf("%s: mode %#o, want 0600", filepath.Base(p), got)
				}
			}
		})
	}
}
