package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/postgres/pgtest"
	"github.com/rootward/rootward/internal/store/storetest"
)

// serverDSN returns the DSN of the test server, or skips the test.
func serverDSN(t testing.TB) string { return pgtest.DSN(t) }

// freshSchema gives the test an empty schema of its own.
func freshSchema(t testing.TB) string { return pgtest.FreshSchema(t, pgtest.DSN(t)) }

func TestConformance(t *testing.T) {
	serverDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := Open(context.Background(), freshSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	})
}

// TestConformanceShared opens one schema through two pools, which is what two rootward processes
// sharing a database do: the conflicts travel through the server, not through Go.
func TestConformanceShared(t *testing.T) {
	serverDSN(t)
	storetest.RunShared(t, func(t *testing.T) storetest.Opener {
		dsn := freshSchema(t)
		return func() (store.Store, error) { return Open(context.Background(), dsn) }
	})
}

func TestOpenHidesPassword(t *testing.T) {
	tests := []struct {
		name, dsn string
	}{
		{"URL with bad port", "postgres://rootward:s3cr3t-pw@127.0.0.1:notaport/db"},
		{"URL with bad escape", "postgres://rootward:s3cr3t-pw@127.0.0.1/db%zz"},
		{"key=value with bad port", "host=127.0.0.1 port=notaport user=rootward password=s3cr3t-pw"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), tc.dsn)
			if err == nil {
				t.Fatal("Open succeeded on an invalid DSN")
			}
			if strings.Contains(err.Error(), "s3cr3t-pw") {
				t.Errorf("error reveals the password: %v", err)
			}
		})
	}
}

func TestIsConflict(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"serialization failure", &pgconn.PgError{Code: "40001"}, true},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, true},
		{"wrapped serialization failure", fmt.Errorf("get: %w", &pgconn.PgError{Code: "40001"}), true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"transaction aborted", &pgconn.PgError{Code: "25P02"}, false},
		{"not a server error", context.Canceled, false},
		{"nil", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := isConflict(tc.err); got != tc.want {
				t.Errorf("isConflict(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// TestViewTransactionRefusesWrites bypasses the ErrReadOnly check to show that the server itself
// refuses writes in View (READ ONLY transaction, SQLSTATE 25006).
func TestViewTransactionRefusesWrites(t *testing.T) {
	db, err := Open(context.Background(), freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	err = db.View(ctx, func(st store.Tx) error {
		_, err := st.(*tx).pg.Exec(ctx, `INSERT INTO objects (kind, account, key, body) VALUES ('\x01', '\x01', '\x01', '')`)
		return err
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
		t.Fatalf("raw INSERT in View = %v, want SQLSTATE 25006", err)
	}
}

// raiseConflict makes the transaction lose a serialization conflict, as PostgreSQL reports it.
func raiseConflict(st store.Tx) error {
	t := st.(*store.Observed).Unwrap().(*tx)
	_, err := t.pg.Exec(t.ctx, `DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$`)
	return t.fail("test", err)
}

// TestUpdateRetriesConflictsWhileContextLives: a transaction that keeps losing conflicts runs
// again, with backoff, for as long as its context lives; it used to give up after 20 attempts,
// which the server answered with a 500 (issue 11 §3). A context that ends stops the retries with
// the context's error. The counters say what happened.
func TestUpdateRetriesConflictsWhileContextLives(t *testing.T) {
	db, err := Open(context.Background(), freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t.Run("conflicts then commits", func(t *testing.T) {
		const losses = 25
		before := db.Stats() // Open's own transactions (migrations) count too
		runs := 0
		err := db.Update(context.Background(), func(st store.Tx) error {
			runs++
			if runs <= losses {
				return raiseConflict(st)
			}
			return st.Put("k", "", "key", []byte("v"))
		})
		if err != nil || runs != losses+1 {
			t.Fatalf("Update = %v after %d runs, want nil after %d", err, runs, losses+1)
		}
		after := db.Stats()
		if got, want := (Stats{after.Committed - before.Committed, after.Conflicts - before.Conflicts, after.Abandoned - before.Abandoned}), (Stats{Committed: 1, Conflicts: losses}); got != want {
			t.Errorf("Stats rose by %+v, want %+v", got, want)
		}
	})
	t.Run("context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		runs := 0
		err := db.Update(ctx, func(st store.Tx) error {
			runs++
			err := raiseConflict(st)
			if runs == 3 {
				cancel()
			}
			return err
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Update = %v, want context.Canceled", err)
		}
		if got := db.Stats(); got.Abandoned != 1 {
			t.Errorf("Stats = %+v, want 1 abandoned", got)
		}
	})
}
