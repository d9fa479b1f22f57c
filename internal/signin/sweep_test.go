package signin

import (
	"testing"

	"github.com/rootward/rootward/internal/store"
)

// Sweep removes pending sign-ins and device cookies once they have expired, and nothing before.
func TestSweep(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// A completed sign-in leaves a device cookie; a second one waits at its registration step.
	done, err := e.svc.SkipMFARegistration(e.ctx, e.signInRoot(StepMFARegistration).Token, e.client)
	if err != nil || done.Device == nil {
		t.Fatalf("SkipMFARegistration = %+v, %v", done, err)
	}
	e.signInRoot(StepMFARegistration)
	count := func(kind string) int {
		t.Helper()
		var n int
		if err := e.st.View(e.ctx, func(tx store.Tx) (err error) {
			n, err = tx.Count(kind, "", "")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		name                  string
		advance               func()
		removed, pending, dev int
	}{
		{"nothing has expired", func() {}, 0, 1, 1},
		{"the pending sign-in has", func() { e.clock.Advance(pendingLifetime) }, 1, 0, 1},
		{"the device cookie has", func() { e.clock.Advance(DeviceCookieLifetime) }, 1, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.advance()
			n, err := e.svc.Sweep(e.ctx)
			if err != nil || n != tc.removed {
				t.Fatalf("Sweep = %d, %v; want %d", n, err, tc.removed)
			}
			if got := count(kindPending); got != tc.pending {
				t.Errorf("pending sign-ins left = %d, want %d", got, tc.pending)
			}
			if got := count(kindDevice); got != tc.dev {
				t.Errorf("device cookies left = %d, want %d", got, tc.dev)
			}
		})
	}
}
