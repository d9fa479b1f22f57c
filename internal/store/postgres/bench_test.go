package postgres

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/rootward/rootward/internal/store"
)

// The same workloads as the SQLite benchmarks, so the two backends can be compared in one run.

var body = []byte(`{"UserName":"user-00000","UserId":"AIDAEXAMPLEEXAMPLE001","Arn":"arn:aws:iam::123456789012:user/engineering/user-00000","Path":"/engineering/","CreateDate":"2026-01-02T03:04:05Z","Tags":[{"Key":"team","Value":"platform"}],"PermissionsBoundary":""}`)

func benchDB(b *testing.B) *DB {
	b.Helper()
	db, err := Open(context.Background(), freshSchema(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db
}

func BenchmarkGet(b *testing.B) {
	db := benchDB(b)
	const n = 10_000
	ctx := context.Background()
	err := db.Update(ctx, func(tx store.Tx) error {
		for i := range n {
			if err := tx.Insert("user", "123456789012", fmt.Sprintf("user-%06d", i), body); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
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

func BenchmarkInsert(b *testing.B) {
	db := benchDB(b)
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
