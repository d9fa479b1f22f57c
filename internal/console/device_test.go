package console_test

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/signin"
)

// consoleIdentity is a sign-in identity driven through the console's pages.
type consoleIdentity struct {
	name string
	// signIn submits the password page with pw and returns the answer.
	signIn func(b *browser, pw string) page
	right  string
	// finish completes a sign-in whose password was right, from the answer to the password page,
	// and returns the answer that starts the session.
	finish func(b *browser, p page) page
}

func consoleIdentities(e *env) []consoleIdentity {
	return []consoleIdentity{
		{
			name:   "root",
			signIn: func(b *browser, pw string) page { return b.signInRootPassword(rootEmail, pw) },
			right:  rootPw,
			finish: func(b *browser, p page) page {
				b.t.Helper()
				if p.status != http.StatusOK {
					b.t.Fatalf("password page: %d\n%.1000s", p.status, p.body)
				}
				return b.submit("/console/signin/skip-mfa", nil)
			},
		},
		{
			name:   "IAM user",
			signIn: func(b *browser, pw string) page { return b.signInUser(e.account.ID, "alice", pw) },
			right:  userPw,
			finish: func(_ *browser, p page) page { return p },
		},
	}
}

// deviceCookie returns the device cookie set by an answer, failing unless there is exactly one
// with the attributes the scheme needs.
func deviceCookie(t *testing.T, p page) *http.Cookie {
	t.Helper()
	var found *http.Cookie
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if strings.HasPrefix(c.Name, "rw_device_") {
			if found != nil {
				t.Fatalf("two device cookies set: %v, %v", found, c)
			}
			found = c
		}
	}
	year := int(signin.DeviceCookieLifetime / time.Second)
	if found == nil || !found.HttpOnly || found.SameSite != http.SameSiteStrictMode || found.Path != "/console/signin/" ||
		found.MaxAge != year || len(found.Value) < 40 {
		t.Fatalf("device cookie = %+v; want HttpOnly, SameSite=Strict, Path=/console/signin/, Max-Age=%d", found, year)
	}
	return found
}

// The root email (or an IAM user's name) in a stranger's hands: ten wrong passwords lock the
// identity for unknown browsers, but the browser that signed in before still gets in with its
// device cookie; a forged cookie under the same name does not.
func TestDeviceCookieKeepsOwnerIn(t *testing.T) {
	e := newEnv(t).withRootPassword()
	e.userWithPassword("alice", userPw, adminPolicy, false)
	for _, id := range consoleIdentities(e) {
		t.Run(id.name, func(t *testing.T) {
			owner := e.browser()
			owner.t = t
			done := id.finish(owner, id.signIn(owner, id.right))
			if done.status != http.StatusSeeOther || done.location != "/console/home" {
				t.Fatalf("owner sign-in: %d %q", done.status, done.location)
			}
			cookie := deviceCookie(t, done)
			owner.get("/console/home")
			owner.submit("/console/signout", nil)

			attacker := e.browser()
			attacker.t = t
			// Ten failures, waiting out each back-off (at most 16 s): the identity is locked for 15
			// minutes from the tenth.
			for failures, i := 0, 0; failures < 10; i++ {
				if i > 40 {
					t.Fatal("the identity was never locked")
				}
				switch p := id.signIn(attacker, fmt.Sprintf("Wrong-Guess-%d", i)); p.status {
				case http.StatusTooManyRequests:
					e.clock.Advance(time.Minute)
				case http.StatusUnauthorized:
					failures++
				default:
					t.Fatalf("wrong password %d: %d", i, p.status)
				}
			}

			stranger := e.browser()
			stranger.t = t
			if p := id.signIn(stranger, id.right); p.status != http.StatusTooManyRequests {
				t.Fatalf("unknown browser, right password, identity locked: %d, want 429", p.status)
			}
			forger := e.browser()
			forger.t = t
			u, _ := url.Parse(e.url + "/console/signin/")
			forger.c.Jar.SetCookies(u, []*http.Cookie{{Name: cookie.Name, Value: randomValue(), Path: "/console/signin/"}})
			if p := id.signIn(forger, id.right); p.status != http.StatusTooManyRequests {
				t.Fatalf("forged device cookie, right password: %d, want 429", p.status)
			}
			done = id.finish(owner, id.signIn(owner, id.right))
			if done.status != http.StatusSeeOther || done.location != "/console/home" {
				t.Fatalf("owner with its device cookie while the identity is locked: %d %q\n%.1000s", done.status, done.location, done.body)
			}
			if next := deviceCookie(t, done); next.Name != cookie.Name || next.Value == cookie.Value {
				t.Fatalf("device cookie after the second sign-in = %+v, want a new value under %s", next, cookie.Name)
			}
			e.clock.Advance(time.Hour)
		})
	}
}

func randomValue() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// The console takes the browser's address from X-Forwarded-For only behind a trusted proxy: a
// client that sends the header itself cannot escape its address's throttling counter.
func TestConsoleForwardedFor(t *testing.T) {
	for _, tc := range []struct {
		name      string
		trusted   []netip.Prefix
		throttled bool
	}{
		{"spoofed header from an untrusted peer", nil, true},
		{"header from a trusted proxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *envOpts) {
				o.server = append(o.server, func(c *server.Config) { c.TrustedProxies = tc.trusted })
			})
			b := e.browser()
			b.t = t
			throttled := false
			// The address counter backs off after 20 failures; each guess names another email and
			// claims another address.
			for i := 0; i < 21; i++ {
				b.get("/console/signin")
				p := b.postRaw("/console/signin/root/password", url.Values{"csrf": {b.csrf()}, "email": {fmt.Sprintf("user%d@example.com", i)},
					"password": {"Some-Password-1"}}, http.Header{"X-Forwarded-For": {fmt.Sprintf("198.51.100.%d", i+1)}})
				throttled = throttled || p.status == http.StatusTooManyRequests
			}
			if throttled != tc.throttled {
				t.Fatalf("throttled = %v, want %v", throttled, tc.throttled)
			}
		})
	}
}
