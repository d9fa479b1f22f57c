package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/throttle"
	"github.com/rootward/rootward/internal/trail"
)

// startCustodyAs starts a sign-in with password shares for email in a new browser; it returns the
// browser and the answer to the start (not followed).
func (ce *custodyEnv) startCustodyAs(email string) (*browser, page) {
	ce.t.Helper()
	b := ce.browser()
	b.get("/console/signin")
	b.submit("/console/signin/root", url.Values{"email": {email}})
	return b, b.submit("/console/signin/root/custody", url.Values{"email": {email}})
}

// variable are the parts of a custody page that differ from one attempt to the next.
var variable = regexp.MustCompile(`id="custody-code">[A-Z0-9-]+<|name="csrf" value="[^"]+"`)

// TestCustodyStartTellsNothing: "Sign in with password shares" answers an email whose account's
// root password is split, an account's whose is not, and an email that is no account's alike —
// a code, the same page, the same answer to Continue — so an anonymous visitor learns nothing of
// the account. The code of an account without a split can never complete: no custodian can enter
// a share in it.
func TestCustodyStartTellsNothing(t *testing.T) {
	ce := newCustodyEnv(t)
	plain, err := ce.svc.CreateAccount(context.Background(), "plain", "plain@acme.example", "")
	if err != nil {
		t.Fatal(err)
	}
	var pages, continues []string
	codes := map[string]string{}
	for _, email := range []string{rootEmail, "plain@acme.example", "nobody@acme.example"} {
		b, p := ce.startCustodyAs(email)
		if p.status != http.StatusSeeOther {
			t.Fatalf("start for %s = %d, want 303 to the code:\n%.1500s", email, p.status, p.body)
		}
		p = b.follow(p)
		m := custodyCodePattern.FindStringSubmatch(p.body)
		if p.status != http.StatusOK || m == nil {
			t.Fatalf("custody page for %s = %d, want a code:\n%.1500s", email, p.status, p.body)
		}
		codes[email] = m[1]
		pages = append(pages, variable.ReplaceAllString(p.body, ""))
		c := b.submit("/console/signin/root/custody/continue", nil)
		continues = append(continues, fmt.Sprintf("%d %s", c.status, variable.ReplaceAllString(c.body, "")))
	}
	for i := 1; i < len(pages); i++ {
		if pages[i] != pages[0] {
			t.Errorf("custody page %d differs from the split account's:\n%s\n---\n%s", i, pages[i], pages[0])
		}
		if continues[i] != continues[0] {
			t.Errorf("Continue %d differs from the split account's:\n%.1500s\n---\n%.1500s", i, continues[i], continues[0])
		}
	}
	if !strings.Contains(continues[0], "No custodian has entered a share") {
		t.Errorf("Continue before any share = %.1500s, want the reason", continues[0])
	}
	// Each account's owner sees the try in its own trail.
	for _, acct := range []string{ce.account.ID, plain.ID} {
		pg, err := trail.List(context.Background(), ce.st, trail.Query{Account: acct, EventName: "RootCustodySignInStarted"})
		if err != nil || len(pg.Events) != 1 {
			t.Errorf("account %s's RootCustodySignInStarted records = %d (%v), want 1", acct, len(pg.Events), err)
		}
	}
	wantPage(t, "a share in the split account's attempt", ce.enter("c1", codes[rootEmail], ce.shares["c1"]), http.StatusOK, "Your share was entered.")
	for _, email := range []string{"plain@acme.example", "nobody@acme.example"} {
		wantPage(t, "a share in the attempt of "+email, ce.enter("c1", codes[email], ce.shares["c1"]), http.StatusBadRequest, "No root sign-in attempt has this code")
	}
}

