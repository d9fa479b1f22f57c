package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// icApprovers is mpa's view of the env's Identity Center (mpa.ICDirectory, as serve's), read
// once the env is built.
type icApprovers struct{ ae *approvalEnv }

func (d icApprovers) dir() mpa.ICDirectory { return mpa.ICDirectory{IC: d.ae.ic, Region: "us-east-1"} }

func (d icApprovers) Instance(ctx context.Context, a string) (mpa.Instance, bool, error) {
	return d.dir().Instance(ctx, a)
}

func (d icApprovers) User(ctx context.Context, a, id string) (mpa.User, bool, error) {
	return d.dir().User(ctx, a, id)
}

// approvalEnv is a portalEnv with Multi-party approval: an identity source of the account's
// Identity Center instance, the root user's console operations gated, the approval portal on.
type approvalEnv struct {
	*portalEnv
	mpa    *mpa.Service
	source string
}

func newApprovalEnv(t *testing.T) *approvalEnv {
	t.Helper()
	ae := &approvalEnv{}
	ae.portalEnv = newPortalEnv(t, func(o *envOpts) {
		o.server = append(o.server, func(cfg *server.Config) {
			n, err := notify.New(cfg.IAM.Store(), testutil.Sealer(t), notify.Config{}, notify.WithClock(cfg.Now))
			if err != nil {
				t.Fatal(err)
			}
			ae.mpa = mpa.New(mpa.Config{Store: cfg.IAM.Store(), Trail: cfg.Trail, Now: cfg.Now, Directory: icApprovers{ae},
				Notifier: n, PortalURL: portalURL + "/approvals"})
			cfg.MPA = ae.mpa
		})
		o.rootOpts = append(o.rootOpts, rootuser.WithApproval(func(ctx context.Context, account, op, requester string, params []byte) error {
			return ae.mpa.RootApproval(ctx, account, op, requester, params)
		}))
		o.console = append(o.console, func(cfg *console.Config) { cfg.MPA = ae.mpa })
	})
	src, err := ae.mpa.CreateIdentitySource(context.Background(), ae.account.ID, ae.instance.ARN, "us-east-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	ae.source = src.ARN
	return ae
}

// approver creates Identity Center user name and signs it in to the approval portal in a browser
// of its own: the visitor is sent to /start, signs in (one-time password, own password, MFA) and
// comes back to /approvals.
func (ae *approvalEnv) approver(name string) (*browser, mpa.Identity) {
	t := ae.t
	t.Helper()
	ctx := context.Background()
	u, err := ae.ic.CreateUser(ctx, ae.account.ID, ae.instance.IdentityStoreID, "test", identitycenter.UserAttributes{UserName: name, DisplayName: name,
		Emails: []identitycenter.Email{{Value: name + "@acme.example", Primary: true}}, Name: &identitycenter.Name{GivenName: name, FamilyName: "Approver"}})
	if err != nil {
		t.Fatal(err)
	}
	otp, err := ae.ic.GenerateOneTimePassword(ctx, identitycenter.UserRef{Account: ae.account.ID, Instance: ae.instance.ID, IdentityStoreID: ae.instance.IdentityStoreID, UserID: u.UserID})
	if err != nil {
		t.Fatal(err)
	}
	b := ae.browser()
	if p := b.get("/approvals"); p.status != http.StatusSeeOther || p.location != "/start" {
		t.Fatalf("GET /approvals without a portal session = %d → %q; want 303 → /start", p.status, p.location)
	}
	b.get("/start")
	b.submit("/start/signin", url.Values{"username": {name}, "password": {otp}})
	p := b.submit("/start/password", url.Values{"new_password": {"Correct-Horse-Battery-9"}, "confirm_password": {"Correct-Horse-Battery-9"}})
	m := portalSeedPattern.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("%s: no MFA registration step:\n%.1500s", name, p.body)
	}
	p = b.submit("/start/register", url.Values{"code": {totpCode(t, m[1], ae.clock.Now())}})
	if p.status != http.StatusSeeOther || p.location != "/approvals" {
		t.Fatalf("%s: MFA registration = %d → %q; want 303 back to /approvals", name, p.status, p.location)
	}
	return b, mpa.Identity{SourceARN: ae.source, UserID: u.UserID}
}

