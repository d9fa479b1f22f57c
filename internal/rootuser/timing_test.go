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
	// Large enough that one verification outweighs the store's work even when CI runs other test
	// packages on the same two cores.
	cost := password.Params{Memory: 48 * 1024, Time: 1, Threads: 1}
	e := newEnv(t, func(o *envOpt) { o.cost = &cost },
		withOptions(WithLimits(Limits{BackoffAfter: 1000, LockAfter: 1000, IPBackoffAfter: 1000, IPLockAfter: 1000,
			BackoffBase: time.Second, LockDuration: time.Minute, Forget: time.Hour, MessagesPerHour: 5})))
	attempt := func(email string, i int) time.Duration {
		start := time.Now()
		_, err := e.svc.BeginRootSignIn(e.ctx, email, fmt.Sprintf("Wrong-Pass-%d", i), e.client)
		d := time.Since(start)
		wantCode(t, err, "AccessDenied")
		return d
	}
	attempt(rootEmail, 0) // warm up
	attempt("nobody@example.com", 0)
	// Known and unknown attempts alternate, so a change in the machine's load during the test
	// weighs on both samples alike.
	var knownD, unknownD []time.Duration
	for i := range 11 {
		knownD = append(knownD, attempt(rootEmail, i))
		unknownD = append(unknownD, attempt("nobody@example.com", i))
	}
	median := func(d []time.Duration) time.Duration {
		slices.Sort(d)
		return d[len(d)/2]
	}
	known, unknown := median(knownD), median(unknownD)
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
