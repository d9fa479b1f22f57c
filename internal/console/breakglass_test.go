package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/notify"
)

// told fails unless every address got a message whose subject ends with suffix; it returns the
// last one's body.
func (ge *guardEnv) told(suffix string, to ...string) string {
	ge.t.Helper()
	body := ""
	for _, addr := range to {
		msgs, err := ge.out.Outbox(context.Background(), notify.Query{To: addr})
		if err != nil || len(msgs) == 0 || !strings.HasSuffix(msgs[len(msgs)-1].Subject, suffix) {
			var subjects []string
			for _, m := range msgs {
				subjects = append(subjects, m.Subject)
			}
			ge.t.Fatalf("%s was not told %q (%v): %q", addr, suffix, err, subjects)
		}
		body = msgs[len(msgs)-1].Body
	}
	return body
}

var cancelLinkPattern = regexp.MustCompile(`open \S+(/console/breakglass/cancel\?\S+)`)

// TestBreakGlassSignIn: a root sign-in waiting for approval starts an emergency sign-in instead;
// it waits its cooling-off period on the injected clock, every approver, the security contact and
// the root email are told at its start and its end, any of them can cancel it with the link of
// their message, and once ready the browser that started it signs in with it (password and MFA
// again), once. Changing the cooling-off period is itself a change the team approves.
func TestBreakGlassSignIn(t *testing.T) {
	ge := newGuardEnv(t)
	ge.withRootPassword()
	_, seed := ge.enableVirtualMFA("", "root-phone")
	ids := ge.team(2, "ana", "bo", "cy")
	everyone := []string{"ana@acme.example", "bo@acme.example", "cy@acme.example", rootEmail, "security@acme.example"}

	b := ge.browser()
	ge.rootToApproval(b, seed)
	wantPage(t, "no reason", b.submit("/console/signin/breakglass", url.Values{"reason": {""}}), http.StatusBadRequest, "needs a reason")
	wantPage(t, "break-glass", b.submit("/console/signin/breakglass", url.Values{"reason": {"approvers unreachable during the outage"}}), http.StatusOK, "Emergency sign-in")
	body := ge.told("Started", everyone...)
	link := cancelLinkPattern.FindStringSubmatch(body)
	if link == nil {
		t.Fatalf("no cancel link in the message:\n%s", body)
	}

	// A second one while the first waits is refused.
	other := ge.browser()
	ge.rootToApproval(other, seed)
	wantPage(t, "a second break-glass", other.submit("/console/signin/breakglass", url.Values{"reason": {"again"}}), http.StatusBadRequest, "already WAITING")

	// Before the cooling-off ends: shown waiting, not usable.
	ge.rootToApproval(b, seed)
	if !strings.Contains(b.last, `id="breakglass-status"`) || strings.Contains(b.last, `id="breakglass-use"`) {
		t.Fatalf("approval page during the cooling-off:\n%.2000s", b.last)
	}
	if p := b.submit("/console/signin/breakglass/use", nil); p.status != http.StatusUnauthorized || b.signedIn() {
		t.Fatalf("use during the cooling-off = %d, want refused:\n%.1500s", p.status, p.body)
	}

	// The security contact cancels it with the link of the message.
	c := ge.browser()
	wantPage(t, "cancel page", c.get(html.UnescapeString(link[1])), http.StatusOK, "Cancel the emergency sign-in")
	wantPage(t, "cancel", c.submit("/console/breakglass/cancel", url.Values{
		"account": {regexp.MustCompile(`name="account" value="([^"]+)"`).FindStringSubmatch(c.last)[1]},
		"id":      {regexp.MustCompile(`name="id" value="([^"]+)"`).FindStringSubmatch(c.last)[1]},
		"token":   {regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(c.last)[1]}}), http.StatusOK, "cancelled")
	ge.told("Cancelled", everyone...)
	forged := strings.Replace(html.UnescapeString(link[1]), "token=", "token=0", 1)
	c.get(forged)
	wantPage(t, "a forged cancel link", c.submit("/console/breakglass/cancel", url.Values{"account": {ge.account.ID}, "id": {"x"}, "token": {"0"}}), http.StatusForbidden, "not valid")

	// A new one, after the cooling-off: announced at its end, and used once.
	ge.rootToApproval(b, seed)
	wantPage(t, "break-glass", b.submit("/console/signin/breakglass", url.Values{"reason": {"still unreachable"}}), http.StatusOK, "Emergency sign-in")
	ge.clock.Advance(mpa.DefaultCoolingOff)
	if n, err := ge.mpa.SweepRootSignIns(context.Background()); err != nil || n != 1 {
		t.Fatalf("sweep = %d, %v; want the ready break-glass announced", n, err)
	}
	ge.told("Ready", everyone...)
	ge.rootToApproval(b, seed)
	if !strings.Contains(b.last, `id="breakglass-use"`) {
		t.Fatalf("approval page after the cooling-off:\n%.2000s", b.last)
	}
	if p := b.submit("/console/signin/breakglass/use", nil); p.status != http.StatusSeeOther || !b.signedIn() {
		t.Fatalf("use = %d → %q, want signed in:\n%.1500s", p.status, p.location, p.body)
	}
	ge.told("Used", everyone...)
	events := ge.rootEvents()
	if last := events[len(events)-1]; !strings.HasPrefix(last, "ConsoleLogin:Success:") || len(last) == len("ConsoleLogin:Success:") {
		t.Errorf("last root record = %q, want the success naming the break-glass", last)
	}
	b2 := ge.browser()
	ge.rootToApproval(b2, seed)
	if p := b2.submit("/console/signin/breakglass/use", nil); p.status != http.StatusUnauthorized || b2.signedIn() {
		t.Fatalf("a second use from another browser = %d, want refused", p.status)
	}

	// The cooling-off period changes only once the team approves.
	ctx := context.Background()
	root := mpa.Requester{Account: ge.account.ID, ARN: "arn:aws:iam::" + ge.account.ID + ":root"}
	err := ge.mpa.SetCoolingOff(ctx, ge.account.ID, 2*time.Hour, root)
	e, ok := awserr.As(err)
	if !ok || e.Code != awserr.MPAAccessDenied {
		t.Fatalf("SetCoolingOff = %v, want AccessDeniedException naming a session", err)
	}
	session := regexp.MustCompile(`arn:aws:mpa:\S+:session/\S+`).FindString(e.Message)
	ge.vote(session, ids["ana"], mpa.VoteApproved)
	ge.vote(session, ids["bo"], mpa.VoteApproved)
	if err := ge.mpa.SetCoolingOff(ctx, ge.account.ID, 2*time.Hour, root); err != nil {
		t.Fatal(err)
	}
	if d, err := ge.mpa.CoolingOff(ctx, ge.account.ID); err != nil || d != 2*time.Hour {
		t.Fatalf("cooling-off = %s, %v; want 2h", d, err)
	}
	if err := ge.mpa.SetCoolingOff(ctx, ge.account.ID, 2*time.Hour, root); !awserr.IsCode(err, awserr.MPAAccessDenied) {
		t.Fatalf("the approved change again = %v, want a new session", err)
	}
}
