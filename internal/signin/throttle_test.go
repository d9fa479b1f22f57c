package signin

import (
	"fmt"
	"github.com/rootward/rootward/internal/testutil"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/rootuser"
)

// guess runs n sign-ins at once and counts how many reached the password check (AccessDenied)
// and how many were throttled before it.
func guess(t *testing.T, n int, try func(i int) error) (denied, throttled int) {
	t.Helper()
	errs := testutil.AtOnce(n, try)
	for _, err := range errs {
		switch {
		case isThrottled(err):
			throttled++
		case awserr.IsCode(err, awserr.AccessDenied) || awserr.IsCode(err, awserr.InvalidAuthenticationCode):
			denied++
		default:
			t.Fatalf("unexpected answer %v", err)
		}
	}
	return denied, throttled
}

// Parallel guesses cannot slip past the limits: with the clock frozen, exactly five of twenty
// simultaneous guesses reach the password check, on SQLite and (with ROOTWARD_TEST_POSTGRES)
// PostgreSQL alike; known and unknown emails are throttled the same way.
func TestThrottleConcurrentGuesses(t *testing.T) {
	for _, b := range backends() {
		for _, email := range []string{rootEmail, "nobody@example.com"} {
			t.Run(b.name+"/"+email, func(t *testing.T) { concurrentGuesses(t, b, email) })
		}
	}
}

func concurrentGuesses(t *testing.T, b backend, email string) {
	e := newEnv(t, onBackend(b))
	denied, throttled := guess(t, 20, func(i int) error {
		// A different address each, so only the email's counter is at stake.
		_, err := e.svc.BeginRootSignIn(e.ctx, email, fmt.Sprintf("Wrong-Guess-%d", i), Client{SourceIP: fmt.Sprintf("198.51.100.%d", i+1)})
		return err
	})
	if denied != 5 || throttled != 15 {
		t.Fatalf("denied %d, throttled %d; want 5 and 15", denied, throttled)
	}
	// Back-off doubles: 1 s after the fifth failure, then 2, 4, 8, 16 s; the tenth locks.
	for i, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second} {
		_, err := e.svc.BeginRootSignIn(e.ctx, email, "Wrong-Again-1", e.client)
		if got, ok := rootuser.RetryAfter(err); !ok || got != wait {
			t.Fatalf("failure %d: retry after %v (%v), want %v", 6+i, got, err, wait)
		}
		e.clock.Advance(wait)
		_, err = e.svc.BeginRootSignIn(e.ctx, email, "Wrong-Again-1", e.client)
		testutil.WantCode(t, err, awserr.AccessDenied)
	}
	// Ten failures: locked for 15 minutes, even for the right password.
	_, err := e.svc.BeginRootSignIn(e.ctx, email, rootPass, e.client)
	if got, ok := rootuser.RetryAfter(err); !ok || got != 15*time.Minute {
		t.Fatalf("lock: retry after %v (%v)", got, err)
	}
	// The lock ends by itself: the root user is never locked out for good.
	e.clock.Advance(15 * time.Minute)
	_, err = e.svc.BeginRootSignIn(e.ctx, email, rootPass, e.client)
	if email == rootEmail {
		testutil.WantCode(t, err, "")
	} else {
		testutil.WantCode(t, err, awserr.AccessDenied)
	}
}

func TestThrottleAfterUnlockStaysInBackoff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wrong := func() error {
		_, err := e.svc.BeginRootSignIn(e.ctx, rootEmail, "Wrong-Guess-0", e.client)
		return err
	}
	for range 10 {
		for {
			err := wrong()
			if d, ok := rootuser.RetryAfter(err); ok {
				e.clock.Advance(d)
				continue
			}
			testutil.WantCode(t, err, awserr.AccessDenied)
			break
		}
	}
	e.clock.Advance(15 * time.Minute)
	// After the lock, the counter is back at the back-off threshold: one failure, then a wait.
	testutil.WantCode(t, wrong(), awserr.AccessDenied)
	if d, ok := rootuser.RetryAfter(wrong()); !ok || d != 2*time.Second {
		t.Fatalf("after unlock: retry after %v", d)
	}
	// A day without failures forgets the counter.
	e.clock.Advance(25 * time.Hour)
	for range 5 {
		testutil.WantCode(t, wrong(), awserr.AccessDenied)
	}
}

