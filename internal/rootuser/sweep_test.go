package rootuser

import (
	"context"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
)

func TestSweep(t *testing.T) {
	e, _ := mfaRecoveryEnv(t)
	proveBoth(t, e, outboxInbox{}, notify.SMS)
	testutil.WantCode(t, e.requestReset(rootEmail, e.client), "")
	if _, _, err := e.svc.BeginWebAuthnRegistration(e.ctx, e.account, "", "key"); err != nil {
		t.Fatal(err)
	}
	count := func(kind string) int {
		var n int
		_ = e.st.View(e.ctx, func(tx store.Tx) (err error) {
			n, err = tx.Count(kind, "", "")
			return err
		})
		return n
	}
	live := map[string]int{kindCeremony: 1, kindReset: 1, kindThrottle: count(kindThrottle)}
	if live[kindThrottle] == 0 {
		t.Fatalf("nothing to sweep: %v", live)
	}
	// Nothing has expired yet.
	if res, err := e.svc.Sweep(e.ctx); err != nil || res != (SweepResult{}) {
		t.Fatalf("early sweep = %+v, %v", res, err)
	}
	for kind, n := range live {
		if got := count(kind); got != n {
			t.Fatalf("%s: %d left, want %d", kind, got, n)
		}
	}
	// A day later everything has expired and the recovery's cooling-off has ended.
	e.clock.Advance(25 * time.Hour)
	res, err := e.svc.Sweep(e.ctx)
	if err != nil || res.RecoveriesCompleted != 1 {
		t.Fatalf("sweep = %+v, %v", res, err)
	}
	total := 0
	for kind, n := range live {
		total += n
		if got := count(kind); got != 0 {
			t.Fatalf("%s: %d left after the sweep", kind, got)
		}
	}
	if res.Removed != total {
		t.Fatalf("removed %d, want %d", res.Removed, total)
	}
}

// Run runs the housekeeping it is given (the sign-in service's Sweep, in serve) after its own.
func TestRunSweepsAlso(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// The first round runs at once, and cancelling in it ends Run before the ticker fires; the
	// timeout only keeps a broken Run from hanging the test.
	ctx, cancel := context.WithTimeout(e.ctx, time.Minute)
	defer cancel()
	calls := 0
	e.svc.Run(ctx, time.Hour, nil, func(context.Context) (int, error) {
		calls++
		cancel()
		return 1, nil
	})
	if calls != 1 {
		t.Fatalf("also ran %d times, want 1", calls)
	}
}
