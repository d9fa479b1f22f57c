package iam

import (
	"context"
	"fmt"
	"testing"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/postgres"
	"github.com/rootward/rootward/internal/store/postgres/pgtest"
	"github.com/rootward/rootward/internal/testutil"
)

// On PostgreSQL, write transactions run SERIALIZABLE: a transaction that read what a concurrent
// one wrote, while that one read what it wrote, is rolled back and run again. Writes to different
// entities must not meet that way through a read they need not make (issue 11 §2). These tests
// interleave two transactions by hand: the first does its work and waits, the second runs and
// commits, then the first commits; each counts how many times it ran. They call the transaction
// bodies, not the Service methods, so that they see only the reads of the operation itself, not
// the account's generation row every write also updates (workstream C removes it).

// contendedUpdates runs first up to its commit, then second to its commit, then lets first
// commit, and returns how many times each ran.
func contendedUpdates(t *testing.T, st store.Store, first, second func(t txn) error) (int, int) {
	t.Helper()
	ctx := context.Background()
	ready, release := make(chan struct{}), make(chan struct{})
	runs1, runs2 := 0, 0
	done := make(chan error, 1)
	go func() {
		done <- store.Update(ctx, st, func(t txn) error {
			runs1++
			if err := first(t); err != nil {
				return err
			}
			if runs1 == 1 {
				close(ready)
				<-release
			}
			return nil
		})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("first transaction: %v", err)
	}
	err := store.Update(ctx, st, func(t txn) error {
		runs2++
		return second(t)
	})
	close(release)
	if err != nil {
		t.Fatalf("second transaction: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("first transaction: %v", err)
	}
	return runs1, runs2
}

// TestAttachSharedPolicyDoesNotConflict: two users far apart in key order get one customer
// managed policy attached at the same time. Loading the policy used to count its attachments,
// a read of the very range both attachments are written into, so one of the two always ran twice.
func TestAttachSharedPolicyDoesNotConflict(t *testing.T) {
	st, err := postgres.Open(context.Background(), pgtest.FreshSchema(t, pgtest.DSN(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	svc := New(st, testutil.Sealer(t))
	ctx := context.Background()
	acct, err := svc.CreateAccount(ctx, "Acme-Prod", "root@acme.example", "")
	if err != nil {
		t.Fatal(err)
	}
	a := acct.ID
	p, err := svc.CreatePolicy(ctx, a, CreatePolicyInput{PolicyName: "shared", PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	// Filler users, each with an attachment of another policy, around the two under test, so
	// that their rows lie on index pages of their own (PostgreSQL's serializable reads of an
	// index lock whole pages: neighbours on one page would conflict for that reason alone).
	err = store.Update(ctx, st, func(t txn) error {
		for _, name := range []string{"a-target", "m-target"} {
			if err := t.InsertJSON(kindUser, a, name, &User{UserName: name, Path: "/"}); err != nil {
				return err
			}
		}
		for i := range 1500 {
			for _, prefix := range []string{"f", "t"} {
				name := fmt.Sprintf("%s%04d", prefix, i)
				if err := t.InsertJSON(kindUser, a, name, &User{UserName: name, Path: "/"}); err != nil {
					return err
				}
				if err := t.attachPolicy(a, principalUserT, name, "arn:aws:iam::aws:policy/ReadOnlyAccess"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	attach := func(user string) func(t txn) error {
		return func(t txn) error {
			if err := t.modifiablePrincipal(a, principalUserT, user); err != nil {
				return err
			}
			return t.attachPolicy(a, principalUserT, user, p.Arn)
		}
	}
	runs1, runs2 := contendedUpdates(t, st, attach("a-target"), attach("m-target"))
	if runs1 != 1 || runs2 != 1 {
		t.Errorf("transactions ran %d and %d times, want 1 and 1", runs1, runs2)
	}
	got, err := svc.GetPolicy(ctx, a, p.Arn)
	if err != nil || got.AttachmentCount != 2 {
		t.Fatalf("GetPolicy = %+v, %v; want AttachmentCount 2", got, err)
	}
}
