package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
)

// TestCoolingOffPageInChromium is issue 16's "configurable only through an approved change" in a
// real browser: an IAM administrator proposes a 2h cooling-off period on the console page and sees
// the session it opened; two of the 2-of-3 team protecting RootSignIn approve it (mpa's vote path);
// the administrator applies it on the page, and the next emergency sign-in waits 2h.
func TestCoolingOffPageInChromium(t *testing.T) {
	requireBrowser(t)
	ctx := context.Background()
	stk := newStack(t, nil)
	svc, ic, approvals := stk.svc, stk.ic, stk.approvals
	const pw = "Tangerine-Walrus-42"
	acct, err := svc.CreateAccount(ctx, "glass", "owner@glass.example", pw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, acct.ID, iam.CreateUserInput{UserName: "admin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateLoginProfile(ctx, acct.ID, "admin", pw, false); err != nil {
		t.Fatal(err)
	}
	if err := svc.AttachPolicy(ctx, acct.ID, "user", "admin", "arn:aws:iam::aws:policy/AdministratorAccess"); err != nil {
		t.Fatal(err)
	}
	in, err := ic.CreateInstance(ctx, acct.ID, "glass", nil)
	if err != nil {
		t.Fatal(err)
	}
	src, err := approvals.CreateIdentitySource(ctx, acct.ID, in.ARN, "us-east-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	var who []mpa.Identity
	for _, name := range []string{"ana", "ben", "cy"} {
		u, err := ic.CreateUser(ctx, acct.ID, in.IdentityStoreID, "test", identitycenter.UserAttributes{UserName: name, DisplayName: name,
			Emails: []identitycenter.Email{{Value: name + "@glass.example", Primary: true}}, Name: &identitycenter.Name{GivenName: name, FamilyName: "Approver"}})
		if err != nil {
			t.Fatal(err)
		}
		who = append(who, mpa.Identity{SourceARN: src.ARN, UserID: u.UserID})
	}
	team, err := approvals.CreateApprovalTeam(ctx, acct.ID, mpa.TeamInput{Name: "root-guardians", Description: "Approves root sign-in",
		MinApprovals: 2, Approvers: who, Policies: []string{mpa.PolicyARN(mpa.RootSignIn)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range who {
		if _, err := approvals.RespondToInvitation(ctx, team.ARN, w, true); err != nil {
			t.Fatal(err)
		}
	}

	dir := t.TempDir()
	approvedFile := filepath.Join(dir, "approved")
	sc := startScript(t, "coolingoff.mjs", "ROOTWARD_URL="+stk.url, "ROOTWARD_ACCOUNT="+acct.ID, "ROOTWARD_USER=admin", "ROOTWARD_PASSWORD="+pw,
		"ROOTWARD_APPROVED_FILE="+approvedFile, "ROOTWARD_SCREENSHOTS="+dir)
	session, ok := sc.until("PROPOSED ")
	if !ok {
		sc.finish()
		t.Fatal("coolingoff.mjs ended before the proposal")
	}
	for _, w := range who[:2] {
		if _, err := approvals.Vote(ctx, session, w, mpa.VoteApproved); err != nil {
			t.Fatalf("vote on %s: %v", session, err)
		}
	}
	if err := os.WriteFile(approvedFile, []byte("ok"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := sc.until("APPLIED"); !ok {
		sc.finish()
		t.Fatal("coolingoff.mjs ended before applying the change")
	}
	sc.finish()

	c, err := approvals.CoolingOffSettingOf(ctx, acct.ID)
	if err != nil || c.Period != 2*time.Hour || c.Origin != mpa.OriginApproved || c.Session != session {
		t.Fatalf("setting = %+v, %v; want 2h, approved in %s", c, err, session)
	}
	g, err := approvals.StartBreakGlass(ctx, acct.ID, mpa.Requester{Account: acct.ID, ARN: "arn:aws:iam::" + acct.ID + ":root"}, "approvers unreachable")
	if err != nil || g.Ready.Sub(g.Started) != 2*time.Hour {
		t.Fatalf("break-glass = %+v, %v; want ready 2h after its start", g, err)
	}
	for _, name := range []string{"cooling-off-pending", "cooling-off-applied"} {
		if fi, err := os.Stat(filepath.Join(dir, name+".png")); err != nil || fi.Size() < 1000 {
			t.Errorf("screenshot %s missing or empty: %v", name, err)
		}
	}
}
