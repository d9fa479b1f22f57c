package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/trail"
)

var proposalSessionPattern = regexp.MustCompile(`id="proposal-session">(arn:aws:mpa:[^<]+)<`)

// proposalSession is the approval session the cooling-off page shows for the requested change.
func proposalSession(t *testing.T, p page) string {
	t.Helper()
	m := proposalSessionPattern.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("the page shows no approval session:\n%.3000s", p.body)
	}
	return m[1]
}

// TestBreakGlassCoolingOffPage: the emergency sign-in's cooling-off period changes only through a
// change the 2-of-3 team protecting RootSignIn approves. The IAM administrator proposes a period,
// is refused with the session it opened (shown with its state, votes, expiry and a link to the
// requester's page), two approvers approve it through mpa's vote path, and the same value then
// takes effect once, recorded in CloudTrail and told to the team and the root email; a changed
// value after approval needs a new session; out-of-bounds values and an account without a team are
// refused with their message; the next emergency sign-in waits the new period (injected clock).
func TestBreakGlassCoolingOffPage(t *testing.T) {
	ge := newGuardEnv(t)
	ge.withRootPassword()
	_, seed := ge.enableVirtualMFA("", "root-phone")
	// The root user signs in before a team protects the root sign-in (after, the sign-in waits for
	// approval); admin is an IAM administrator, intern may do nothing.
	root := ge.signedInRoot(seed)
	ge.userWithPassword("admin", userPw, adminPolicy, false)
	ge.userWithPassword("intern", userPw, "", false)
	admin, intern := ge.signedInUser("admin"), ge.signedInUser("intern")
	adminARN := "arn:aws:iam::" + ge.account.ID + ":user/admin"
	const path = "/console/approvals/breakglass"
	propose := func(b *browser, period string) page {
		b.get(path)
		return b.submit(path, url.Values{"period": {period}, "reason": {"a shorter wait for the on-call team"}})
	}

	for _, who := range []struct {
		name string
		b    *browser
	}{{"root user", root}, {"IAM administrator", admin}} {
		p := who.b.get(path)
		wantPage(t, who.name+": the default", p, http.StatusOK, `id="cooling-off-period">24h<`)
		wantPage(t, who.name+": its origin", p, http.StatusOK, `id="cooling-off-origin">default (no approved change yet)<`)
	}
	wantPage(t, "intern: the page", intern.get(path), http.StatusForbidden, "not authorized")
	wantPage(t, "no team", propose(admin, "2h"), http.StatusConflict,
		"No active approval team protects the root sign-in of account "+ge.account.ID+": nobody could approve a change of its cooling-off period.")

	ids := ge.team(2, "ana", "bo", "cy")
	team := []string{"ana@acme.example", "bo@acme.example", "cy@acme.example"}
	for _, c := range []struct{ period, msg string }{
		{"30m", "A cooling-off period is between 1h and 720h; 30m is not."},
		{"721h", "A cooling-off period is between 1h and 720h; 721h is not."},
		{"tomorrow", `A cooling-off period is a duration such as 24h, 36h or 90m; &#34;tomorrow&#34; is not.`},
	} {
		t.Run("out of bounds "+c.period, func(t *testing.T) {
			wantPage(t, c.period, propose(admin, c.period), http.StatusBadRequest, c.msg)
		})
	}
	wantPage(t, "intern: proposing", propose(intern, "2h"), http.StatusForbidden, "not authorized")
	admin.get(path)
	wantPage(t, "a long reason", admin.submit(path, url.Values{"period": {"2h"}, "reason": {strings.Repeat("x", 501)}}), http.StatusBadRequest,
		"A reason has at most 500 characters.")

	// The first request opens a session and is refused naming it.
	p := propose(admin, "2h")
	wantPage(t, "the proposal", p, http.StatusForbidden, "The change waits for the approval team: mpa:UpdateBreakGlassCoolingOff requires multi-party approval")
	first := proposalSession(t, p)
	wantPage(t, "the proposal's state", p, http.StatusForbidden, `id="proposal-state">PENDING<`)
	wantPage(t, "the link to the requester's page", p, http.StatusForbidden, `id="proposal-session-link"`)
	if strings.Contains(p.body, `id="cooling-off-apply"`) {
		t.Fatalf("a pending change can be applied:\n%.3000s", p.body)
	}
	link := regexp.MustCompile(`href="(/console/approvals/session/[^"]+)" id="proposal-session-link"`).FindStringSubmatch(p.body)
	if link == nil {
		t.Fatalf("no link to the session's page:\n%.3000s", p.body)
	}
	wantPage(t, "the requester's page", admin.get(strings.ReplaceAll(link[1], "&amp;", "&")), http.StatusOK, first)
	ge.told(first+": Started", team...)

	ge.vote(first, ids["ana"], mpa.VoteApproved)
	ge.vote(first, ids["bo"], mpa.VoteApproved)
	p = admin.get(path)
	wantPage(t, "approved", p, http.StatusOK, `id="proposal-state">APPROVED<`)
	wantPage(t, "approved: the apply button", p, http.StatusOK, `id="cooling-off-apply"`)
	p = root.get(path)
	wantPage(t, "approved: another principal's change is listed", p, http.StatusOK, `<td>2h</td><td>`+adminARN+`</td>`)
	if strings.Contains(p.body, `id="cooling-off-apply"`) {
		t.Fatalf("another principal can apply the admin's change:\n%.3000s", p.body)
	}
	// The root user's own request is a session of its own, beside the admin's.
	p = propose(root, "5h")
	if own := proposalSession(t, p); p.status != http.StatusForbidden || own == first {
		t.Fatalf("the root user's request = %d, session %s; want refused with a session of its own", p.status, own)
	}
	wantPage(t, "the admin's change is still approved", admin.get(path), http.StatusOK, `id="proposal-state">APPROVED<`)

	// Another value after approval voids the session and needs a new one.
	p = propose(admin, "3h")
	second := proposalSession(t, p)
	if p.status != http.StatusForbidden || second == first {
		t.Fatalf("another value after approval = %d, session %s; want refused with a new session (not %s)", p.status, second, first)
	}
	if s, err := ge.mpa.SessionOf(context.Background(), ge.account.ID, first); err != nil || s.StatusCode != mpa.CodeConfigurationChanged {
		t.Fatalf("the first session = %+v, %v; want FAILED CONFIGURATION_CHANGED", s, err)
	}
	ge.vote(second, ids["bo"], mpa.VoteApproved)
	ge.vote(second, ids["cy"], mpa.VoteApproved)
	p = admin.submit(path, url.Values{"period": {"3h"}})
	wantPage(t, "applied", p, http.StatusOK, "The cooling-off period is now 3h (it was 24h).")
	wantPage(t, "applied: the period", p, http.StatusOK, `id="cooling-off-period">3h<`)
	wantPage(t, "applied: its origin", p, http.StatusOK, `id="cooling-off-origin">approved change<`)
	wantPage(t, "applied: the session", p, http.StatusOK, second)
	body := ge.told("cooling-off period changed", append(team, rootEmail, "security@acme.example")...)
	for _, want := range []string{adminARN, "from 24h to 3h", second} {
		if !strings.Contains(body, want) {
			t.Errorf("the message does not say %q:\n%s", want, body)
		}
	}
	ev := coolingOffEvent(t, ge)
	if got := []any{ev.UserIdentity.ARN, ev.AdditionalEventData["previousCoolingOffSeconds"], ev.AdditionalEventData["coolingOffSeconds"], ev.AdditionalEventData["sessionArn"]}; got[0] != adminARN ||
		fmt.Sprint(got[1]) != "86400" || fmt.Sprint(got[2]) != "10800" || got[3] != second {
		t.Errorf("record = %v, want who %s, 86400 → 10800, session %s", got, adminARN, second)
	}

	// The approved change ran once: the same value again needs a new session.
	p = propose(admin, "3h")
	if third := proposalSession(t, p); p.status != http.StatusForbidden || third == second {
		t.Fatalf("the applied change again = %d, session %s; want refused with a new session", p.status, third)
	}

	// The next emergency sign-in waits the new period.
	b := ge.browser()
	ge.rootToApproval(b, seed)
	wantPage(t, "break-glass", b.submit("/console/signin/breakglass", url.Values{"reason": {"approvers unreachable"}}), http.StatusOK, "Emergency sign-in")
	ge.clock.Advance(3*time.Hour - 2*time.Minute)
	if n, err := ge.mpa.SweepRootSignIns(context.Background()); err != nil || n != 0 {
		t.Fatalf("sweep before the 3h wait = %d, %v; want nothing ready", n, err)
	}
	ge.clock.Advance(2 * time.Minute)
	if n, err := ge.mpa.SweepRootSignIns(context.Background()); err != nil || n != 1 {
		t.Fatalf("sweep after the 3h wait = %d, %v; want the break-glass ready", n, err)
	}
	ge.told("Ready", append(team, rootEmail)...)
}

// coolingOffEvent is the account's one UpdateBreakGlassCoolingOff record.
func coolingOffEvent(t *testing.T, ge *guardEnv) trail.Event {
	t.Helper()
	pg, err := trail.List(context.Background(), ge.st, trail.Query{Account: ge.account.ID, EventSource: mpa.EventSource})
	if err != nil {
		t.Fatal(err)
	}
	var found []trail.Event
	for _, ev := range pg.Events {
		if ev.EventName == mpa.CoolingOffOperation {
			found = append(found, ev)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d UpdateBreakGlassCoolingOff records, want 1", len(found))
	}
	return found[0]
}
