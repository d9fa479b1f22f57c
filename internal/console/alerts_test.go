package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/alerts"
	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/trail"
)

// alertsEnv is an env whose account manages an organization with one member, and a console that
// serves the root-activity alert's page.
type alertsEnv struct {
	*env
	alerts *alerts.Service
	org    string
	member string
}

func newAlertsEnv(t *testing.T) *alertsEnv {
	t.Helper()
	var a *alerts.Service
	var o *orgs.Service
	var rec *trail.Recorder
	e := newEnv(t, func(eo *envOpts) {
		eo.server = append(eo.server, func(c *server.Config) { rec = c.Trail })
		eo.console = append(eo.console, func(c *console.Config) {
			o = orgs.New(c.IAM, orgs.WithClock(c.Now))
			c.Orgs = o
			var err error
			a, err = alerts.New(alerts.Config{Store: c.IAM.Store(), IAM: c.IAM, Contacts: c.Root, Orgs: o, Trail: rec, Now: c.Now})
			if err != nil {
				t.Fatal(err)
			}
			c.Alerts = a
		})
	})
	e.withRootPassword()
	ctx := context.Background()
	org, err := o.CreateOrganization(ctx, e.account.ID, orgs.FeatureSetAll)
	if err != nil {
		t.Fatal(err)
	}
	st, err := o.CreateAccount(ctx, e.account.ID, orgs.CreateAccountInput{Email: "payments@acme.example", AccountName: "payments"})
	if err != nil {
		t.Fatal(err)
	}
	if st, err = o.DescribeCreateAccountStatus(ctx, e.account.ID, st.ID); err != nil || st.AccountID == "" {
		t.Fatalf("CreateAccount: %+v, %v", st, err)
	}
	return &alertsEnv{env: e, alerts: a, org: org.ID, member: st.AccountID}
}

// userIn creates an IAM user with a console password and an inline policy ("" for none) in account.
func (ae *alertsEnv) userIn(account, name, policy string) {
	ae.t.Helper()
	ctx := context.Background()
	if _, err := ae.svc.CreateUser(ctx, account, iam.CreateUserInput{UserName: name}); err != nil {
		ae.t.Fatal(err)
	}
	if _, err := ae.svc.CreateLoginProfile(ctx, account, name, userPw, false); err != nil {
		ae.t.Fatal(err)
	}
	if policy != "" {
		if err := ae.svc.PutInlinePolicy(ctx, account, "user", name, "inline", policy); err != nil {
			ae.t.Fatal(err)
		}
	}
}

func (ae *alertsEnv) signedIn(account, user string) *browser {
	ae.t.Helper()
	b := ae.browser()
	if p := b.signInUser(account, user, userPw); p.status != http.StatusSeeOther {
		ae.t.Fatalf("sign-in of %s: %d\n%.1000s", user, p.status, p.body)
	}
	return b
}

func (ae *alertsEnv) settings() *alerts.Settings {
	ae.t.Helper()
	s, err := ae.alerts.SettingsOf(context.Background(), ae.org)
	if err != nil {
		ae.t.Fatal(err)
	}
	return s
}

const describeRuleOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:DescribeRule","Resource":"*"}]}`

