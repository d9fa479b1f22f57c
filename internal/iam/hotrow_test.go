package iam_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/postgres"
	"github.com/rootward/rootward/internal/store/postgres/pgtest"
	"github.com/rootward/rootward/internal/store/storetest"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
)

// writes to different users of one account, as the two-node load test makes them (issue 11).
var perUserWrites = []struct {
	name string
	fn   func(ctx context.Context, svc *iam.Service, account, user string) error
}{
	{"CreateUser", func(ctx context.Context, svc *iam.Service, account, user string) error {
		_, err := svc.CreateUser(ctx, account, iam.CreateUserInput{UserName: user + "-new"})
		return err
	}},
	// A policy of each user's own: attaching reads the policy's attachment count, a real
	// dependency between two attachments of one policy, which is not a shared row.
	{"AttachUserPolicy", func(ctx context.Context, svc *iam.Service, account, user string) error {
		return svc.AttachPolicy(ctx, account, "user", user, map[string]string{
			"alice": "arn:aws:iam::aws:policy/ReadOnlyAccess", "bob": "arn:aws:iam::aws:policy/IAMReadOnlyAccess",
		}[user])
	}},
	{"TagUser", func(ctx context.Context, svc *iam.Service, account, user string) error {
		return svc.TagUser(ctx, account, user, []iam.Tag{{Key: "team", Value: user}})
	}},
	{"PutUserPolicy", func(ctx context.Context, svc *iam.Service, account, user string) error {
		return svc.PutInlinePolicy(ctx, account, "user", user, "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)
	}},
	{"UpdateAccessKey", func(ctx context.Context, svc *iam.Service, account, user string) error {
		keys, err := svc.ListAccessKeys(ctx, account, user, iam.ListOpts{})
		if err != nil {
			return err
		}
		return svc.UpdateAccessKey(ctx, account, user, keys.Items[0].AccessKeyID, "Inactive")
	}},
}

func newAccount(t *testing.T, st store.Store) (*iam.Service, string) {
	t.Helper()
	svc := iam.New(st, testutil.Sealer(t), iam.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1}))
	ctx := context.Background()
	a, err := svc.CreateAccount(ctx, "hot", "root+hot@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"alice", "bob"} {
		if _, err := svc.CreateUser(ctx, a.ID, iam.CreateUserInput{UserName: u}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateAccessKey(ctx, a.ID, u); err != nil {
			t.Fatal(err)
		}
	}
	return svc, a.ID
}

// Writes to two different users of one account write no object in common: nothing per account
// (a generation, a counter) that every write would rewrite. Run on the backend under test.
func TestPerUserWritesShareNoObject(t *testing.T) {
	t.Parallel()
	for _, w := range perUserWrites {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			r := &storetest.WriteLog{Store: testbackend.Open(t)}
			svc, account := newAccount(t, r)
			written := func(user string) []store.Change {
				r.Take()
				if err := w.fn(context.Background(), svc, account, user); err != nil {
					t.Fatal(err)
				}
				return r.Take()
			}
			alice, bob := written("alice"), written("bob")
			if len(alice) == 0 || len(bob) == 0 {
				t.Fatalf("%s wrote %q for alice and %q for bob, want something for each", w.name, alice, bob)
			}
			for _, c := range alice {
				if slices.Contains(bob, c) {
					t.Errorf("%s of alice and of bob both wrote %q", w.name, c)
				}
			}
		})
	}
}

// barrier is a store whose Updates, while armed, each run their function once and then wait for
// the other's before committing: two transactions interleaved as far as they can be. A shared
// row then makes PostgreSQL abort one of them (SERIALIZABLE), and Update run it again.
type barrier struct {
	store.Store
	armed    atomic.Bool
	arrived  sync.WaitGroup
	attempts atomic.Int32
}

func (b *barrier) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	if !b.armed.Load() {
		return b.Store.Update(ctx, fn)
	}
	first := true
	return b.Store.Update(ctx, func(tx store.Tx) error {
		b.attempts.Add(1)
		err := fn(tx)
		if first {
			first = false
			b.arrived.Done()
			// The guard ends the wait when the other transaction is blocked on a row this
			// one holds (the old per-account generation row did that); it is not a timing
			// assertion: the attempt count is.
			done := make(chan struct{})
			go func() { b.arrived.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
			}
		}
		return err
	})
}

// Two writes to different users of one account on PostgreSQL, each transaction run to its last
// statement before either commits, both commit at their first attempt: no row is shared.
//
// The pair runs in rounds, each on a database schema of its own, until one round commits both at
// their first attempt (at most pairRounds). A row both write (the per-account generation row this
// replaced) aborts one of the two in every round. PostgreSQL's serializable isolation also aborts,
// now and then, two transactions that share no row, since its predicate locks on a B-tree are per
// page ("Serializable Isolation Level", PostgreSQL documentation,
// https://www.postgresql.org/docs/current/transaction-iso.html#XACT-SERIALIZABLE): AttachUserPolicy
// (a key looked up and not found, a count, then an insert, for each user) did so in 4 first rounds
// of 80 here, and with one round the test failed CI once. Within one schema, once it happened it
// happened in every later round, so the rounds take fresh schemas. The store retries such an abort
// (cmd/rootward TestTwoNodeLoadPostgres: no error answers); no error reaches the caller.
func TestPerUserWritesDoNotConflictOnPostgres(t *testing.T) {
	const pairRounds = 4
	dsn := pgtest.DSN(t)
	for _, w := range perUserWrites {
		t.Run(w.name, func(t *testing.T) {
			var attempts []int32
			for round := range pairRounds {
				st, err := postgres.Open(context.Background(), pgtest.FreshSchema(t, dsn))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = st.Close() })
				b := &barrier{Store: st}
				svc, account := newAccount(t, b)
				b.arrived.Add(2)
				b.armed.Store(true)
				errs := make(chan error, 2)
				for _, u := range []string{"alice", "bob"} {
					go func() { errs <- w.fn(context.Background(), svc, account, u) }()
				}
				for range 2 {
					if err := <-errs; err != nil {
						t.Fatal(err)
					}
				}
				if attempts = append(attempts, b.attempts.Load()); attempts[round] == 2 {
					return
				}
			}
			t.Errorf("%s of alice and of bob ran %v transaction attempts in %d rounds, want 2 (one each) in one round at least; a retry means they conflicted",
				w.name, attempts, pairRounds)
		})
	}
}
