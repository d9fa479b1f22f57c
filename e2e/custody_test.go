package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// TestRootCustodySignInInChromium runs custody.mjs: the full root sign-in with the password split
// among three custodians who enter their shares from three browser contexts, the MFA step answered
// by a fourth person from a fourth, and a 2-of-3 approval team (whose votes go through internal/mpa's
// vote path, as the approval portal's would).
func TestRootCustodySignInInChromium(t *testing.T) {
	if why := prerequisites(); why != "" {
		if os.Getenv("CI") != "" || os.Getenv("ROOTWARD_REQUIRE_BROWSER") != "" {
			t.Fatal("browser test cannot run: " + why)
		}
		t.Skip("browser test skipped: " + why)
	}
	ctx := context.Background()
	stk := newStack(t, nil)
	st, svc, ic, approvals, url := stk.st, stk.svc, stk.ic, stk.approvals, stk.url

	const email = "owner@custody.example"
	acct, err := svc.CreateAccount(ctx, "custody-test", email, "Tangerine-Walrus-42")
	if err != nil {
		t.Fatal(err)
	}
	// The root user's MFA device: its seed is the MFA group member's authenticator.
	dev, err := svc.CreateVirtualMFADevice(ctx, acct.ID, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: "root-mfa-group"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	// Enabled with the two codes before the current one, so that the current code, which the MFA
	// group's member answers with, has not been spent by the enabling whenever the test gets there.
	if err := svc.EnableMFADevice(ctx, acct.ID, "", dev.SerialNumber, code(t, dev.Base32StringSeed, now.Add(-60*time.Second)), code(t, dev.Base32StringSeed, now.Add(-30*time.Second))); err != nil {
		t.Fatal(err)
	}
	in, err := ic.CreateInstance(ctx, acct.ID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	src, err := approvals.CreateIdentitySource(ctx, acct.ID, in.ARN, "us-east-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	otps := map[string]string{}
	for _, name := range []string{"c1", "c2", "c3", "mo", "ana", "bo", "cy"} {
		u, err := ic.CreateUser(ctx, acct.ID, in.IdentityStoreID, "test", identitycenter.UserAttributes{UserName: name, DisplayName: name,
			Emails: []identitycenter.Email{{Value: name + "@custody.example", Primary: true}}, Name: &identitycenter.Name{GivenName: name, FamilyName: "Test"}})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = u.UserID
		otp, err := ic.GenerateOneTimePassword(ctx, identitycenter.UserRef{Account: acct.ID, Instance: in.ID, IdentityStoreID: in.IdentityStoreID, UserID: u.UserID})
		if err != nil {
			t.Fatal(err)
		}
		otps[name] = otp
	}
	who := func(name string) mpa.Identity { return mpa.Identity{SourceARN: src.ARN, UserID: ids[name]} }
	if err := approvals.SplitRootPassword(ctx, acct.ID, []mpa.Identity{who("c1"), who("c2"), who("c3")}, 3); err != nil {
		t.Fatal(err)
	}
	if err := approvals.SetRootMFAGroup(ctx, acct.ID, []mpa.Identity{who("mo")}); err != nil {
		t.Fatal(err)
	}
	team, err := approvals.CreateApprovalTeam(ctx, acct.ID, mpa.TeamInput{Name: "root-guardians", Description: "Approves root sign-in", MinApprovals: 2,
		Approvers: []mpa.Identity{who("ana"), who("bo"), who("cy")}, Policies: []string{mpa.PolicyARN(mpa.RootSignIn)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"ana", "bo", "cy"} {
		if _, err := approvals.RespondToInvitation(ctx, team.ARN, who(a), true); err != nil {
			t.Fatal(err)
		}
	}

	helper := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/totp":
			seed := r.URL.Query().Get("seed")
			if seed == "root" {
				seed = dev.Base32StringSeed
			}
			c, err := totp.GenerateCodeCustom(seed, time.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			_, _ = io.WriteString(w, c)
		case "/vote":
			for _, a := range []string{"ana", "bo"} {
				if _, err := approvals.Vote(r.Context(), r.URL.Query().Get("session"), who(a), mpa.VoteApproved); err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
			}
			_, _ = io.WriteString(w, "ok")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(helper.Close)

	users, err := json.Marshal(otps)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, "node", "custody.mjs")
	cmd.Env = append(os.Environ(), "ROOTWARD_URL="+url, "ROOTWARD_ACCOUNT="+acct.ID, "ROOTWARD_ROOT_EMAIL="+email,
		"ROOTWARD_USERS="+string(users), "ROOTWARD_HELPER="+helper.URL)
	out, err := cmd.CombinedOutput()
	t.Logf("custody.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
	// The sign-in is recorded with its custody and its approval, and no share is kept.
	pg, err := trail.List(ctx, st, trail.Query{Account: acct.ID, EventSource: "signin.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	last := pg.Events[len(pg.Events)-1]
	if got := fmt.Sprint(last.EventName, last.ResponseElements["ConsoleLogin"], last.AdditionalEventData["PasswordCustody"]); got != "ConsoleLoginSuccessYes" ||
		!strings.HasPrefix(fmt.Sprint(last.AdditionalEventData["ApprovalSession"]), "arn:aws:mpa:") {
		t.Errorf("last sign-in record = %s %v, want ConsoleLogin Success with PasswordCustody and ApprovalSession", got, last.AdditionalEventData)
	}
	err = st.View(ctx, func(tx store.Tx) error {
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
}

func code(t *testing.T, seed string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(seed, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