// The per-address counter stops one address from spraying many identities.
func TestThrottlePerSourceAddress(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		addrs func(i int) string
		want  int // how many of 30 reach the password check
	}{
		{"one IPv4 address", func(int) string { return "192.0.2.10" }, 20},
		{"one IPv6 /64, rotating hosts", func(i int) string { return fmt.Sprintf("2001:db8:1:2::%x", i+1) }, 20},
		{"different /64s", func(i int) string { return fmt.Sprintf("2001:db8:%x::1", i+1) }, 30},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			denied, _ := guess(t, 30, func(i int) error {
				_, err := e.svc.BeginRootSignIn(e.ctx, fmt.Sprintf("user%d@example.com", i), "Some-Password-1", Client{SourceIP: tc.addrs(i)})
				return err
			})
			if denied != tc.want {
				t.Fatalf("%d reached the password check, want %d", denied, tc.want)
			}
		})
	}
}

// One address's allowance is shared by root and IAM-user sign-ins.
func TestThrottleAddressSharedAcrossSignIns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := Client{SourceIP: "192.0.2.77"}
	for i := range 10 {
		_, err := e.svc.BeginRootSignIn(e.ctx, fmt.Sprintf("user%d@example.com", i), "Some-Password-1", c)
		testutil.WantCode(t, err, awserr.AccessDenied)
		_, err = e.svc.BeginUserSignIn(e.ctx, e.account, fmt.Sprintf("user%d", i), "Some-Password-1", c)
		testutil.WantCode(t, err, awserr.AccessDenied)
	}
	if _, err := e.svc.BeginUserSignIn(e.ctx, e.account, "user-x", "Some-Password-1", c); !isThrottled(err) {
		t.Fatalf("21st failure from one address = %v, want Throttling", err)
	}
}

// MFA codes are throttled like passwords, across pending sign-ins.
func TestThrottleConcurrentMFA(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { concurrentMFA(t, b) })
	}
}

func concurrentMFA(t *testing.T, b backend) {
	e := newEnv(t, onBackend(b))
	_, serial := e.enrolTOTP(e.account, "", "")
	tokens := make([]string, 12)
	for i := range tokens {
		tokens[i] = e.signInRoot(StepMFA).Token
	}
	denied, throttled := guess(t, len(tokens), func(i int) error {
		_, err := e.svc.CompleteMFA(e.ctx, tokens[i], MFAResponse{Serial: serial, Code: "999999"}, Client{SourceIP: fmt.Sprintf("198.51.100.%d", i+1)})
		return err
	})
	if denied != 5 || throttled != 7 {
		t.Fatalf("denied %d, throttled %d; want 5 and 7", denied, throttled)
	}
}

// Ten wrong codes at the console's MFA step lock the principal's MFA, as on the API, and the
// security contacts hear of it once.
func TestMFALockAtSignInAlertsContacts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, serial := e.enrolTOTP(e.account, "", "")
	e.clock.Advance(time.Minute)
	var token string
	for failures := 0; failures < 10; {
		if token == "" {
			token = e.signInRoot(StepMFA).Token
		}
		_, err := e.svc.CompleteMFA(e.ctx, token, MFAResponse{Serial: serial, Code: "999999"}, e.client)
		if d, ok := rootuser.RetryAfter(err); ok {
			e.clock.Advance(d)
			continue
		}
		testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
		failures++
		if _, err := e.svc.PendingAt(e.ctx, token); err != nil {
			token = "" // three wrong codes end a pending sign-in
		}
	}
	msgs, err := e.notify.Outbox(e.ctx, notify.Query{To: rootEmail, Purpose: rootuser.PurposeMFALocked})
	if err != nil || len(msgs) != 1 || !strings.Contains(msgs[0].Body, "Every MFA code of the root user is locked") {
		t.Fatalf("lock alerts = %+v, %v; want one", msgs, err)
	}
}
