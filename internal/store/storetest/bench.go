package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/rootward/rootward/internal/store"
)

// The benchmark workloads every backend runs, so the backends compare in one run
// (`go test -run '^$' -bench . ./internal/store/...`).

// Body is a typical stored object: a user record of a few hundred bytes of JSON.
var Body = []byte(`{"UserName":"user-00000","UserId":"AIDAEXAMPLEEXAMPLE001","Arn":"arn:aws:iam::123456789012:user/engineering/user-00000","Path":"/engineering/","CreateDate":"2026-01-02T03:04:05Z","Tags":[{"Key":"team","Value":"platform"}],"PermissionsBoundary":""}`)

// Fill writes n users in one transaction.
func Fill(tb testing.TB, st store.Store, n int) {
	tb.Helper()
	err := st.Update(context.Background(), func(tx store.Tx) error {
		for i := range n {
			if err := tx.Insert("user", "123456789012", fmt.Sprintf("user-%06d", i), Body); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchGet reads one object by key in its own View, as a request handler does.
func BenchGet(b *testing.B, st store.Store) {
	const n = 10_000
	Fill(b, st, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		key := fmt.Sprintf("user-%06d", i%n)
		err := st.View(ctx, func(tx store.Tx) error {
			_, err := tx.Get("user", "123456789012", key)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchGetParallel is BenchGet from GOMAXPROCS goroutines.
func BenchGetParallel(b *testing.B, st store.Store) {
	const n = 10_000
	Fill(b, st, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("user-%06d", rand.IntN(n))
			err := st.View(ctx, func(tx store.Tx) error {
				_, err := tx.Get("user", "123456789012", key)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchInsert commits one new object per Update: one durable commit each.
func BenchInsert(b *testing.B, st store.Store) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		key := "user-" + strconv.Itoa(i)
		err := st.Update(ctx, func(tx store.Tx) error {
			return tx.Insert("user", "123456789012", key, Body)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
