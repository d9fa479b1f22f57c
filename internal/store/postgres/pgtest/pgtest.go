// Package pgtest gives tests a PostgreSQL schema of their own on the server named by
// ROOTWARD_TEST_POSTGRES, so suites can run in parallel on one database and leave nothing behind.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// EnvDSN is the environment variable holding the test server's DSN.
const EnvDSN = "ROOTWARD_TEST_POSTGRES"

// DSN returns the test server's DSN, or skips the test with a printed reason when none is set
// (.ci/postgres.sh provides a server).
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		t.Skip(EnvDSN + " not set: PostgreSQL test not run")
	}
	return dsn
}

// FreshSchema creates an empty schema with a random name on the server of dsn, drops it when the
// test ends, and returns dsn with its search_path set to it.
func FreshSchema(t testing.TB, dsn string) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "rootward_test_" + hex.EncodeToString(b)
	exec := func(sql string) {
		t.Helper()
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	ident := pgx.Identifier{schema}.Sanitize()
	exec("CREATE SCHEMA " + ident)
	t.Cleanup(func() { exec("DROP SCHEMA " + ident + " CASCADE") })
	return withSearchPath(t, dsn, schema)
}

// withSearchPath adds a search_path run-time parameter to a URL or key=value DSN.
func withSearchPath(t testing.TB, dsn, schema string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(EnvDSN + " is not a valid URL")
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}