// TestCustodyStartThrottled: starts are limited per email as typed (known or not) and per source
// address, with the console sign-in's back-off: the sixth start of one email in a row waits, and
// another email from the same address goes on until the address's own limit.
func TestCustodyStartThrottled(t *testing.T) {
	ce := newCustodyEnv(t)
	for i := range 5 {
		if _, p := ce.startCustodyAs("nobody@acme.example"); p.status != http.StatusSeeOther {
			t.Fatalf("start %d = %d, want 303:\n%.1500s", i+1, p.status, p.body)
		}
	}
	_, p := ce.startCustodyAs("Nobody@Acme.example ")
	wantPage(t, "the sixth start of one email", p, http.StatusTooManyRequests, "Too many sign-ins with password shares were started")
	if _, p := ce.startCustodyAs(rootEmail); p.status != http.StatusSeeOther {
		t.Fatalf("another email's start = %d, want 303:\n%.1500s", p.status, p.body)
	}
	// The address's counter ("auth", shared with the password sign-in) holds 6 starts now.
	throttledAt := 0
	for i := range throttle.DefaultLimits.IPBackoffAfter {
		if _, p := ce.startCustodyAs(fmt.Sprintf("u%d@acme.example", i)); p.status == http.StatusTooManyRequests {
			throttledAt = i
			break
		}
	}
	if want := throttle.DefaultLimits.IPBackoffAfter - 6; throttledAt != want {
		t.Fatalf("fresh emails from one address were throttled at the %dth, want the %dth", throttledAt, want)
	}
}

var retryPattern = regexp.MustCompile(`Try again in (\d+) seconds`)

// restart starts a custody sign-in of the root user for a test of later steps, waiting out the
// back-off that a series of starts earns (TestCustodyStartThrottled); it returns the code.
func (ce *custodyEnv) restart() string {
	t := ce.t
	t.Helper()
	for {
		b, p := ce.startCustodyAs(rootEmail)
		if p.status == http.StatusSeeOther {
			m := custodyCodePattern.FindStringSubmatch(b.follow(p).body)
			if m == nil {
				t.Fatal("no code on the custody page")
			}
			return m[1]
		}
		m := retryPattern.FindStringSubmatch(p.body)
		if p.status != http.StatusTooManyRequests || m == nil {
			t.Fatalf("start = %d, want 303 or 429:\n%.1500s", p.status, p.body)
		}
		n, _ := strconv.Atoi(m[1])
		ce.clock.Advance(time.Duration(n) * time.Second)
	}
}

// guessUntilLocked makes wrong guesses (guess, in an attempt of code) until their counters lock,
// starting a new attempt, readied by ready, every three wrong guesses (they end an attempt) and
// advancing the clock past each back-off; it returns the refusals' messages, in order.
func (ce *custodyEnv) guessUntilLocked(what string, ready func(code string), guess func(code string) page) []string {
	t := ce.t
	t.Helper()
	var refusals []string
	var code string
	wrong := 0
	for wrong < throttle.DefaultLimits.LockAfter {
		if code == "" {
			code = ce.restart()
			ready(code)
		}
		p := guess(code)
		switch p.status {
		case http.StatusBadRequest:
			if wrong++; wrong%3 == 0 {
				code = ""
			}
		case http.StatusTooManyRequests:
			m := retryPattern.FindStringSubmatch(p.body)
			if m == nil {
				t.Fatalf("%s refused without a wait:\n%.1500s", what, p.body)
			}
			refusals = append(refusals, m[0])
			n, _ := strconv.Atoi(m[1])
			ce.clock.Advance(time.Duration(n) * time.Second)
		default:
			t.Fatalf("%s = %d:\n%.1500s", what, p.status, p.body)
		}
	}
	return refusals
}

// custodyRecords counts the account's records of the named events.
func (ce *custodyEnv) custodyRecords(names ...string) map[string][]map[string]any {
	ce.t.Helper()
	pg, err := trail.List(context.Background(), ce.st, trail.Query{Account: ce.account.ID, Limit: 1000})
	if err != nil {
		ce.t.Fatal(err)
	}
	out := map[string][]map[string]any{}
	for _, ev := range pg.Events {
		for _, n := range names {
			if ev.EventName == n {
				out[n] = append(out[n], ev.AdditionalEventData)
			}
		}
	}
	return out
}

