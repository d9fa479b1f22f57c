// Package testbackend opens the store a test suite runs on: PostgreSQL (a fresh schema) when
// ROOTWARD_TEST_BACKEND=postgres and ROOTWARD_TEST_POSTGRES are set — CI runs the API, console and
// root-user suites that way too — SQLite in a temporary directory otherwise.
package testbackend

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/postgres"
	"github.com/rootward/rootward/internal/store/postgres/pgtest"
	"github.com/rootward/rootward/internal/store/sqlite"
)

// Open opens the backend under test, closed when the test ends.
func Open(t testing.TB) store.Store {
	t.Helper()
	var st store.Store
	var err error
	if dsn := os.Getenv(pgtest.EnvDSN); dsn != "" && os.Getenv("ROOTWARD_TEST_BACKEND") == "postgres" {
		st, err = postgres.Open(context.Background(), pgtest.FreshSchema(t, dsn))
	} else {
		st, err = sqlite.Open(filepath.Join(t.TempDir(), "rootward.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}
