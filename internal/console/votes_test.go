package console_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/rootward/rootward/internal/mpa"
)

// TestStaleVoteForms: a vote form loaded in the approval portal stops counting once what it
// answered is over — the session cancelled by its requester, the approver's portal session
// signed out — and a form whose token another browser issued is refused; each refusal says why,
// and none adds a vote. (A vote after the session's window is mpaapi's TestSessionExpires: the
// window outlasts a portal session.)
func TestStaleVoteForms(t *testing.T) {
	ge := newGuardEnv(t)
	ge.withRootPassword()
	_, seed := ge.enableVirtualMFA("", "root-phone")
	ctx := context.Background()
	browsers := map[string]*browser{}
	var list []mpa.Identity
	for _, n := range []string{"ana", "bo", "cy"} {
		id, otp := ge.user(n)
		b := ge.browser()
		ge.firstSignInAs(b, n, otp)
		browsers[n] = b
		list = append(list, ge.who(id))
	}
	team, err := ge.mpa.CreateApprovalTeam(ctx, ge.account.ID, mpa.TeamInput{Name: "root-guardians", Description: "Approves root sign-in",
		MinApprovals: 2, Approvers: list, Policies: []string{mpa.PolicyARN(mpa.RootSignIn)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range list {
		if _, err := ge.mpa.RespondToInvitation(ctx, team.ARN, who, true); err != nil {
			t.Fatal(err)
		}
	}
	root := "arn:aws:iam::" + ge.account.ID + ":root"
	// form loads n's approvals page and returns the vote form's values for session, as loaded.
	form := func(n, session string) url.Values {
		b := browsers[n]
		b.get("/approvals")
		return url.Values{"arn": {session}, "response": {"approve"}, "csrf": {b.csrf()}}
	}
	votes := func(session string) int {
		t.Helper()
		s, err := ge.mpa.SessionOf(ctx, ge.account.ID, session)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, v := range s.Votes {
			if v.Response == mpa.VoteApproved {
				n++
			}
		}
		return n
	}

	t.Run("cancelled session", func(t *testing.T) {
		session := ge.rootToApproval(ge.browser(), seed)
		f := form("ana", session)
		if err := ge.mpa.Cancel(ctx, session, root, nil); err != nil {
			t.Fatal(err)
		}
		wantPage(t, "a vote on the cancelled session", browsers["ana"].submit("/approvals/vote", f), http.StatusConflict, "is CANCELLED; it takes no more responses")
		if n := votes(session); n != 0 {
			t.Errorf("votes = %d, want 0", n)
		}
	})
	t.Run("signed-out approver", func(t *testing.T) {
		session := ge.rootToApproval(ge.browser(), seed)
		f := form("cy", session)
		b := browsers["cy"]
		b.get("/start")
		b.submit("/start/signout", nil)
		if p := b.submit("/approvals/vote", f); p.status != http.StatusSeeOther || p.location != "/start" {
			t.Errorf("a vote from a signed-out portal session = %d → %q, want 303 → /start", p.status, p.location)
		}
		if n := votes(session); n != 0 {
			t.Errorf("votes = %d, want 0", n)
		}
	})
	t.Run("another browser's form", func(t *testing.T) {
		session := ge.rootToApproval(ge.browser(), seed)
		f := form("bo", session)
		f.Set("csrf", form("ana", session).Get("csrf"))
		wantPage(t, "a vote with another browser's token", browsers["bo"].submit("/approvals/vote", f), http.StatusForbidden, "This form has expired or did not come from this portal.")
		if n := votes(session); n != 0 {
			t.Errorf("votes = %d, want 0", n)
		}
	})
}
