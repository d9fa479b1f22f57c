package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/signin"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// guardEnv is a portalEnv with Multi-party approval over its Identity Center instance: the root
// sign-in's approval, password custody and break-glass (rootapproval.go, custody.go).
type guardEnv struct {
	*portalEnv
	mpa    *mpa.Service
	source string // the identity source of the instance
	// out is Multi-party approval's notifier (its outbox).
	out *notify.Notifier
}

func newGuardEnv(t *testing.T) *guardEnv {
	t.Helper()
	ge := &guardEnv{}
	pe := newPortalEnvWith(t, func(pe *portalEnv) { ge.portalEnv = pe }, func(o *envOpts) {
		o.server = append(o.server, func(cfg *server.Config) {
			n, err := notify.New(cfg.IAM.Store(), testutil.Sealer(t), notify.Config{}, notify.WithClock(cfg.Now))
			if err != nil {
				t.Fatal(err)
			}
			ge.out = n
			ge.mpa = mpa.New(mpa.Config{Store: cfg.IAM.Store(), Notifier: n, Directory: mpa.ICDirectory{IC: ge.ic(), Region: "us-east-1"}, Trail: cfg.Trail,
				IAM: cfg.IAM, Sealer: testutil.Sealer(t), Now: cfg.Now, PortalURL: portalURL + "/approvals", ConsoleURL: portalURL + "/console",
				Contacts: func(context.Context, string) ([]string, error) {
					return []string{rootEmail, "security@acme.example"}, nil
				}})
			cfg.MPA = ge.mpa
		})
		o.signin = append(o.signin, func(c *signin.Config) { c.Approvals = ge.mpa })
		o.console = append(o.console, func(c *console.Config) { c.MPA = ge.mpa })
	})
	src, err := ge.mpa.CreateIdentitySource(context.Background(), pe.account.ID, pe.instance.ARN, "us-east-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	ge.source = src.ARN
	return ge
}

// ic is the env's Identity Center (built by the server's configuration, before mpa).
func (ge *guardEnv) ic() *identitycenter.Service { return ge.portalEnv.ic }

// user creates an Identity Center user and returns its ID and one-time password.
func (ge *guardEnv) user(name string) (id, otp string) {
	t := ge.t
	t.Helper()
	ctx := context.Background()
	u, err := ge.portalEnv.ic.CreateUser(ctx, ge.account.ID, ge.instance.IdentityStoreID, "test", identitycenter.UserAttributes{UserName: name, DisplayName: name,
		Emails: []identitycenter.Email{{Value: name + "@acme.example", Primary: true}}, Name: &identitycenter.Name{GivenName: name, FamilyName: "Test"}})
	if err != nil {
		t.Fatal(err)
	}
	ref := identitycenter.UserRef{Account: ge.account.ID, Instance: ge.instance.ID, IdentityStoreID: ge.instance.IdentityStoreID, UserID: u.UserID}
	if otp, err = ge.portalEnv.ic.GenerateOneTimePassword(ctx, ref); err != nil {
		t.Fatal(err)
	}
	return u.UserID, otp
}

func (ge *guardEnv) who(id string) mpa.Identity {
	return mpa.Identity{SourceARN: ge.source, UserID: id}
}

// team creates an active team of m of the named users protecting RootSignIn; it returns the
// users' IDs by name.
func (ge *guardEnv) team(m int, names ...string) map[string]string {
	t := ge.t
	t.Helper()
	ctx := context.Background()
	ids := map[string]string{}
	var list []mpa.Identity
	for _, n := range names {
		ids[n], _ = ge.user(n)
		list = append(list, ge.who(ids[n]))
	}
	team, err := ge.mpa.CreateApprovalTeam(ctx, ge.account.ID, mpa.TeamInput{Name: "root-guardians", Description: "Approves root sign-in",
		MinApprovals: m, Approvers: list, Policies: []string{mpa.PolicyARN(mpa.RootSignIn)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range list {
		if _, err := ge.mpa.RespondToInvitation(ctx, team.ARN, who, true); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

var sessionARNPattern = regexp.MustCompile(`id="approval-session">(arn:aws:mpa:[^<]+)<`)

// rootToApproval signs the root user in with password and TOTP and expects the approval step;
// it returns the session's ARN.
func (ge *guardEnv) rootToApproval(b *browser, seed string) string {
	t := ge.t
	t.Helper()
	p := b.signInRootPassword(rootEmail, rootPw)
	if p.status != http.StatusOK || !strings.Contains(p.body, `action="/console/signin/mfa"`) {
		t.Fatalf("password step = %d, want the MFA step:\n%.1500s", p.status, p.body)
	}
	p = b.submit("/console/signin/mfa", url.Values{"device": {serialOf(t, p.body)}, "code": {totpCode(t, seed, ge.clock.Now())}})
	ge.clock.Advance(time.Minute)
	m := sessionARNPattern.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil || !strings.Contains(p.body, `id="approval-count">0 of 2<`) {
		t.Fatalf("MFA step = %d, want the approval step waiting for 0 of 2:\n%.2000s", p.status, p.body)
	}
	return m[1]
}

var deviceOption = regexp.MustCompile(`<option value="([^"]+)"`)

func serialOf(t *testing.T, body string) string {
	t.Helper()
	m := deviceOption.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no MFA device on the page:\n%.1500s", body)
	}
	return m[1]
}

func (ge *guardEnv) vote(session, approver, response string) {
	ge.t.Helper()
	if _, err := ge.mpa.Vote(context.Background(), session, ge.who(approver), response); err != nil {
		ge.t.Fatalf("vote of %s: %v", approver, err)
	}
}

// signedIn reports whether the browser has a console session.
func (b *browser) signedIn() bool {
	p := b.get("/console/home")
	return p.status == http.StatusOK
}

// rootEvents are the account's sign-in records as NAME:RESULT:SESSION (the approval session or
// break-glass the record names).
func (ge *guardEnv) rootEvents() []string {
	ge.t.Helper()
	pg, err := trail.List(context.Background(), ge.st, trail.Query{Account: ge.account.ID, EventSource: "signin.amazonaws.com"})
	if err != nil {
		ge.t.Fatal(err)
	}
	var out []string
	for _, ev := range pg.Events {
		if ev.UserIdentity.Type != "Root" {
			continue
		}
		res := toString(ev.ResponseElements[ev.EventName])
		out = append(out, ev.EventName+":"+res+":"+toString(ev.AdditionalEventData["ApprovalSession"])+toString(ev.AdditionalEventData["BreakGlassId"]))
	}
	return out
}

// TestRootSignInWaitsForApproval: with a 2-of-3 team protecting RootSignIn, the root user's
// right password and MFA lead to the approval step; the sign-in completes only after two
// approvers approve, once, from the browser that asked; a rejected session ends the sign-in.
// Every step is a record.
func TestRootSignInWaitsForApproval(t *testing.T) {
	ge := newGuardEnv(t)
	ge.withRootPassword()
	_, seed := ge.enableVirtualMFA("", "root-phone")
	ids := ge.team(2, "ana", "bo", "cy")

	b := ge.browser()
	session := ge.rootToApproval(b, seed)
	if b.signedIn() {
		t.Fatal("signed in before any approval")
	}
	p := b.submit("/console/signin/approval", nil)
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="approval-count">0 of 2<`) {
		t.Fatalf("check before votes = %d, want still waiting:\n%.1500s", p.status, p.body)
	}
	ge.vote(session, ids["ana"], mpa.VoteApproved)
	p = b.submit("/console/signin/approval", nil)
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="approval-count">1 of 2<`) {
		t.Fatalf("check after one vote = %d, want 1 of 2:\n%.1500s", p.status, p.body)
	}
	// A copy of the pending sign-in, to replay once the sign-in completed.
	replay := ge.browser()
	u, _ := url.Parse(ge.url + "/console/")
	replay.c.Jar.SetCookies(u, b.c.Jar.Cookies(u))
	replay.last = b.last
	ge.vote(session, ids["bo"], mpa.VoteApproved)
	p = b.submit("/console/signin/approval", nil)
	if p.status != http.StatusSeeOther || p.location != "/console/home" || !b.signedIn() {
		t.Fatalf("check after two votes = %d → %q, want signed in:\n%.1500s", p.status, p.location, p.body)
	}
	if p := replay.submit("/console/signin/approval", nil); p.status == http.StatusSeeOther || replay.signedIn() {
		t.Fatalf("a replay of the approved sign-in = %d → %q, want refused", p.status, p.location)
	}
	s, err := ge.mpa.SessionOf(context.Background(), ge.account.ID, session)
	if err != nil || s.Status != mpa.SessionApproved || s.Execution != mpa.ExecExecuted {
		t.Fatalf("session = %+v, %v; want APPROVED and EXECUTED", s, err)
	}

	// Rejected by two: the sign-in ends.
	b2 := ge.browser()
	session2 := ge.rootToApproval(b2, seed)
	ge.vote(session2, ids["bo"], mpa.VoteRejected)
	ge.vote(session2, ids["cy"], mpa.VoteRejected)
	p = b2.submit("/console/signin/approval", nil)
	if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "was not approved") || !strings.Contains(p.body, "REJECTED") || b2.signedIn() {
		t.Fatalf("check after rejection = %d, want refused with REJECTED:\n%.1500s", p.status, p.body)
	}

	want := []string{
		"CheckMfa:Success:", "CheckApproval:Pending:" + session, "CheckApproval:Approved:" + session, "ConsoleLogin:Success:" + session,
		"CheckMfa:Success:", "CheckApproval:Pending:" + session2, "CheckApproval:Refused:" + session2, "ConsoleLogin:Failure:" + session2,
	}
	if got := ge.rootEvents(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("root sign-in records =\n%v\nwant\n%v", got, want)
	}
}