// TestShareGuessesLimitedAcrossAttempts: a custodian's wrong shares count across attempts, under
// the custodian and the account: from the fifth on each guess waits (even a right share, until
// the wait is over), the tenth locks both for a quarter of an hour, and each refusal and the lock
// are records. The counters are the account's own.
func TestShareGuessesLimitedAcrossAttempts(t *testing.T) {
	ce := newCustodyEnv(t)
	refusals := ce.guessUntilLocked("c2's wrong share", func(string) {}, func(code string) page { return ce.enter("c2", code, ce.shares["c3"]) })
	if len(refusals) == 0 {
		t.Error("no guess before the lock was refused")
	}
	code := ce.restart()
	p := ce.enter("c2", code, ce.shares["c2"])
	wantPage(t, "c2's right share while locked", p, http.StatusTooManyRequests, "Too many wrong shares were entered for the root user of account "+ce.account.ID+". Try again in")
	wantPage(t, "c1's share while the account is locked", ce.enter("c1", code, ce.shares["c1"]), http.StatusTooManyRequests, "Too many wrong shares were entered")
	ce.clock.Advance(15 * time.Minute)
	code = ce.restart()
	wantPage(t, "c1's share after the lock", ce.enter("c1", code, ce.shares["c1"]), http.StatusOK, "Your share was entered.")

	recs := ce.custodyRecords("RootCustodyGuessRefused", "RootCustodyGuessesLocked", "RootPasswordShareEntered")
	if got, want := len(recs["RootCustodyGuessRefused"]), len(refusals)+2; got != want {
		t.Errorf("RootCustodyGuessRefused records = %d, want %d (the waits and 2 during the lock)", got, want)
	}
	if l := recs["RootCustodyGuessesLocked"]; len(l) != 1 || fmt.Sprint(l[0]["locked"]) != "[Guesser Account]" || l[0]["step"] != "Share" {
		t.Errorf("RootCustodyGuessesLocked records = %v, want one locking the custodian and the account", l)
	}
	// The lock is told to the root mailbox like the sign-in's steps (custodyStep).
	msgs, err := ce.out.Outbox(context.Background(), notify.Query{To: rootEmail})
	if err != nil {
		t.Fatal(err)
	}
	lockSubject := "Root custody sign-in of account " + ce.account.ID + ": wrong guesses locked the step"
	if !slices.ContainsFunc(msgs, func(m notify.Entry) bool { return m.Subject == lockSubject }) {
		t.Errorf("the root email was not told %q", lockSubject)
	}
	failures := 0
	for _, r := range recs["RootPasswordShareEntered"] {
		if r["result"] == "Failure" {
			failures++
		}
	}
	if failures != 10 {
		t.Errorf("wrong shares recorded = %d, want 10", failures)
	}
	ce.countersAreTheAccounts("custody-share:")
}

// countersAreTheAccounts fails unless every throttling counter of kind prefix names the env's
// account: guesses in it never hold back another account.
func (ce *custodyEnv) countersAreTheAccounts(prefix string) {
	ce.t.Helper()
	n := 0
	err := ce.st.View(context.Background(), func(tx store.Tx) error {
		objs, err := tx.Scan(throttle.Kind, nil, 1000)
		for _, o := range objs {
			if strings.HasPrefix(o.Key, prefix) {
				n++
				if !strings.HasPrefix(o.Key, prefix+ce.account.ID) {
					ce.t.Errorf("counter %s is not the account's", o.Key)
				}
			}
		}
		return err
	})
	if err != nil || n == 0 {
		ce.t.Fatalf("%d %s counters (%v), want some", n, prefix, err)
	}
}

// TestMFAGuessesLimitedAcrossAttempts: the root MFA group's wrong codes count across attempts,
// under the member and under the root user's own MFA counter (the console's and the API's):
// from the fifth on each waits, the tenth locks, with records.
func TestMFAGuessesLimitedAcrossAttempts(t *testing.T) {
	ce := newCustodyEnv(t)
	shares := func(code string) {
		wantPage(t, "c1's share", ce.enter("c1", code, ce.shares["c1"]), http.StatusOK, "Your share was entered.")
		wantPage(t, "c2's share", ce.enter("c2", code, ce.shares["c2"]), http.StatusOK, "the password is verified")
	}
	refusals := ce.guessUntilLocked("mo's wrong code", shares, func(code string) page {
		return ce.mfa("mo", code, wrongCode(totpCode(t, ce.seed, ce.clock.Now())))
	})
	if len(refusals) == 0 {
		t.Error("no guess before the lock was refused")
	}
	code := ce.restart()
	shares(code)
	wantPage(t, "mo's right code while locked", ce.mfa("mo", code, totpCode(t, ce.seed, ce.clock.Now())), http.StatusTooManyRequests,
		"Too many wrong MFA codes were entered for the root user of account "+ce.account.ID+".")
	root, err := throttle.New(ce.st, throttle.DefaultLimits, ce.clock.Now).State(context.Background(), throttle.DefaultLimits.Identity("mfa", ce.account.ID+"/"))
	if err != nil || root.Failures != throttle.DefaultLimits.LockAfter {
		t.Errorf("the root user's MFA counter = %+v (%v), want %d failures", root, err, throttle.DefaultLimits.LockAfter)
	}
	recs := ce.custodyRecords("RootCustodyGuessesLocked", "RootCustodyGuessRefused")
	if l := recs["RootCustodyGuessesLocked"]; len(l) != 1 || l[0]["step"] != "MFA" {
		t.Errorf("RootCustodyGuessesLocked records = %v, want one of the MFA step", l)
	}
	if got, want := len(recs["RootCustodyGuessRefused"]), len(refusals)+1; got != want {
		t.Errorf("RootCustodyGuessRefused records = %d, want %d", got, want)
	}
	ce.countersAreTheAccounts("custody-mfa:")
}