// The root user of the management account sees the alert and edits the organization's runbook and
// extra recipients; the edit is recorded in the trail and the next alert carries it.
func TestAlertsPageRootEdits(t *testing.T) {
	ae := newAlertsEnv(t)
	b := ae.browser()
	b.signInRootPassword(rootEmail, rootPw)
	if s := b.submit("/console/signin/skip-mfa", nil); s.status != http.StatusSeeOther {
		t.Fatalf("skip MFA registration: %d", s.status)
	}
	p := b.get("/console/alerts")
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="alert-settings"`) || !strings.Contains(p.body, `id="default-runbook"`) ||
		!strings.Contains(p.body, "<li>"+rootEmail+"</li>") || !strings.Contains(p.body, "organization "+ae.org) {
		t.Fatalf("alerts page: %d, want the form, the default runbook, the root email and the organization\n%.3000s", p.status, p.body)
	}
	if !strings.Contains(p.body, `href="/console/alerts"`) {
		t.Error("the navigation has no link to the alerts page")
	}
	runbook := "Call the on-call lead: +1 555 0100.\nThen open an incident <SEC>."
	posted := b.submit("/console/alerts", url.Values{"runbook": {runbook}, "recipients": {"soc@acme.example\nir@acme.example"}})
	if posted.status != http.StatusSeeOther || posted.location != "/console/alerts?saved=1" {
		t.Fatalf("save: %d %q\n%.2000s", posted.status, posted.location, posted.body)
	}
	p = b.follow(posted)
	if !strings.Contains(p.body, "Saved") || !strings.Contains(html.UnescapeString(p.body), runbook) || !strings.Contains(p.body, "<li>soc@acme.example</li>") {
		t.Fatalf("after saving:\n%.3000s", p.body)
	}
	s := ae.settings()
	if s.Runbook != runbook || !s.Own || strings.Join(s.Recipients, ",") != "soc@acme.example,ir@acme.example" {
		t.Errorf("stored settings = %+v", s)
	}
	// The member account's alerts carry the organization's runbook and recipients.
	r, err := ae.alerts.RecipientsOf(context.Background(), ae.member)
	if err != nil || r.Runbook != runbook || !strings.Contains(strings.Join(r.To, ","), "soc@acme.example") {
		t.Errorf("member's recipients = %+v, %v; want the organization's runbook and soc@acme.example", r, err)
	}
	ae.trail.Flush()
	pg, err := trail.List(context.Background(), ae.st, trail.Query{Account: ae.account.ID, EventName: "SetRootActivityAlertRunbook"})
	if err != nil || len(pg.Events) != 1 || pg.Events[0].UserIdentity.Type != "Root" || pg.Events[0].EventType != trail.AwsConsoleAction {
		t.Errorf("trail records of the edit = %+v, %v; want one console action of the root user", pg, err)
	}

	// Invalid input changes nothing.
	b.get("/console/alerts")
	bad := b.submit("/console/alerts", url.Values{"runbook": {"other"}, "recipients": {"not an address"}})
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "is not an email address") {
		t.Fatalf("bad recipients: %d\n%.2000s", bad.status, bad.body)
	}
	if s := ae.settings(); s.Runbook != runbook {
		t.Errorf("a refused save changed the runbook to %q", s.Runbook)
	}
}

// Who may see and edit: an administrator of the management account edits; a user allowed only
// events:DescribeRule sees it read-only and cannot post; a user without permissions sees nothing;
// a member account's administrator sees the organization's settings, edited in the management
// account only.
func TestAlertsPageViewers(t *testing.T) {
	ae := newAlertsEnv(t)
	ae.userIn(ae.account.ID, "admin", adminPolicy)
	ae.userIn(ae.account.ID, "viewer", describeRuleOnly)
	ae.userIn(ae.account.ID, "nobody", "")
	ae.userIn(ae.member, "memberadmin", adminPolicy)
	cases := []struct {
		name, account, user string
		getStatus           int
		form                bool
		postStatus          int
		want                string
	}{
		{"management administrator", ae.account.ID, "admin", http.StatusOK, true, http.StatusSeeOther, ""},
		{"read-only user", ae.account.ID, "viewer", http.StatusOK, false, http.StatusForbidden, "events:PutTargets"},
		{"user without permissions", ae.account.ID, "nobody", http.StatusForbidden, false, http.StatusForbidden, "events:DescribeRule"},
		{"member administrator", ae.member, "memberadmin", http.StatusOK, false, http.StatusForbidden, "edited in its management account, " + ae.account.ID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := ae.settings()
			b := ae.signedIn(tc.account, tc.user)
			p := b.get("/console/alerts")
			if p.status != tc.getStatus || strings.Contains(p.body, `id="alert-settings"`) != tc.form {
				t.Fatalf("GET: %d, form %v; want %d, form %v\n%.2000s", p.status, strings.Contains(p.body, `id="alert-settings"`), tc.getStatus, tc.form, p.body)
			}
			if tc.want != "" && !strings.Contains(html.UnescapeString(p.body), tc.want) {
				t.Errorf("GET lacks %q\n%.2000s", tc.want, p.body)
			}
			posted := b.submit("/console/alerts", url.Values{"runbook": {"runbook by " + tc.user}, "recipients": {""}})
			if posted.status != tc.postStatus {
				t.Fatalf("POST: %d, want %d\n%.2000s", posted.status, tc.postStatus, posted.body)
			}
			after := ae.settings()
			if changed := after.Runbook != before.Runbook; changed != (tc.postStatus == http.StatusSeeOther) {
				t.Errorf("POST changed the runbook: %v (%q), want %v", changed, after.Runbook, tc.postStatus == http.StatusSeeOther)
			}
		})
	}
}