var sessionLink = regexp.MustCompile(`href="(/console/approvals/session/[^"]+)" id="approval-session-link"`)

// TestApprovalPortal: three Identity Center approvers, each in their own browser, accept a 2-of-3
// team's invitation in the approval portal; the root user's access key is refused with the
// session, whose page the requester sees; a forged or replayed vote and a vote without the CSRF
// token are refused with a clear message; two approvals let the repeated request run once; the
// requester cancels the next one. Every vote, the approval and the cancellation are CloudTrail
// records.
func TestApprovalPortal(t *testing.T) {
	ae := newApprovalEnv(t)
	ae.withRootPassword()
	_, seed := ae.enableVirtualMFA("", "root-phone")
	ctx := context.Background()
	ana, anaID := ae.approver("ana")
	ben, benID := ae.approver("ben")
	cy, cyID := ae.approver("cy")
	team, err := ae.mpa.CreateApprovalTeam(ctx, ae.account.ID, mpa.TeamInput{Name: "root-keys", Description: "Root access keys",
		MinApprovals: 2, Approvers: []mpa.Identity{anaID, benID, cyID}, Policies: []string{mpa.PolicyARN(mpa.CreateRootAccessKey)}})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("invitations", func(t *testing.T) {
		for i, b := range []*browser{ana, ben, cy} {
			p := b.get("/approvals")
			if p.status != http.StatusOK || !strings.Contains(p.body, "root-keys") || !strings.Contains(p.body, `class="accept-invitation"`) {
				t.Fatalf("approver %d's portal = %d; want the invitation of root-keys:\n%.3000s", i, p.status, p.body)
			}
			p = b.submit("/approvals/invitation", url.Values{"arn": {team.ARN}, "response": {"accept"}})
			want := "it becomes active once every approver accepted"
			if i == 2 {
				want = "Approval team root-keys is ACTIVE."
			}
			if p.status != http.StatusOK || !strings.Contains(html.UnescapeString(p.body), want) {
				t.Fatalf("approver %d accepts = %d; want %q:\n%.3000s", i, p.status, want, p.body)
			}
		}
		if p := ana.submit("/approvals/invitation", url.Values{"arn": {team.ARN}, "response": {"accept"}}); p.status != http.StatusConflict ||
			!strings.Contains(p.body, "You already responded to the invitation") {
			t.Errorf("accepting twice = %d; want 409 and the reason:\n%.2000s", p.status, p.body)
		}
	})

	root := ae.signedInRoot(seed)
	root.get("/console/security-credentials")
	// A new form each time: submit fills in the page's tokens.
	confirm := func() url.Values { return url.Values{"confirm": {rootuser.RootAccessKeyRisk}} }
	refused := root.submit("/console/access-keys/create", confirm())
	m := sessionLink.FindStringSubmatch(refused.body)
	// The security credentials page shows a refusal with 400, whatever its code.
	if refused.status != http.StatusBadRequest || m == nil || !strings.Contains(refused.body, "requires multi-party approval") {
		t.Fatalf("root access key with the team active = %d; want 400 naming the session, with a link to it:\n%.3000s", refused.status, refused.body)
	}
	link := html.UnescapeString(m[1])
	sessARN := ae.mpa.SessionARNIn(html.UnescapeString(refused.body))

	t.Run("requester's view", func(t *testing.T) {
		p := root.get(link)
		if p.status != http.StatusOK || !strings.Contains(p.body, `data-status="PENDING"`) || !strings.Contains(p.body, "0 of 2 needed") {
			t.Fatalf("session page = %d; want PENDING, 0 of 2:\n%.3000s", p.status, p.body)
		}
		ae.userWithPassword("intern", userPw, "", false)
		if p := ae.signedInUser("intern").get(link); p.status != http.StatusNotFound || strings.Contains(p.body, "root-keys") {
			t.Errorf("another principal's view of the session = %d; want 404 telling nothing:\n%.2000s", p.status, p.body)
		}
	})

	t.Run("votes", func(t *testing.T) {
		p := ana.get("/approvals")
		if !strings.Contains(p.body, sessARN) || !strings.Contains(p.body, "iam:CreateAccessKey") || !strings.Contains(p.body, "arn:aws:iam::"+ae.account.ID+":root") {
			t.Fatalf("ana's pending sessions lack the request:\n%.4000s", p.body)
		}
		if p := ana.submit("/approvals/vote", url.Values{"arn": {sessARN}, "response": {"approve"}, "csrf": {"forged-token-forged-token-forged-token"}}); p.status != http.StatusForbidden {
			t.Errorf("a vote without the page's CSRF token = %d; want 403", p.status)
		}
		ana.get("/approvals")
		if p := ana.submit("/approvals/vote", url.Values{"arn": {sessARN}, "response": {"approve"}}); p.status != http.StatusOK || !strings.Contains(p.body, "Your response (APPROVED) was recorded.") {
			t.Fatalf("ana approves = %d:\n%.3000s", p.status, p.body)
		}
		if p := ana.submit("/approvals/vote", url.Values{"arn": {sessARN}, "response": {"approve"}}); p.status != http.StatusConflict || !strings.Contains(p.body, "You already responded to session") {
			t.Errorf("ana's replayed vote = %d; want 409 with the reason:\n%.2000s", p.status, p.body)
		}
		forged := ae.mpa.SessionARN("999988887777", team.ID, strings.Repeat("0", 8)+"-0000-4000-8000-"+strings.Repeat("0", 12))
		if p := ana.submit("/approvals/vote", url.Values{"arn": {forged}, "response": {"approve"}}); p.status != http.StatusForbidden || !strings.Contains(p.body, "You are not an approver of") {
			t.Errorf("a vote on another account's session = %d; want 403 with the reason:\n%.2000s", p.status, p.body)
		}
		if p := root.get(link); !strings.Contains(p.body, "1 of 2 needed") {
			t.Errorf("session page after one approval:\n%.3000s", p.body)
		}
		root.get("/console/security-credentials")
		if p := root.submit("/console/access-keys/create", confirm()); p.status != http.StatusBadRequest {
			t.Fatalf("the request with one approval = %d → %q; want 400, refused", p.status, p.location)
		}
		ben.get("/approvals")
		if p := ben.submit("/approvals/vote", url.Values{"arn": {sessARN}, "response": {"approve"}}); p.status != http.StatusOK || !strings.Contains(p.body, "The session is now APPROVED.") {
			t.Fatalf("ben approves = %d:\n%.3000s", p.status, p.body)
		}
		cy.get("/approvals")
		if p := cy.submit("/approvals/vote", url.Values{"arn": {sessARN}, "response": {"reject"}}); p.status != http.StatusConflict || !strings.Contains(p.body, "takes no more responses") {
			t.Errorf("a vote on the decided session = %d; want 409:\n%.2000s", p.status, p.body)
		}
	})

	t.Run("approved request runs once", func(t *testing.T) {
		root.get("/console/security-credentials")
		if p := root.submit("/console/access-keys/create", confirm()); p.status != http.StatusSeeOther {
			t.Fatalf("the approved request = %d; want 303 to the new key:\n%.3000s", p.status, p.body)
		}
		if p := root.get(link); !strings.Contains(p.body, `data-status="APPROVED"`) || !strings.Contains(p.body, "EXECUTED") {
			t.Errorf("session page after the run:\n%.3000s", p.body)
		}
		if p := ana.get("/approvals"); !strings.Contains(p.body, `id="history"`) || !strings.Contains(p.body, sessARN) || !strings.Contains(p.body, "executed") {
			t.Errorf("ana's history lacks the executed session:\n%.4000s", p.body)
		}
	})

	t.Run("requester cancels", func(t *testing.T) {
		root.get("/console/security-credentials")
		p := root.submit("/console/access-keys/create", confirm())
		m := sessionLink.FindStringSubmatch(p.body)
		if p.status != http.StatusBadRequest || m == nil {
			t.Fatalf("the next request = %d; want a new session:\n%.3000s", p.status, p.body)
		}
		next := html.UnescapeString(m[1])
		root.get(next)
		p = root.submit("/console/approvals/session/cancel", url.Values{"arn": {ae.mpa.SessionARNIn(html.UnescapeString(p.body))}})
		if p.status != http.StatusOK || !strings.Contains(p.body, `data-status="CANCELLED"`) || !strings.Contains(p.body, "You cancelled the session.") {
			t.Fatalf("cancel = %d:\n%.3000s", p.status, p.body)
		}
	})

	t.Run("custody report", func(t *testing.T) {
		p := root.get("/console/approvals/report")
		row := regexp.MustCompile(`(?s)data-session="` + regexp.QuoteMeta(sessARN) + `">(.*?)</tr>`).FindStringSubmatch(p.body)
		if p.status != http.StatusOK || row == nil {
			t.Fatalf("report = %d without the executed session:\n%.4000s", p.status, p.body)
		}
		for _, want := range []string{"CreateRootAccessKey", "arn:aws:iam::" + ae.account.ID + ":root", "ana: APPROVED", "ben: APPROVED", "APPROVED"} {
			if !strings.Contains(row[1], want) {
				t.Errorf("report row lacks %q:\n%s", want, row[1])
			}
		}
		if strings.Contains(row[1], `class="root-used">—`) {
			t.Errorf("report row does not say when root was used:\n%s", row[1])
		}
		if p := ae.signedInUser("intern").get("/console/approvals/report"); p.status != http.StatusForbidden || strings.Contains(p.body, sessARN) {
			t.Errorf("the report for a principal without mpa:ListApprovalTeams = %d; want 403 showing nothing", p.status)
		}
	})

	t.Run("records", func(t *testing.T) {
		ae.trail.Flush()
		count := map[string]int{}
		for _, name := range []string{mpa.EventVote, mpa.EventSessionApproved, mpa.EventSessionExecuted, mpa.EventSessionCancelled} {
			p, err := trail.List(ctx, ae.st, trail.Query{Account: ae.account.ID, EventName: name, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			count[name] = len(p.Events)
		}
		want := map[string]int{mpa.EventVote: 2, mpa.EventSessionApproved: 1, mpa.EventSessionExecuted: 1, mpa.EventSessionCancelled: 1}
		for name, n := range want {
			if count[name] != n {
				t.Errorf("%s records = %d; want %d", name, count[name], n)
			}
		}
	})
}

// TestRootSignInApprovalCheck: the Compliance page's check "root sign-in protected by multi-party
// approval" fails until an approval team whose policies include RootSignIn is ACTIVE: a team still
// waiting for an approver's acceptance does not count.
func TestRootSignInApprovalCheck(t *testing.T) {
	ae := newApprovalEnv(t)
	ae.withRootPassword()
	_, seed := ae.enableVirtualMFA("", "root-phone")
	ctx := context.Background()
	_, anaID := ae.approver("ana")
	_, benID := ae.approver("ben")
	root := ae.signedInRoot(seed)
	row := regexp.MustCompile(`(?s)id="check-ROOTWARD_ROOT_SIGNIN_MULTI_PARTY_APPROVAL".*?class="status status-([A-Z_]+)"`)
	status := func() string {
		p := root.get("/console/compliance")
		m := row.FindStringSubmatch(p.body)
		if p.status != http.StatusOK || m == nil {
			t.Fatalf("compliance page = %d without the check's row:\n%.3000s", p.status, p.body)
		}
		return m[1]
	}
	if got := status(); got != "FAILED" {
		t.Errorf("without a team: %s, want FAILED", got)
	}
	team, err := ae.mpa.CreateApprovalTeam(ctx, ae.account.ID, mpa.TeamInput{Name: "root-sign-in", Description: "Root sign-in",
		MinApprovals: 1, Approvers: []mpa.Identity{anaID, benID}, Policies: []string{mpa.PolicyARN(mpa.RootSignIn)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ae.mpa.RespondToInvitation(ctx, team.ARN, anaID, true); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != "FAILED" {
		t.Errorf("with the team PENDING_ACTIVATION: %s, want FAILED", got)
	}
	if _, err := ae.mpa.RespondToInvitation(ctx, team.ARN, benID, true); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != "PASSED" {
		t.Errorf("with the team ACTIVE: %s, want PASSED", got)
	}
}
