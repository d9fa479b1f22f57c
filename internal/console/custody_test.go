package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// custodyEnv is a guardEnv whose root password Rootward split 2 of 3 among the custodians c1, c2
// and c3, with mo the root MFA group's one member, holding the root user's virtual MFA device
// (its seed); each of them signed in to the access portal in a browser of their own, and each
// custodian took their share there.
type custodyEnv struct {
	*guardEnv
	seed     string
	ids      map[string]string
	browsers map[string]*browser
	shares   map[string]string
}

var sharePattern = regexp.MustCompile(`id="custody-share">(rwshare1-[0-9a-f]+)<`)

func newCustodyEnv(t *testing.T) *custodyEnv {
	t.Helper()
	ce := &custodyEnv{guardEnv: newGuardEnv(t), ids: map[string]string{}, browsers: map[string]*browser{}, shares: map[string]string{}}
	_, ce.seed = ce.enableVirtualMFA("", "root-mfa-group-device")
	ctx := context.Background()
	var custodians []mpa.Identity
	for _, n := range []string{"c1", "c2", "c3", "mo"} {
		id, otp := ce.user(n)
		ce.ids[n] = id
		if n != "mo" {
			custodians = append(custodians, ce.who(id))
		}
		b := ce.browser()
		ce.firstSignInAs(b, n, otp)
		ce.browsers[n] = b
	}
	if err := ce.mpa.SplitRootPassword(ctx, ce.account.ID, custodians, 2); err != nil {
		t.Fatal(err)
	}
	if err := ce.mpa.SetRootMFAGroup(ctx, ce.account.ID, []mpa.Identity{ce.who(ce.ids["c1"])}); err == nil {
		t.Fatal("a custodian was let into the root MFA group")
	}
	if err := ce.mpa.SetRootMFAGroup(ctx, ce.account.ID, []mpa.Identity{ce.who(ce.ids["mo"])}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"c1", "c2", "c3"} {
		b := ce.browsers[n]
		b.get("/start/custody")
		p := b.submit("/start/custody/take", url.Values{"account": {ce.account.ID}})
		m := sharePattern.FindStringSubmatch(p.body)
		if p.status != http.StatusOK || m == nil {
			t.Fatalf("%s taking the share = %d:\n%.1500s", n, p.status, p.body)
		}
		ce.shares[n] = m[1]
		if p := b.submit("/start/custody/take", url.Values{"account": {ce.account.ID}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "cannot be shown again") {
			t.Fatalf("%s taking the share again = %d, want refused:\n%.1500s", n, p.status, p.body)
		}
	}
	if p := ce.browsers["mo"].submit("/start/custody/take", url.Values{"account": {ce.account.ID}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "You hold no share") {
		t.Fatalf("mo taking a share = %d, want refused:\n%.1500s", p.status, p.body)
	}
	return ce
}

var custodyCodePattern = regexp.MustCompile(`id="custody-code">([A-Z0-9-]+)<`)

// startCustody starts a custody sign-in in a new browser and returns it and the attempt's code.
func (ce *custodyEnv) startCustody() (*browser, string) {
	t := ce.t
	t.Helper()
	b := ce.browser()
	b.get("/console/signin")
	b.submit("/console/signin/root", url.Values{"email": {rootEmail}})
	p := b.follow(b.submit("/console/signin/root/custody", url.Values{"email": {rootEmail}}))
	m := custodyCodePattern.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("custody sign-in page = %d:\n%.1500s", p.status, p.body)
	}
	return b, m[1]
}

// enter has custodian n enter share into the attempt of code; it returns the answer.
func (ce *custodyEnv) enter(n, code, share string) page {
	b := ce.browsers[n]
	b.get("/start/custody")
	return b.submit("/start/custody/share", url.Values{"code": {code}, "share": {share}})
}

func (ce *custodyEnv) mfa(n, code, totp string) page {
	b := ce.browsers[n]
	b.get("/start/custody")
	return b.submit("/start/custody/mfa", url.Values{"code": {code}, "mfa_code": {totp}})
}

func wantPage(t *testing.T, what string, p page, status int, text string) {
	t.Helper()
	if p.status != status || !strings.Contains(p.body, text) {
		t.Fatalf("%s = %d, want %d with %q:\n%.2000s", what, p.status, status, text, p.body)
	}
}

// TestRootSignInWithPasswordShares: the root password is split 2 of 3 and nobody knows it; the
// browser that starts the sign-in gets a code; two custodians enter their shares from their own
// portal sessions, the MFA group's member answers the MFA step from theirs, and the sign-in then
// waits for the 2-of-3 approval team like any root sign-in. Each wrong step is refused with its
// reason, and each step is a record.
func TestRootSignInWithPasswordShares(t *testing.T) {
	ce := newCustodyEnv(t)
	approvers := ce.team(2, "ana", "bo", "cy")
	bi, code := ce.startCustody()

	wantPage(t, "MFA before the shares", ce.mfa("mo", code, totpCode(t, ce.seed, ce.clock.Now())), http.StatusBadRequest, "not all in yet")
	wantPage(t, "c1's share", ce.enter("c1", code, ce.shares["c1"]), http.StatusOK, "Your share was entered.")
	wantPage(t, "c1's share again", ce.enter("c1", code, ce.shares["c1"]), http.StatusBadRequest, "already entered")
	wantPage(t, "c3's share entered by c2", ce.enter("c2", code, ce.shares["c3"]), http.StatusBadRequest, "not your share")
	wantPage(t, "the MFA member entering a share", ce.enter("mo", code, ce.shares["c3"]), http.StatusBadRequest, "You hold no share")
	wantPage(t, "a wrong code", ce.enter("c2", "ZZZZ-ZZZZ", ce.shares["c2"]), http.StatusBadRequest, "No root sign-in attempt has this code")
	wantPage(t, "continue with one share", bi.submit("/console/signin/root/custody/continue", nil), http.StatusConflict, "has 1 of the 2 shares")
	wantPage(t, "c2's share", ce.enter("c2", code, ce.shares["c2"]), http.StatusOK, "the password is verified")
	wantPage(t, "c3's share after two", ce.enter("c3", code, ce.shares["c3"]), http.StatusBadRequest, "has all its shares")
	bi.get("/console/signin/root/custody")
	wantPage(t, "continue before MFA", bi.submit("/console/signin/root/custody/continue", nil), http.StatusConflict, "has not answered the MFA step")
	wantPage(t, "a custodian answering MFA", ce.mfa("c1", code, totpCode(t, ce.seed, ce.clock.Now())), http.StatusBadRequest, "not in the root MFA group")
	wantPage(t, "a wrong MFA code", ce.mfa("mo", code, wrongCode(totpCode(t, ce.seed, ce.clock.Now()))), http.StatusBadRequest, "not valid")
	wantPage(t, "mo's MFA code", ce.mfa("mo", code, totpCode(t, ce.seed, ce.clock.Now())), http.StatusOK, "MFA step of the sign-in is answered")
	ce.clock.Advance(time.Minute)

	bi.get("/console/signin/root/custody")
	p := bi.submit("/console/signin/root/custody/continue", nil)
	m := sessionARNPattern.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("continue = %d, want the approval step:\n%.2000s", p.status, p.body)
	}
	ce.vote(m[1], approvers["ana"], mpa.VoteApproved)
	ce.vote(m[1], approvers["cy"], mpa.VoteApproved)
	if p := bi.submit("/console/signin/approval", nil); p.status != http.StatusSeeOther || !bi.signedIn() {
		t.Fatalf("after the approvals = %d → %q, want signed in:\n%.1500s", p.status, p.location, p.body)
	}
	// The attempt is spent.
	if _, _, err := ce.mpa.RedeemCustodySignIn(context.Background(), "x"); err == nil {
		t.Fatal("a made-up token redeemed an attempt")
	}
	got := map[string]string{}
	pg, err := trail.List(context.Background(), ce.st, trail.Query{Account: ce.account.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range pg.Events {
		switch ev.EventName {
		case "RootPasswordShareEntered", "RootCustodyMFAAnswered", "RootPasswordRecombined", "RootCustodySignInStarted", "RootCustodySignInRedeemed":
			got[ev.EventName] += ev.UserIdentity.PrincipalID + ":" + toString(ev.AdditionalEventData["result"]) + " "
		case "ConsoleLogin":
			got[ev.EventName] += toString(ev.ResponseElements["ConsoleLogin"]) + ":" + toString(ev.AdditionalEventData["PasswordCustody"]) + ":" + toString(ev.AdditionalEventData["MFAIdentifier"]) + " "
		}
	}
	want := map[string]string{
		"RootCustodySignInStarted":  ": ",
		"RootPasswordShareEntered":  ce.ids["c1"] + ":Success " + ce.ids["c2"] + ":Failure " + ce.ids["c2"] + ":Success ",
		"RootPasswordRecombined":    ":Success ",
		"RootCustodyMFAAnswered":    ce.ids["mo"] + ":Failure " + ce.ids["mo"] + ":Success ",
		"RootCustodySignInRedeemed": ": ",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s records = %q, want %q", k, got[k], v)
		}
	}
	if !strings.HasPrefix(got["ConsoleLogin"], "Success:Yes:arn:aws:iam::"+ce.account.ID+":mfa/") {
		t.Errorf("ConsoleLogin records = %q, want a success with PasswordCustody and the root device", got["ConsoleLogin"])
	}
	ce.noShareKept()
}

// noShareKept fails when a row of the store holds a share in the clear or any share is still
// kept sealed.
func (ce *custodyEnv) noShareKept() {
	t := ce.t
	t.Helper()
	err := ce.st.View(context.Background(), func(tx store.Tx) error {
		for _, k := range []string{"mpa.share", "mpa.custodyentry"} {
			if objs, err := tx.Scan(k, nil, 10); err != nil || len(objs) != 0 {
				t.Errorf("%d %s rows kept (%v), want none", len(objs), k, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ce.noPlainShare()
}

// TestNoSingleCustodianSuffices: no single custodian's data opens the root user — not their share
// (one share neither recombines the password nor completes an attempt), not their portal session
// (it cannot answer the MFA step, nor enter another's share), and not any single row of the store
// while an attempt holds a share (each entered share is a row of its own, sealed and bound to its
// attempt and custodian, and one share recombines nothing).
func TestNoSingleCustodianSuffices(t *testing.T) {
	ce := newCustodyEnv(t)
	ctx := context.Background()
	if _, err := ce.mpa.CombineShares(ctx, ce.account.ID, []string{ce.shares["c1"]}); err == nil {
		t.Fatal("one share was combined")
	}
	bi, code := ce.startCustody()
	wantPage(t, "c1's share", ce.enter("c1", code, ce.shares["c1"]), http.StatusOK, "Your share was entered.")
	wantPage(t, "c1 entering c2's share", ce.enter("c1", code, ce.shares["c2"]), http.StatusBadRequest, "already entered")
	wantPage(t, "c1 answering MFA", ce.mfa("c1", code, totpCode(t, ce.seed, ce.clock.Now())), http.StatusBadRequest, "not in the root MFA group")
	wantPage(t, "mo answering MFA with one share in", ce.mfa("mo", code, totpCode(t, ce.seed, ce.clock.Now())), http.StatusBadRequest, "not all in yet")
	wantPage(t, "continue with one share", bi.submit("/console/signin/root/custody/continue", nil), http.StatusConflict, "has 1 of the 2 shares")
	// The one row that holds c1's share, sealed: nothing else holds any share.
	var entries []store.Object
	err := ce.st.View(ctx, func(tx store.Tx) (err error) {
		entries, err = tx.Scan("mpa.custodyentry", nil, 10)
		return err
	})
	if err != nil || len(entries) != 1 {
		t.Fatalf("entered shares kept = %d (%v), want 1 row", len(entries), err)
	}
	ce.noPlainShare()
	// The password cannot be typed: nobody knows it, and c1's share is not it.
	if p := ce.browser().signInRootPassword(rootEmail, ce.shares["c1"]); p.status != http.StatusUnauthorized {
		t.Fatalf("signing in with c1's share as the password = %d, want refused", p.status)
	}
	// The attempt expires with c1's share; the sweep deletes both.
	ce.clock.Advance(mpa.CustodyAttemptLifetime)
	if _, err := ce.mpa.SweepRootSignIns(ctx); err != nil {
		t.Fatal(err)
	}
	wantPage(t, "c2's share after the expiry", ce.enter("c2", code, ce.shares["c2"]), http.StatusBadRequest, "No root sign-in attempt has this code")
	if bi.signedIn() {
		t.Fatal("the starting browser is signed in")
	}
	ce.noShareKept()
}

// noPlainShare fails when any row holds a share in the clear.
func (ce *custodyEnv) noPlainShare() {
	ce.t.Helper()
	kept := ce.shares
	err := ce.st.View(context.Background(), func(tx store.Tx) error {
		for _, k := range store.Kinds() {
			objs, err := tx.Scan(k.Name, nil, 10000)
			if err != nil {
				return err
			}
			for _, o := range objs {
				for n, sh := range kept {
					if strings.Contains(string(o.Body), strings.TrimPrefix(sh, "rwshare1-")) {
						ce.t.Errorf("%s row %s/%s holds %s's share in the clear", k.Name, o.Account, o.Key, n)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		ce.t.Fatal(err)
	}
}

// rewrap has custodian n ask to re-wrap share for the user next.
func (ce *custodyEnv) rewrap(n, share, next string) page {
	b := ce.browsers[n]
	b.get("/start/custody")
	return b.submit("/start/custody/rewrap", url.Values{"account": {ce.account.ID}, "share": {share}, "new_custodian": {next}})
}

var rewrapSessionPattern = regexp.MustCompile(`arn:aws:mpa:[^ ]+:session/[0-9a-f-]+/[0-9a-f-]+`)

// TestShareRewrap: a custodian re-wraps their share for a new custodian only once the team
// approves (the custodian, an approver too, cannot approve it); the new custodian takes it once
// and it counts in a sign-in, while the old custodian's copy opens nothing.
func TestShareRewrap(t *testing.T) {
	ce := newCustodyEnv(t)
	dee, deeOTP := ce.user("dee")
	wantPage(t, "a re-wrap without a team", ce.rewrap("c1", ce.shares["c1"], dee), http.StatusBadRequest, "nobody could approve")
	ids := ce.team(2, "ana", "bo", "cy")
	wantPage(t, "another's share", ce.rewrap("c1", ce.shares["c2"], dee), http.StatusBadRequest, "not your share")
	wantPage(t, "to a custodian", ce.rewrap("c1", ce.shares["c1"], ce.ids["c2"]), http.StatusBadRequest, "already holds a share")
	wantPage(t, "to the MFA group", ce.rewrap("c1", ce.shares["c1"], ce.ids["mo"]), http.StatusBadRequest, "root MFA group")
	p := ce.rewrap("c1", ce.shares["c1"], dee)
	session := rewrapSessionPattern.FindString(p.body)
	if p.status != http.StatusBadRequest || session == "" || !strings.Contains(p.body, "requires multi-party approval") {
		t.Fatalf("re-wrap = %d, want refused naming a session:\n%.1500s", p.status, p.body)
	}
	ce.vote(session, ids["ana"], mpa.VoteApproved)
	wantPage(t, "re-wrap with one approval", ce.rewrap("c1", ce.shares["c1"], dee), http.StatusBadRequest, "(1 of 2 approvals)")
	ce.vote(session, ids["bo"], mpa.VoteApproved)
	wantPage(t, "re-wrap once approved", ce.rewrap("c1", ce.shares["c1"], dee), http.StatusOK, "re-wrapped")
	wantPage(t, "re-wrap again", ce.rewrap("c1", ce.shares["c1"], dee), http.StatusBadRequest, "You hold no share")

	bd := ce.browser()
	ce.firstSignInAs(bd, "dee", deeOTP)
	ce.browsers["dee"] = bd
	bd.get("/start/custody")
	p = bd.submit("/start/custody/take", url.Values{"account": {ce.account.ID}})
	if m := sharePattern.FindStringSubmatch(p.body); m == nil || m[1] != ce.shares["c1"] {
		t.Fatalf("dee's share = %d, want c1's former share:\n%.1500s", p.status, p.body)
	}
	_, code := ce.startCustody()
	wantPage(t, "c1's old share", ce.enter("c1", code, ce.shares["c1"]), http.StatusBadRequest, "You hold no share")
	wantPage(t, "c1's old share entered by c2", ce.enter("c2", code, ce.shares["c1"]), http.StatusBadRequest, "not your share")
	wantPage(t, "dee's share", ce.enter("dee", code, ce.shares["c1"]), http.StatusOK, "Your share was entered.")
	wantPage(t, "c2's share", ce.enter("c2", code, ce.shares["c2"]), http.StatusOK, "the password is verified")
}
