package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/storetest"
)

func openTemp(t *testing.T) store.Store {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "rootward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, openTemp)
}

func TestConformanceShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "rootward.db")
		return func() (store.Store, error) { return Open(path) }
	})
}
