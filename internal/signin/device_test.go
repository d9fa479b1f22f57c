package signin

import (
	"fmt"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/testutil"
)

// identity is a sign-in identity as a test drives it: a password attempt for it, from a client.
type identity struct {
	name    string
	attempt func(e *env, pw string, c Client) (*Pending, error)
	right   string
	// finish completes a sign-in whose password was right and returns its device cookie.
	finish func(e *env, p *Pending, c Client) *DeviceCookie
	setup  func(e *env)
}

var identities = []identity{
	{
		name: "root",
		attempt: func(e *env, pw string, c Client) (*Pending, error) {
			return e.svc.BeginRootSignIn(e.ctx, rootEmail, pw, c)
		},
		right: rootPass,
		finish: func(e *env, p *Pending, c Client) *DeviceCookie {
			e.t.Helper()
			// Inside the 35-day window the root user may postpone MFA registration.
			if p.Next != StepMFARegistration {
				e.t.Fatalf("next step = %s, want %s", p.Next, StepMFARegistration)
			}
			done, err := e.svc.SkipMFARegistration(e.ctx, p.Token, c)
			if err != nil {
				e.t.Fatal(err)
			}
			return done.Device
		},
		setup: func(*env) {},
	},
	{
		name: "IAM user",
		attempt: func(e *env, pw string, c Client) (*Pending, error) {
			return e.svc.BeginUserSignIn(e.ctx, e.account, "alice", pw, c)
		},
		right: "Alice-Pass-1",
		finish: func(e *env, p *Pending, _ Client) *DeviceCookie {
			e.t.Helper()
			if p.Next != StepDone {
				e.t.Fatalf("next step = %s, want %s", p.Next, StepDone)
			}
			return p.Device
		},
		setup: func(e *env) {
			if _, err := e.iam.CreateUser(e.ctx, e.account, iam.CreateUserInput{UserName: "alice"}); err != nil {
				e.t.Fatal(err)
			}
			if _, err := e.iam.CreateLoginProfile(e.ctx, e.account, "alice", "Alice-Pass-1", false); err != nil {
				e.t.Fatal(err)
			}
		},
	},
}

// signIn completes a sign-in from c and returns the device cookie it issued.
func (id identity) signIn(e *env, c Client) *DeviceCookie {
	e.t.Helper()
	p, err := id.attempt(e, id.right, c)
	if err != nil {
		e.t.Fatalf("%s sign-in: %v", id.name, err)
	}
	d := id.finish(e, p, c)
	if d == nil || d.Value == "" || d.ID == "" || !d.ExpiresAt.Equal(e.clock.Now().Add(DeviceCookieLifetime)) {
		e.t.Fatalf("device cookie = %+v, want one valid for %v", d, DeviceCookieLifetime)
	}
	return d
}

// ok signs in with the right password from *c, which must succeed, and keeps the device cookie
// the sign-in issued in place of the one it came with.
func (id identity) ok(e *env, c *Client) error {
	e.t.Helper()
	p, err := id.attempt(e, id.right, *c)
	if err != nil {
		return err
	}
	old := c.DeviceCookies
	c.DeviceCookies = []string{id.finish(e, p, *c).Value}
	for _, v := range old {
		if v == c.DeviceCookies[0] {
			e.t.Fatal("a completed sign-in gave back the device cookie it came with")
		}
	}
	return nil
}

// fail makes n wrong password attempts from client(i), waiting out each back-off.
func (id identity) fail(e *env, n int, client func(i int) Client) {
	e.t.Helper()
	for i := 0; i < n; {
		_, err := id.attempt(e, fmt.Sprintf("Wrong-Guess-%d", i), client(i))
		if d, ok := rootuser.RetryAfter(err); ok {
			e.clock.Advance(d)
			continue
		}
		testutil.WantCode(e.t, err, awserr.AccessDenied)
		i++
	}
}

// lockOut makes ten wrong password attempts from unknown clients (a new address each, so only the
// identity's counter is at stake) until the identity is locked.
func (id identity) lockOut(e *env) {
	id.fail(e, 10, func(i int) Client { return Client{SourceIP: fmt.Sprintf("198.51.100.%d", i+1)} })
}

// Ten wrong passwords from strangers lock the identity for unknown clients only: a browser that
// signed in before holds a device cookie and still gets in (OWASP's device cookies). A forged
// cookie, or one issued for another identity, counts as no cookie.
func TestDeviceCookieSurvivesLockout(t *testing.T) {
	t.Parallel()
	for _, b := range backends() {
		for _, id := range identities {
			t.Run(b.name+"/"+id.name, func(t *testing.T) {
				e := newEnv(t, onBackend(b))
				id.setup(e)
				owner := Client{SourceIP: "203.0.113.7", UserAgent: "owner-browser"}
				owner.DeviceCookies = []string{id.signIn(e, owner).Value}
				spent := owner.DeviceCookies
				// A cookie the same browser holds for the other identity.
				other := identities[0]
				if id.name == other.name {
					other = identities[1]
				}
				other.setup(e)
				otherCookie := other.signIn(e, Client{SourceIP: "203.0.113.8"}).Value

				id.lockOut(e)
				for _, tc := range []struct {
					name    string
					cookies func() []string
					locked  bool
				}{
					{"no cookie", func() []string { return nil }, true},
					{"forged cookie", func() []string { return []string{randomToken()} }, true},
					{"another identity's cookie", func() []string { return []string{otherCookie} }, true},
					{"the identity's device cookie", func() []string { return owner.DeviceCookies }, false},
					{"the device cookie among others", func() []string {
						return []string{randomToken(), otherCookie, owner.DeviceCookies[0]}
					}, false},
				} {
					t.Run(tc.name, func(t *testing.T) {
						c := Client{SourceIP: "203.0.113.7", DeviceCookies: tc.cookies()}
						if tc.locked {
							if _, err := id.attempt(e, id.right, c); !isThrottled(err) {
								t.Fatalf("right password = %v; want Throttling", err)
							}
							return
						}
						if err := id.ok(e, &c); err != nil {
							t.Fatalf("right password with the device cookie = %v, want success", err)
						}
						owner.DeviceCookies = c.DeviceCookies
					})
				}
				t.Run("a spent cookie", func(t *testing.T) {
					// Each completed sign-in replaced the cookie it came with.
					if _, err := id.attempt(e, id.right, Client{SourceIP: "203.0.113.7", DeviceCookies: spent}); !isThrottled(err) {
						t.Fatalf("right password with a replaced cookie = %v; want Throttling", err)
					}
				})
			})
		}
	}
}

