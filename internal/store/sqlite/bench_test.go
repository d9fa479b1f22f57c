package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/storetest"
)

// fill writes n users in one transaction.
func fill(tb testing.TB, db *DB, n int) { storetest.Fill(tb, db, n) }

func openBench(b *testing.B) *DB {
	b.Helper()
	db, err := Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db
}

// BenchmarkGet reads one object by key in its own View, as a request handler does.
func BenchmarkGet(b *testing.B) { storetest.BenchGet(b, openBench(b)) }

// BenchmarkGetParallel is BenchmarkGet from GOMAXPROCS goroutines: Views share the read pool.
func BenchmarkGetParallel(b *testing.B) { storetest.BenchGetParallel(b, openBench(b)) }

// BenchmarkInsert commits one new object per Update: one durable (synchronous=FULL) commit each.
func BenchmarkInsert(b *testing.B) { storetest.BenchInsert(b, openBench(b)) }

// BenchmarkOpen opens (and closes) an empty database and one of 100,000 objects: the times must
// be alike, since Open reads only the schema and the migration table.
func BenchmarkOpen(b *testing.B) {
	for _, n := range []int{0, 100_000} {
		b.Run("objects="+strconv.Itoa(n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "open.db")
			db, err := Open(path)
			if err != nil {
				b.Fatal(err)
			}
			fill(b, db, n)
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				db, err := Open(path)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_ = db.Close()
				b.StartTimer()
			}
		})
	}
}

// TestOpenLargeIsFast guards the property BenchmarkOpen measures: opening a database of 100,000
// objects and reading one takes a small fraction of a second (it takes milliseconds), however
// long writing them took.
func TestOpenLargeIsFast(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100,000 objects")
	}
	const n = 100_000
	path := filepath.Join(t.TempDir(), "large.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	fill(t, db, n)
	fillTime := time.Since(start)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	start = time.Now()
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got []byte
	err = db.View(context.Background(), func(tx store.Tx) error {
		got, err = tx.Get("user", "123456789012", fmt.Sprintf("user-%06d", n-1))
		return err
	})
	openTime := time.Since(start)
	if err != nil || len(got) != len(storetest.Body) {
		t.Fatalf("Get after reopen = %d bytes, %v", len(got), err)
	}
	t.Logf("writing %d objects: %v; Open and first Get: %v", n, fillTime, openTime)
	// Generous for a loaded CI machine; a scan of the table would take about as long as
	// writing it.
	if openTime > time.Second {
		t.Errorf("Open and first Get took %v", openTime)
	}
}
