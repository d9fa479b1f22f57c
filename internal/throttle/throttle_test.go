package throttle_test

import (
	"context"
	"github.com/rootward/rootward/internal/testutil"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/throttle"
)

func TestReserveRefundClear(t *testing.T) {
	ctx := context.Background()
	clk := testutil.NewClock(time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC))
	c := throttle.New(testbackend.Open(t), throttle.DefaultLimits, clk.Now)
	sc := throttle.DefaultLimits.Identity("test", "alice")
	fail := func(n int) {
		t.Helper()
		for range n {
			if _, err := c.Reserve(ctx, sc); err != nil {
				t.Fatalf("reserve: %v", err)
			}
			clk.Advance(time.Minute)
		}
	}
	wait := func() time.Duration {
		_, err := c.Reserve(ctx, sc)
		d, _ := throttle.RetryAfter(err)
		return d
	}
	fail(4)
	// The fifth attempt is reserved, then refunded (it succeeded): four failures remain, none waits.
	res, err := c.Reserve(ctx, sc)
	if err != nil || len(res.Locking()) != 0 {
		t.Fatalf("fifth attempt: %v, %v", res, err)
	}
	if err := c.Refund(ctx, sc); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.State(ctx, sc); got.Failures != 4 {
		t.Fatalf("failures after a refund = %d, want 4", got.Failures)
	}
	fail(1) // the refunded attempt was not counted: this is the fifth failure
	if d := wait(); d != 0 {
		t.Fatalf("a minute after the fifth failure: wait %v, want none", d)
	}
	// That reservation was the sixth failure: back-off of 2 s from now.
	if d := wait(); d != 2*time.Second {
		t.Fatalf("right after the sixth failure: wait %v, want 2s", d)
	}
	clk.Advance(time.Hour)
	fail(3)
	res, err = c.Reserve(ctx, sc) // the tenth
	if err != nil || len(res.Locking()) != 1 || res.Locking()[0] != sc {
		t.Fatalf("tenth failure: Locking = %v, %v; want the scope", res, err)
	}
	if d := wait(); d != 15*time.Minute {
		t.Fatalf("locked: wait %v, want 15m", d)
	}
	if got, _ := c.State(ctx, sc); !sc.Locked(got, clk.Now()) {
		t.Fatal("Locked = false while locked")
	}
	if err := c.Clear(ctx, sc); err != nil {
		t.Fatal(err)
	}
	if d := wait(); d != 0 {
		t.Fatalf("after Clear: wait %v, want none", d)
	}
}

// A counter stored before records were versioned (plain JSON) counts on; Idle tests stored
// bodies of both shapes.
func TestLegacyCounter(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	st := testbackend.Open(t)
	sc := throttle.DefaultLimits.Identity("test", "legacy")
	old := []byte(`{"failures":3,"last":"2026-05-04T09:59:00Z"}`)
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.Put(throttle.Kind, "", sc.Key, old) }); err != nil {
		t.Fatal(err)
	}
	c := throttle.New(st, throttle.DefaultLimits, func() time.Time { return now })
	if got, err := c.State(ctx, sc); err != nil || got.Failures != 3 || !got.Last.Equal(now.Add(-time.Minute)) {
		t.Fatalf("State of a legacy counter = %+v, %v; want 3 failures, last a minute ago", got, err)
	}
	if _, err := c.Reserve(ctx, sc); err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := st.View(ctx, func(tx store.Tx) (err error) { stored, err = tx.Get(throttle.Kind, "", sc.Key); return err }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		body   []byte
		cutoff time.Time
		want   bool
	}{
		{"legacy, idle", old, now.Add(-time.Minute), true},
		{"legacy, recent", old, now.Add(-2 * time.Minute), false},
		{"record, idle", stored, now, true},
		{"record, recent", stored, now.Add(-time.Second), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := throttle.Idle(tc.cutoff)(tc.body); err != nil || got != tc.want {
				t.Errorf("Idle(%s) = %v, %v; want %v", tc.cutoff, got, err, tc.want)
			}
		})
	}
}
