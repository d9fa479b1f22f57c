package console_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/trail"
)

// TestEveryStepIsRecordedAndTold: issue 16 says "every vote, expiry and cancellation is a CloudTrail
// record and a notification to the team". One full run — a custody sign-in (shares, MFA, approval
// with an APPROVED and a REJECTED vote, completed), a custody attempt that expires, approval
// sessions rejected, cancelled and expired, and two emergency sign-ins (one cancelled; one ready and
// used) — then lists the trail records and the outbox: every step is a record, every approver of
// the team is told of each, and the root email of every root sign-in step.
func TestEveryStepIsRecordedAndTold(t *testing.T) {
	ce := newCustodyEnv(t)
	ids := ce.team(2, "ana", "bo", "cy")
	ctx := context.Background()
	acct := ce.account.ID

	// A custody sign-in, approved 2 of 3 with one rejection, completed.
	bi, code := ce.startCustody()
	wantPage(t, "c1's share", ce.enter("c1", code, ce.shares["c1"]), http.StatusOK, "Your share was entered.")
	wantPage(t, "c2's share", ce.enter("c2", code, ce.shares["c2"]), http.StatusOK, "the password is verified")
	wantPage(t, "mo's MFA code", ce.mfa("mo", code, totpCode(t, ce.seed, ce.clock.Now())), http.StatusOK, "MFA step of the sign-in is answered")
	ce.clock.Advance(time.Minute)
	bi.get("/console/signin/root/custody")
	p := bi.submit("/console/signin/root/custody/continue", nil)
	m := sessionARNPattern.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("continue = %d, want the approval step:\n%.2000s", p.status, p.body)
	}
	signIn := m[1]
	ce.vote(signIn, ids["ana"], mpa.VoteApproved)
	ce.vote(signIn, ids["bo"], mpa.VoteRejected)
	ce.vote(signIn, ids["cy"], mpa.VoteApproved)
	if p := bi.submit("/console/signin/approval", nil); p.status != http.StatusSeeOther || !bi.signedIn() {
		t.Fatalf("after the approvals = %d, want signed in:\n%.1500s", p.status, p.body)
	}

	// A custody attempt nobody finishes: the sweep ends it.
	_, code2 := ce.startCustody()
	wantPage(t, "c3's share", ce.enter("c3", code2, ce.shares["c3"]), http.StatusOK, "Your share was entered.")
	ce.clock.Advance(mpa.CustodyAttemptLifetime)
	if n, err := ce.mpa.SweepRootSignIns(ctx); err != nil || n != 1 {
		t.Fatalf("sweep = %d, %v; want the attempt ended", n, err)
	}

	// Sessions rejected, cancelled by an approver, and expired (the sweep).
	requester := func(name string) mpa.Requester {
		return mpa.Requester{Account: acct, ARN: "arn:aws:iam::" + acct + ":user/" + name}
	}
	session := func(period time.Duration, who string) string {
		c, err := ce.mpa.ChangeCoolingOff(ctx, acct, period, requester(who))
		if c == nil || c.Session == "" {
			t.Fatalf("ChangeCoolingOff = %+v, %v; want a session", c, err)
		}
		return c.Session
	}
	rejected := session(2*time.Hour, "r1")
	ce.vote(rejected, ids["bo"], mpa.VoteRejected)
	ce.vote(rejected, ids["cy"], mpa.VoteRejected)
	cancelled := session(3*time.Hour, "r2")
	if err := ce.mpa.Cancel(ctx, cancelled, "", &mpa.Identity{SourceARN: ce.source, UserID: ids["ana"]}); err != nil {
		t.Fatal(err)
	}
	expired := session(4*time.Hour, "r3")
	ce.clock.Advance(mpa.SessionWindow)
	if err := ce.mpa.Sweep(ctx); err != nil {
		t.Fatal(err)
	}

	// Emergency sign-ins: one cancelled, one ready and used.
	root := mpa.Requester{Account: acct, ARN: "arn:aws:iam::" + acct + ":root"}
	g, err := ce.mpa.StartBreakGlass(ctx, acct, root, "approvers unreachable")
	if err != nil {
		t.Fatal(err)
	}
	if err := ce.mpa.CancelBreakGlass(ctx, acct, g.ID, "ana"); err != nil {
		t.Fatal(err)
	}
	if g, err = ce.mpa.StartBreakGlass(ctx, acct, root, "still unreachable"); err != nil {
		t.Fatal(err)
	}
	ce.clock.Advance(mpa.DefaultCoolingOff)
	if n, err := ce.mpa.SweepRootSignIns(ctx); err != nil || n != 1 {
		t.Fatalf("sweep = %d, %v; want the break-glass ready", n, err)
	}
	if err := ce.mpa.UseBreakGlass(ctx, acct, g.ID, root.ARN); err != nil {
		t.Fatal(err)
	}

	// Every step is a record.
	pg, err := trail.List(ctx, ce.st, trail.Query{Account: acct, EventSource: mpa.EventSource})
	if err != nil {
		t.Fatal(err)
	}
	var records []string
	for _, ev := range pg.Events {
		name := ev.EventName
		if r := toString(ev.AdditionalEventData["response"]); r != "" {
			name += " " + r
		}
		if !slices.Contains(records, name) {
			records = append(records, name)
		}
	}
	for _, want := range []string{
		"RootCustodySignInStarted", "RootPasswordShareEntered", "RootPasswordRecombined", "RootCustodyMFAAnswered", "RootCustodySignInRedeemed",
		"RootCustodySignInExpired",
		"ApprovalSessionStarted", "ApprovalSessionVote APPROVED", "ApprovalSessionVote REJECTED", "ApprovalSessionApproved", "ApprovalSessionExecuted",
		"ApprovalSessionRejected", "ApprovalSessionCancelled", "ApprovalSessionExpired",
		"BreakGlassStarted", "BreakGlassCancelled", "BreakGlassReady", "BreakGlassUsed",
	} {
		if !slices.Contains(records, want) {
			t.Errorf("no %s record; records: %q", want, records)
		}
	}

	// Every approver is told of every step, and the root email of the root sign-in's.
	custody := "Root custody sign-in of account " + acct + ": "
	glass := "Emergency root sign-in of account " + acct + ": "
	rootSteps := []string{
		custody + "started", custody + "a password share was entered", custody + "the password was recombined",
		custody + "the MFA step was answered", custody + "completed", custody + "expired",
		"Approval session " + signIn + ": Started", "Approval session " + signIn + ": Vote (APPROVED)",
		"Approval session " + signIn + ": Vote (REJECTED)", "Approval session " + signIn + ": Approved",
		"Approval session " + signIn + ": Executed",
		glass + "Started", glass + "Cancelled", glass + "Ready", glass + "Used",
	}
	teamSteps := append(slices.Clone(rootSteps),
		"Approval session "+rejected+": Rejected", "Approval session "+cancelled+": Cancelled", "Approval session "+expired+": Expired")
	for _, c := range []struct {
		to   string
		want []string
	}{
		{"ana@acme.example", teamSteps}, {"bo@acme.example", teamSteps}, {"cy@acme.example", teamSteps}, {rootEmail, rootSteps},
	} {
		msgs, err := ce.out.Outbox(ctx, notify.Query{To: c.to})
		if err != nil {
			t.Fatal(err)
		}
		var subjects []string
		for _, m := range msgs {
			subjects = append(subjects, m.Subject)
			if strings.Contains(m.Body, code) || strings.Contains(m.Body, ce.shares["c1"]) {
				t.Errorf("a message to %s holds the attempt's code or a share:\n%s", c.to, m.Body)
			}
		}
		for _, want := range c.want {
			if !slices.Contains(subjects, want) {
				t.Errorf("%s was not told %q; told: %q", c.to, want, subjects)
			}
		}
	}
}
