package postgres

import (
	"context"
	"testing"

	"github.com/rootward/rootward/internal/store/storetest"
)

// The same workloads as the SQLite benchmarks, so the two backends can be compared in one run.

func benchDB(b *testing.B) *DB {
	b.Helper()
	db, err := Open(context.Background(), freshSchema(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db
}

func BenchmarkGet(b *testing.B) { storetest.BenchGet(b, benchDB(b)) }

func BenchmarkInsert(b *testing.B) { storetest.BenchInsert(b, benchDB(b)) }
