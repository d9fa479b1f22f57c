package iam

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/postgres"
	"github.com/rootward/rootward/internal/store/postgres/pgtest"
	"github.com/rootward/rootward/internal/testutil"
)

// On PostgreSQL, write transactions run SERIALIZABLE: a transaction that read what a concurrent
// one wrote, while that one read what it wrote, is rolled back and run again. Writes to different
// entities must not meet that way through a read they need not make (issue 11 §2). These tests
// interleave two transactions by hand: the first does its work and waits before it commits, the
// second runs and commits, then the first commits; the store counts how many times they ran.

// contended is an account on a fresh PostgreSQL schema with a customer managed policy and filler
// users, each with an attachment of another policy, whose rows lie around those of the users a
// test creates (names starting "a-", "h-", "p-" or "x-"), so that those lie on index pages of
// their own: PostgreSQL's serializable reads of an index lock whole pages, and neighbours on one
// page would conflict for that reason alone.
type contended struct {
	st      *pausing
	svc     *Service
	account string
	policy  string // ARN of the customer managed policy
}

func newContended(t *testing.T) *contended {
	t.Helper()
	pg, err := postgres.Open(context.Background(), pgtest.FreshSchema(t, pgtest.DSN(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Close() })
	st := &pausing{Store: pg}
	svc := New(st, testutil.Sealer(t))
	ctx := context.Background()
	acct, err := svc.CreateAccount(ctx, "Acme-Prod", "root@acme.example", "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.CreatePolicy(ctx, acct.ID, CreatePolicyInput{PolicyName: "shared", PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	err = store.Update(ctx, pg, func(t txn) error {
		for i := range 1000 {
			for _, prefix := range []string{"f", "m", "t", "z"} {
				name := fmt.Sprintf("%s%04d", prefix, i)
				if err := users.Insert(t, acct.ID, name, &userRecord{Name: name, Path: "/"}); err != nil {
					return err
				}
				if err := t.attachPolicy(acct.ID, principalUserT, name, "arn:aws:iam::aws:policy/ReadOnlyAccess"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return &contended{st: st, svc: svc, account: acct.ID, policy: p.Arn}
}

// pausing is a store whose next Update, once armed, stops after its first run of fn, before it
// commits, until released; it counts how many times Updates ran fn.
type pausing struct {
	store.Store
	armed   chan struct{} // receives once the armed Update is paused
	release chan struct{}
	runs    atomic.Int64
}

func (p *pausing) Update(ctx context.Context, fn func(store.Tx) error) error {
	armed, release := p.armed, p.release
	p.armed, p.release = nil, nil
	return p.Store.Update(ctx, func(tx store.Tx) error {
		p.runs.Add(1)
		if err := fn(tx); err != nil {
			return err
		}
		if armed != nil {
			armed <- struct{}{}
			armed = nil
			<-release
		}
		return nil
	})
}

// interleave runs first until it is about to commit, then second to its commit, then lets first
// commit, and returns how many times their transactions ran.
func (c *contended) interleave(t *testing.T, first, second func() error) int64 {
	t.Helper()
	c.st.runs.Store(0)
	armed, release := make(chan struct{}), make(chan struct{})
	c.st.armed, c.st.release = armed, release
	done := make(chan error, 1)
	go func() { done <- first() }()
	select {
	case <-armed:
	case err := <-done:
		t.Fatalf("first: %v", err)
	}
	err := second()
	close(release)
	if err != nil {
		t.Fatalf("second: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("first: %v", err)
	}
	return c.st.runs.Load()
}

// TestAttachSharedPolicyDoesNotConflict: two users far apart in key order get one customer
// managed policy attached at the same time. Loading the policy used to count its attachments,
// a read of the very range both attachments are written into, so one of the two always ran twice.
// It calls the transaction bodies, not AttachPolicy, so that it sees only the reads of the
// attachment itself, not the account's generation row every write also updates.
func TestAttachSharedPolicyDoesNotConflict(t *testing.T) {
	c := newContended(t)
	a := c.account
	for _, u := range []string{"a-target", "p-target"} {
		if _, err := c.svc.CreateUser(context.Background(), a, CreateUserInput{UserName: u}); err != nil {
			t.Fatal(err)
		}
	}
	attach := func(user string) func() error {
		return func() error {
			return store.Update(context.Background(), c.st, func(t txn) error {
				if err := t.modifiablePrincipal(a, principalUserT, user); err != nil {
					return err
				}
				return t.attachPolicy(a, principalUserT, user, c.policy)
			})
		}
	}
	if runs := c.interleave(t, attach("a-target"), attach("p-target")); runs != 2 {
		t.Errorf("the two transactions ran %d times in all, want 2", runs)
	}
	got, err := c.svc.GetPolicy(context.Background(), a, c.policy)
	if err != nil || got.AttachmentCount != 2 {
		t.Fatalf("GetPolicy = %+v, %v; want AttachmentCount 2", got, err)
	}
}

// skipWhileGenerationRow skips the test while every write still updates the account's generation
// row (newContended's CreatePolicy wrote it), which makes every two writes conflict (workstream C
// of issue 11 removes it).
func (c *contended) skipWhileGenerationRow(t *testing.T) {
	t.Helper()
	var generation []byte
	err := c.st.View(context.Background(), func(tx store.Tx) (err error) {
		generation, err = tx.Get("meta", c.account, "generation")
		return err
	})
	if err == nil {
		t.Skipf("every write still updates the account's generation row (%s), so every two writes conflict", generation)
	}
}

// TestPolicyChangeDoesNotConflictWithAttachment: changing a customer managed policy while it is
// attached to a user. The change used to count the policy's attachments, which the attachment
// writes into while it reads the policy the change writes: one of the two always ran again.
func TestPolicyChangeDoesNotConflictWithAttachment(t *testing.T) {
	c := newContended(t)
	ctx := context.Background()
	a := c.account
	c.skipWhileGenerationRow(t)
	changes := []struct {
		name   string
		change func() error
	}{
		{"TagPolicy", func() error { return c.svc.TagPolicy(ctx, a, c.policy, []Tag{{Key: "team", Value: "blue"}}) }},
		{"UntagPolicy", func() error { return c.svc.UntagPolicy(ctx, a, c.policy, []string{"team"}) }},
		{"SetDefaultPolicyVersion", func() error { return c.svc.SetDefaultPolicyVersion(ctx, a, c.policy, "v1") }},
	}
	n := 0
	for _, ch := range changes {
		for _, changeFirst := range []bool{true, false} {
			name := ch.name + " then AttachUserPolicy"
			if !changeFirst {
				name = "AttachUserPolicy then " + ch.name
			}
			t.Run(name, func(t *testing.T) {
				n++
				user := fmt.Sprintf("h-%02d", n)
				if _, err := c.svc.CreateUser(ctx, a, CreateUserInput{UserName: user}); err != nil {
					t.Fatal(err)
				}
				attach := func() error { return c.svc.AttachPolicy(ctx, a, principalUserT, user, c.policy) }
				first, second := ch.change, attach
				if !changeFirst {
					first, second = attach, ch.change
				}
				if runs := c.interleave(t, first, second); runs != 2 {
					t.Errorf("the two transactions ran %d times in all, want 2", runs)
				}
			})
		}
	}
}

// TestWritesToDifferentUsersDoNotConflict interleaves every pair of the load test's writes
// (issue 11 §3) on two different users: neither may have to run again (issue 11 §2).
func TestWritesToDifferentUsersDoNotConflict(t *testing.T) {
	c := newContended(t)
	ctx := context.Background()
	a := c.account
	c.skipWhileGenerationRow(t)
	ops := []struct {
		name string
		op   func(user string) error
	}{
		{"CreateUser", func(u string) error {
			_, err := c.svc.CreateUser(ctx, a, CreateUserInput{UserName: u + "-new"})
			return err
		}},
		{"AttachUserPolicy customer managed", func(u string) error { return c.svc.AttachPolicy(ctx, a, principalUserT, u, c.policy) }},
		{"AttachUserPolicy AWS managed", func(u string) error {
			return c.svc.AttachPolicy(ctx, a, principalUserT, u, "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
		}},
		{"TagUser", func(u string) error { return c.svc.TagUser(ctx, a, u, []Tag{{Key: "team", Value: "blue"}}) }},
	}
	n := 0
	for _, first := range ops {
		for _, second := range ops {
			t.Run(first.name+" then "+second.name, func(t *testing.T) {
				n++
				users := []string{fmt.Sprintf("h-%02d", n), fmt.Sprintf("x-%02d", n)}
				for _, u := range users {
					if _, err := c.svc.CreateUser(ctx, a, CreateUserInput{UserName: u}); err != nil {
						t.Fatal(err)
					}
				}
				runs := c.interleave(t, func() error { return first.op(users[0]) }, func() error { return second.op(users[1]) })
				if runs != 2 {
					t.Errorf("the two transactions ran %d times in all, want 2", runs)
				}
			})
		}
	}
}
