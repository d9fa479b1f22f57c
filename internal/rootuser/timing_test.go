package rootuser

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/password"
)

// A wrong password for an unknown email costs one argon2id verification, as for a known email, so
// response times do not tell which emails have accounts. With an argon2id cost large enough to
// dominate the store's work, the medians of the two must be close; without the dummy hash the
// unknown email would answer several times faster.
func TestSignInTimingUnknownEmail(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	cost := password.Params{Memory: 16 * 1024, Time: 1, Threads: 1}
	e := newEnv(t, func(o *envOpt) { o.cost = &cost },
		withOptions(WithLimits(Limits{BackoffAfter: 1000, LockAfter: 1000, IPBackoffAfter: 1000, IPLockAfter: 1000,
			BackoffBase: time.Second, LockDuration: time.Minute, Forget: time.Hour, MessagesPerHour: 5})))
	median := func(email string) time.Duration {
		var d []time.Duration
		for i := range 9 {
			start := time.Now()
			_, err := e.svc.BeginRootSignIn(e.ctx, email, fmt.Sprintf("Wrong-Pass-%d", i), e.client)
			d = append(d, time.Since(start))
			wantCode(t, err, "AccessDenied")
		}
		slices.Sort(d)
		return d[len(d)/2]
	}
	median(rootEmail) // warm up
	known, unknown := median(rootEmail), median("nobody@example.com")
	hash := password.Hash("x", cost)
	start := time.Now()
	_, _ = password.Verify("y", hash)
	verify := time.Since(start)
	t.Logf("median known %v, unknown %v, one verification %v", known, unknown, verify)
	if r := float64(unknown) / float64(known); r < 0.5 || r > 2 {
		t.Fatalf("unknown/known response time ratio %.2f", r)
	}
	if unknown < verify/2 {
		t.Fatalf("an unknown email answers in %v, faster than a password verification (%v)", unknown, verify)
	}
}
