package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// mpaData opens the data directory's Multi-party approval (on clock when set), for the test to set
// up teams and vote between two commands; close it before the next command.
func mpaData(t *testing.T, data string, now func() time.Time) (*mpa.Service, *identitycenter.Service, store.Store) {
	t.Helper()
	d := dataFlags{dir: data}
	svc, st, err := d.open(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	org := orgs.New(svc)
	ic := identitycenter.New(svc, org)
	return mpa.New(mpa.Config{Store: st, Orgs: org, Region: mpaRegion, Now: now, Directory: mpa.ICDirectory{IC: ic, Region: mpaRegion}}), ic, st
}

// rootSignInTeam creates an active 2-of-3 team protecting RootSignIn in account and returns its
// approvers.
func rootSignInTeam(t *testing.T, data, account string) []mpa.Identity {
	t.Helper()
	m, ic, st := mpaData(t, data, nil)
	defer st.Close()
	approvers := approvalTeam(t, m, ic, account, mpa.RootSignIn, 2, "ana", "ben", "cy")
	ic.Wait()
	return approvers
}

// approvalTeam creates an Identity Center instance of account with a user of each name, and an
// active team of them, of min approvals, protecting operation; it returns the approvers.
func approvalTeam(t *testing.T, m *mpa.Service, ic *identitycenter.Service, account, operation string, min int, names ...string) []mpa.Identity {
	t.Helper()
	ctx := context.Background()
	in, err := ic.CreateInstance(ctx, account, "prod", nil)
	if err != nil {
		t.Fatal(err)
	}
	src, err := m.CreateIdentitySource(ctx, account, in.ARN, mpaRegion, nil)
	if err != nil {
		t.Fatal(err)
	}
	var approvers []mpa.Identity
	for _, name := range names {
		u, err := ic.CreateUser(ctx, account, in.IdentityStoreID, "", identitycenter.UserAttributes{UserName: name, DisplayName: name,
			Name: &identitycenter.Name{GivenName: name, FamilyName: "Approver"}, Emails: []identitycenter.Email{{Value: name + "@example.com", Primary: true}}})
		if err != nil {
			t.Fatal(err)
		}
		approvers = append(approvers, mpa.Identity{SourceARN: src.ARN, UserID: u.UserID})
	}
	team, err := m.CreateApprovalTeam(ctx, account, mpa.TeamInput{Name: "root", Description: "root", MinApprovals: min,
		Approvers: approvers, Policies: []string{mpa.PolicyARN(operation)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range approvers {
		if _, err := m.RespondToInvitation(ctx, team.ARN, a, true); err != nil {
			t.Fatal(err)
		}
	}
	return approvers
}

var cliSession = regexp.MustCompile(`Session: (arn:aws:mpa:\S+)`)

// TestBreakGlassCoolingOffCommand: `rootward breakglass cooling-off` prints the period and its
// origin; --set opens a session of the 2-of-3 team protecting RootSignIn and exits 3 naming it,
// applies the same value once the session is approved (through mpa's vote path) and exits 0; a
// changed value after approval needs a new session; out-of-bounds values and an account without a
// team exit 1 with their message; the change is recorded and told to the root email; the next
// emergency sign-in waits the new period (injected clock).
func TestBreakGlassCoolingOffCommand(t *testing.T) {
	data, account := initData(t)
	cooling := func(args ...string) (string, string, int) {
		return run(t, append([]string{"breakglass", "cooling-off", "--data", data, "--account", account}, args...)...)
	}
	want := func(what string, out, stderr string, code, wantCode int, text string) {
		t.Helper()
		if code != wantCode || !strings.Contains(out+stderr, text) {
			t.Fatalf("%s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", what, code, wantCode, text, out, stderr)
		}
	}
	out, stderr, code := cooling()
	want("the default", out, stderr, code, 0, "Cooling-off period: 24h\nOrigin: default\n")
	out, stderr, code = cooling("--set", "2h")
	want("no team", out, stderr, code, 1, "No active approval team protects the root sign-in of account "+account+": nobody could approve a change of its cooling-off period.")
	out, stderr, code = run(t, "breakglass", "cooling-off", "--data", data, "--account", "999999999999")
	want("an unknown account", out, stderr, code, 1, "no such account")

	approvers := rootSignInTeam(t, data, account)
	vote := func(session string, who ...mpa.Identity) {
		t.Helper()
		m, _, st := mpaData(t, data, nil)
		defer st.Close()
		for _, a := range who {
			if _, err := m.Vote(context.Background(), session, a, mpa.VoteApproved); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range []struct{ set, msg string }{
		{"30m", "A cooling-off period is between 1h and 720h; 30m is not."},
		{"721h", "A cooling-off period is between 1h and 720h; 721h is not."},
		{"soon", `--set "soon": a cooling-off period is a duration such as 24h, 36h or 90m`},
	} {
		out, stderr, code := cooling("--set", c.set)
		want("--set "+c.set, out, stderr, code, 1, c.msg)
	}

	out, stderr, code = cooling("--set", "2h")
	want("the proposal", out, stderr, code, 3, "State: PENDING, 0 of 2 approvals")
	first := cliSession.FindStringSubmatch(out)[1]
	vote(first, approvers[0], approvers[1])
	out, stderr, code = cooling()
	want("the approved proposal", out, stderr, code, 0, "Requested change: 2h by arn:aws:iam::"+account+":root")
	want("the approved proposal's state", out, stderr, code, 0, "Session: "+first+"\nState: APPROVED, 2 of 2 approvals")

	// Another value after approval needs a new session.
	out, stderr, code = cooling("--set", "3h")
	want("another value", out, stderr, code, 3, "State: PENDING, 0 of 2 approvals")
	second := cliSession.FindStringSubmatch(out)[1]
	if second == first {
		t.Fatalf("another value reused session %s", first)
	}
	vote(second, approvers[1], approvers[2])
	out, stderr, code = cooling("--set", "3h")
	want("applied", out, stderr, code, 0, "Cooling-off period of account "+account+" is now 3h (it was 24h).\nSession: "+second+"\n")
	out, stderr, code = cooling()
	want("the approved change", out, stderr, code, 0, "Cooling-off period: 3h\nOrigin: approved change\n")
	want("the approving session", out, stderr, code, 0, "Approved in: "+second)
	out, stderr, code = cooling("--set", "3h")
	want("the applied change again", out, stderr, code, 3, "State: PENDING")

	box, _, _ := run(t, "outbox", "--data", data, "--to", "ops@example.com")
	if !strings.Contains(box, "cooling-off period changed") || !strings.Contains(box, "from 24h to 3h") {
		t.Errorf("the root email was not told of the change:\n%s", box)
	}

	clk := testutil.NewClock(time.Now().UTC())
	m, _, st := mpaData(t, data, clk.Now)
	defer st.Close()
	ctx := context.Background()
	pg, err := trail.List(ctx, st, trail.Query{Account: account, EventSource: mpa.EventSource})
	if err != nil {
		t.Fatal(err)
	}
	var records []string
	for _, ev := range pg.Events {
		if ev.EventName == mpa.CoolingOffOperation {
			records = append(records, fmt.Sprint(ev.UserIdentity.Type, " ", ev.AdditionalEventData["previousCoolingOffSeconds"], "→",
				ev.AdditionalEventData["coolingOffSeconds"], " ", ev.AdditionalEventData["sessionArn"]))
		}
	}
	if w := fmt.Sprint("Root 86400→10800 ", second); len(records) != 1 || records[0] != w {
		t.Errorf("records = %q, want [%s]", records, w)
	}
	b, err := m.StartBreakGlass(ctx, account, mpa.Requester{Account: account, ARN: "arn:aws:iam::" + account + ":root"}, "approvers unreachable")
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(3*time.Hour - time.Second)
	if g, err := m.BreakGlassOf(ctx, account, b.ID); err != nil || g.Status != mpa.GlassWaiting {
		t.Fatalf("break-glass before 3h = %+v, %v; want WAITING", g, err)
	}
	clk.Advance(time.Second)
	if g, err := m.BreakGlassOf(ctx, account, b.ID); err != nil || g.Status != mpa.GlassReady {
		t.Fatalf("break-glass after 3h = %+v, %v; want READY", g, err)
	}
}
