package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// body is a typical stored object: a user record of a few hundred bytes of JSON.
var body = []byte(`{"UserName":"user-00000","UserId":"AIDAEXAMPLEEXAMPLE001","Arn":"arn:aws:iam::123456789012:user/engineering/user-00000","Path":"/engineering/","CreateDate":"2026-01-02T03:04:05Z","Tags":[{"Key":"team","Value":"platform"}],"PermissionsBoundary":""}`)

// fill writes n users in one transaction.
func fill(tb testing.TB, db *DB, n int) {
	tb.Helper()
	err := db.Update(context.Background(), func(tx store.Tx) error {
		for i := range n {
			if err := tx.Insert("user", "123456789012", fmt.Sprintf("user-%06d", i), body); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

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
func BenchmarkGet(b *testing.B) {
	const n = 10_000
	db := openBench(b)
	fill(b, db, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		key := fmt.Sprintf("user-%06d", i%n)
		err := db.View(ctx, func(tx store.Tx) error {
			_, err := tx.Get("user", "123456789012", key)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetParallel is BenchmarkGet from GOMAXPROCS goroutines: Views share the read pool.
func BenchmarkGetParallel(b *testing.B) {
	const n = 10_000
	db := openBench(b)
	fill(b, db, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("user-%06d", rand.IntN(n))
			err := db.View(ctx, func(tx store.Tx) error {
				_, err := tx.Get("user", "123456789012", key)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInsert commits one new object per Update: one durable (synchronous=FULL) commit each.
func BenchmarkInsert(b *testing.B) {
	db := openBench(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		key := "user-" + strconv.Itoa(i)
		err := db.Update(ctx, func(tx store.Tx) error {
			return tx.Insert("user", "123456789012", key, body)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

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
	if err != nil || len(got) != len(body) {
		t.Fatalf("Get after reopen = %d bytes, %v", len(got), err)
	}
	t.Logf("writing %d objects: %v; Open and first Get: %v", n, fillTime, openTime)
	// Generous for a loaded CI machine; a scan of the table would take about as long as
	// writing it.
	if openTime > time.Second {
		t.Errorf("Open and first Get took %v", openTime)
	}
}