// A device cookie's own failures lock only that cookie: strangers and the other browsers of the
// identity sign in as before; once the cookie is locked its holder is judged like any unknown
// client, by the identity's shared counter.
func TestDeviceCookieFailuresLockOnlyTheCookie(t *testing.T) {
	t.Parallel()
	for _, id := range identities {
		t.Run(id.name, func(t *testing.T) {
			e := newEnv(t)
			id.setup(e)
			first := Client{SourceIP: "203.0.113.7"}
			first.DeviceCookies = []string{id.signIn(e, first).Value}
			second := Client{SourceIP: "203.0.113.9"}
			second.DeviceCookies = []string{id.signIn(e, second).Value}

			// A successful sign-in with the cookie clears its counter: four failures, a success,
			// four more never reach back-off.
			for round := 0; round < 2; round++ {
				for i := 0; i < 4; i++ {
					_, err := id.attempt(e, "Wrong-Guess-1", first)
					testutil.WantCode(t, err, awserr.AccessDenied)
				}
				if err := id.ok(e, &first); err != nil {
					t.Fatalf("round %d: right password = %v", round, err)
				}
			}
			// Five failures put the cookie in back-off…
			for i := 0; i < 5; i++ {
				_, err := id.attempt(e, "Wrong-Guess-2", first)
				testutil.WantCode(t, err, awserr.AccessDenied)
			}
			if _, err := id.attempt(e, id.right, first); !isThrottled(err) {
				t.Fatalf("sixth attempt with the cookie = %v, want Throttling", err)
			}
			// …and take nothing from anyone else.
			t.Run("another browser of the identity", func(t *testing.T) {
				if err := id.ok(e, &second); err != nil {
					t.Fatalf("right password = %v", err)
				}
			})
			t.Run("an unknown client", func(t *testing.T) {
				if err := id.ok(e, &Client{SourceIP: "192.0.2.55"}); err != nil {
					t.Fatalf("right password = %v", err)
				}
			})
			// Ten failures lock the cookie: it is no longer trusted, and its holder is counted with
			// the unknown clients, whose counter its own failures did not touch.
			id.fail(e, 5, func(int) Client { return first })
			for i := 0; i < 5; i++ {
				_, err := id.attempt(e, "Wrong-Guess-4", first)
				testutil.WantCode(t, err, awserr.AccessDenied)
			}
			if _, err := id.attempt(e, id.right, Client{SourceIP: "192.0.2.56"}); !isThrottled(err) {
				t.Fatalf("unknown client after the locked cookie's five failures = %v, want Throttling", err)
			}
			t.Run("the other browser's cookie is still trusted", func(t *testing.T) {
				if err := id.ok(e, &second); err != nil {
					t.Fatalf("right password = %v", err)
				}
			})
		})
	}
}

// Only failures count: successful sign-ins from one address never add up to a lock for everyone
// behind it, while failures from it still do.
func TestSuccessesFromOneAddressNeverAddUp(t *testing.T) {
	t.Parallel()
	for _, id := range identities {
		t.Run(id.name, func(t *testing.T) {
			e := newEnv(t)
			id.setup(e)
			office := Client{SourceIP: "192.0.2.200"}
			// Twice the address's lock limit, with the clock frozen: none may be refused.
			for i := 0; i < 2*rootuser.DefaultLimits.IPLockAfter; i++ {
				if err := id.ok(e, &Client{SourceIP: office.SourceIP}); err != nil {
					t.Fatalf("sign-in %d from the office = %v", i+1, err)
				}
			}
			// Failures from the address still count: the twentieth puts it in back-off.
			for i := 0; i < rootuser.DefaultLimits.IPBackoffAfter; i++ {
				_, err := e.svc.BeginRootSignIn(e.ctx, fmt.Sprintf("user%d@example.com", i), "Some-Password-1", office)
				testutil.WantCode(t, err, awserr.AccessDenied)
			}
			if _, err := id.attempt(e, id.right, office); !isThrottled(err) {
				t.Fatalf("after %d failures from the address = %v, want Throttling", rootuser.DefaultLimits.IPBackoffAfter, err)
			}
			// A success takes back only its own attempt: the failures of others behind the address
			// stay, and the next one doubles the wait.
			e.clock.Advance(time.Second)
			if err := id.ok(e, &Client{SourceIP: office.SourceIP}); err != nil {
				t.Fatalf("after the back-off: %v", err)
			}
			_, err := e.svc.BeginRootSignIn(e.ctx, "someone@example.com", "Some-Password-1", office)
			testutil.WantCode(t, err, awserr.AccessDenied)
			if d, ok := rootuser.RetryAfter(func() error { _, err := id.attempt(e, id.right, office); return err }()); !ok || d != 2*time.Second {
				t.Fatalf("after a success and one more failure: retry after %v (%v), want 2s", d, ok)
			}
		})
	}
}