var glassIDPattern = regexp.MustCompile(`Emergency sign-in ([0-9a-f-]{36}) started`)

// TestBreakGlassStartsLimited: every emergency sign-in's start messages the approvers and the
// contacts, so an account's starts are limited like recovery messages (5 an hour), even when each
// was cancelled; a refused start (no reason) does not count.
func TestBreakGlassStartsLimited(t *testing.T) {
	ge := newGuardEnv(t)
	ge.withRootPassword()
	_, seed := ge.enableVirtualMFA("", "root-phone")
	ge.team(2, "ana", "bo", "cy")
	b := ge.browser()
	for i := range throttle.DefaultLimits.MessagesPerHour {
		ge.rootToApproval(b, seed)
		wantPage(t, "no reason", b.submit("/console/signin/breakglass", url.Values{"reason": {""}}), http.StatusBadRequest, "needs a reason")
		p := b.submit("/console/signin/breakglass", url.Values{"reason": {"approvers unreachable"}})
		m := glassIDPattern.FindStringSubmatch(p.body)
		if p.status != http.StatusOK || m == nil {
			t.Fatalf("start %d = %d, want started:\n%.1500s", i+1, p.status, p.body)
		}
		if err := ge.mpa.CancelBreakGlass(context.Background(), ge.account.ID, m[1], "security@acme.example"); err != nil {
			t.Fatal(err)
		}
	}
	ge.rootToApproval(b, seed)
	wantPage(t, "one start too many", b.submit("/console/signin/breakglass", url.Values{"reason": {"approvers unreachable"}}), http.StatusTooManyRequests,
		"Too many emergency sign-ins of this account were started. Try again in")
	ge.clock.Advance(time.Hour)
	ge.rootToApproval(b, seed)
	wantPage(t, "a start an hour later", b.submit("/console/signin/breakglass", url.Values{"reason": {"approvers unreachable"}}), http.StatusOK, "Emergency sign-in")
}

// TestCustodyCodeGuessesLimited: codes that name no attempt count under the portal user who
// enters them, so that nobody signed in to the portal can search the codes for other people's
// attempts: from the fifth such code on each entry waits; another user is not held back.
func TestCustodyCodeGuessesLimited(t *testing.T) {
	ce := newCustodyEnv(t)
	code := ce.restart()
	for i := range throttle.DefaultLimits.BackoffAfter {
		wantPage(t, "an unknown code", ce.enter("c1", fmt.Sprintf("ZZZZ-ZZ%02d", i), ce.shares["c1"]), http.StatusBadRequest, "No root sign-in attempt has this code")
	}
	wantPage(t, "a right code after five unknown ones", ce.enter("c1", code, ce.shares["c1"]), http.StatusTooManyRequests,
		"Too many codes that name no root sign-in attempt were entered. Try again in 1 seconds.")
	wantPage(t, "an unknown code for the MFA step", ce.mfa("c1", "ZZZZ-ZZZZ", "123456"), http.StatusTooManyRequests, "Too many codes that name no root sign-in attempt")
	wantPage(t, "another custodian", ce.enter("c2", code, ce.shares["c2"]), http.StatusOK, "Your share was entered.")
	ce.clock.Advance(time.Second)
	wantPage(t, "the right code once the wait is over", ce.enter("c1", code, ce.shares["c1"]), http.StatusOK, "the password is verified")
}
