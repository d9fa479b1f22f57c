package alerts_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/alerts"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// env is a server with an organization (management account and one member), each account with a
// SECURITY contact, and the alert service over them.
type env struct {
	*servertest.Env
	clk      *testutil.Clock
	notifier *notify.Notifier
	alerts   *alerts.Service
	member   string
	org      string // the organization's ID
	ensured  *ensureLog
	recorded *eventLog
}

type ensureLog struct {
	mu    sync.Mutex
	calls []string
	rules []alerts.ManagedRule
	seen  chan string // told of each call, when set
}

func (l *ensureLog) ensure(_ context.Context, account string, r alerts.ManagedRule) error {
	l.mu.Lock()
	l.calls = append(l.calls, account)
	l.rules = append(l.rules, r)
	seen := l.seen
	l.mu.Unlock()
	if seen != nil {
		seen <- account
	}
	return nil
}

func (l *ensureLog) accounts() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.calls)
}

type eventLog struct {
	mu     sync.Mutex
	events []*trail.Event
}

func (l *eventLog) add(es []*trail.Event) {
	l.mu.Lock()
	l.events = append(l.events, es...)
	l.mu.Unlock()
}

func (l *eventLog) named(name string) []*trail.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*trail.Event
	for _, e := range l.events {
		if e.EventName == name {
			out = append(out, e)
		}
	}
	return out
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(time.Second))
	e := &env{Env: servertest.Build(t, nil, clk.Now), clk: clk, ensured: &ensureLog{}, recorded: &eventLog{}}
	e.Trail.Subscribe(e.recorded.add)
	var err error
	e.notifier, err = notify.New(e.Store, testutil.Sealer(t), notify.Config{}, notify.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	root, err := rootuser.New(rootuser.Config{IAM: e.Svc, Notifier: e.notifier, Trail: e.Trail, ConsoleURL: "https://rootward.example/console"},
		rootuser.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(root.Drain)
	admin := e.Admin()
	e.NewOrg(admin)
	e.member = e.CreateMember(admin, "payments")
	ctx := context.Background()
	o, err := orgs.New(e.Svc).OrganizationOf(ctx, e.member)
	if err != nil || o == nil {
		t.Fatalf("OrganizationOf(member) = %v, %v", o, err)
	}
	e.org = o.ID
	for acct, addr := range map[string]string{e.Account.ID: "sec-mgmt@example.com", e.member: "sec-payments@example.com"} {
		p := &rootuser.Principal{Account: acct, Root: true, UserID: acct}
		if err := root.SetSecurityContact(ctx, p, &rootuser.Contact{Name: "Sec", Title: "CISO", EmailAddress: addr, PhoneNumber: "+15555550100"}, rootuser.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	e.alerts, err = alerts.New(alerts.Config{Store: e.Store, IAM: e.Svc, Contacts: root, Orgs: orgs.New(e.Svc), Notifier: e.notifier,
		Trail: e.Trail, Ensure: e.ensured.ensure, Now: clk.Now, ConsoleURL: "https://rootward.example/console"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// outbox returns the messages of purpose sent since the test's start, by recipient.
func (e *env) outbox(t *testing.T, purpose string) map[string]notify.Entry {
	t.Helper()
	entries, err := e.notifier.Outbox(context.Background(), notify.Query{Purpose: purpose})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]notify.Entry{}
	for _, m := range entries {
		out[m.To] = m
	}
	return out
}

// deliver hands the rule's target an event as EventBridge delivers it.
func (e *env) deliver(t *testing.T, account, detailType, source string, rec *trail.Event) error {
	t.Helper()
	payload, err := json.Marshal(map[string]any{
		"version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602", "detail-type": detailType, "source": source,
		"account": account, "time": rec.EventTime.Format(time.RFC3339), "region": "us-east-1", "resources": []string{}, "detail": rec,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e.alerts.HandleTarget(context.Background(), e.alerts.TargetARN(account), payload)
}

func keys(m map[string]notify.Entry) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func memberRootEmail(t *testing.T, e *env) string {
	t.Helper()
	a, err := e.Svc.GetAccount(context.Background(), e.member)
	if err != nil {
		t.Fatal(err)
	}
	return a.Email
}

// The alert of a root console sign-in and of a root API call carries the account, its root email,
// what happened, when, from where, with which browser or tool, whether MFA was used, and the
// organization's runbook.
func TestAlertContents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	runbook := "Call the on-call security lead at +1 555 0100 within 15 minutes.\nThen open an incident in SEC-OPS."
	if err := e.alerts.SetRunbook(ctx, e.org, runbook, alerts.Editor{}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 6, 9, 41, 19, 0, time.UTC)
	empty, akia := "", "AKIAEXAMPLEROOTKEY01"
	signIn := &trail.Event{
		EventVersion: "1.08", EventTime: at, EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin", AWSRegion: "us-east-1",
		UserIdentity:    trail.UserIdentity{Type: "Root", PrincipalID: e.member, ARN: "arn:aws:iam::" + e.member + ":root", AccountID: e.member, AccessKeyID: &empty},
		SourceIPAddress: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
		ResponseElements:    map[string]any{"ConsoleLogin": "Success"},
		AdditionalEventData: map[string]any{"LoginTo": "https://rootward.example/console/home", "MobileVersion": "No", "MFAUsed": "Yes"},
		EventID:             "0f2c1e5a-1d8a-4c8e-9d55-4d3e8b1c2a11", EventType: trail.AwsConsoleSignIn, RecipientAccountID: e.member,
	}
	apiCall := &trail.Event{
		EventVersion: "1.08", EventTime: at.Add(time.Minute), EventSource: "iam.amazonaws.com", EventName: "CreateAccessKey", AWSRegion: "us-east-1",
		UserIdentity:    trail.UserIdentity{Type: "Root", PrincipalID: e.member, ARN: "arn:aws:iam::" + e.member + ":root", AccountID: e.member, AccessKeyID: &akia},
		SourceIPAddress: "198.51.100.23", UserAgent: "aws-cli/2.22.0 Python/3.12.6 Linux/6.8",
		EventID: "4b6c7d1e-2f3a-4b5c-8d9e-0a1b2c3d4e5f", EventType: trail.AwsAPICall, RecipientAccountID: e.member,
	}
	asia := "ASIAEXAMPLESESSION01"
	session := &trail.Event{
		EventVersion: "1.08", EventTime: at.Add(2 * time.Minute), EventSource: "iam.amazonaws.com", EventName: "DeleteLoginProfile", AWSRegion: "us-east-1",
		UserIdentity: trail.UserIdentity{Type: "Root", PrincipalID: e.member, ARN: "arn:aws:iam::" + e.member + ":root", AccountID: e.member, AccessKeyID: &asia,
			SessionContext: &trail.SessionContext{AssumedRoot: "true", Attributes: map[string]string{"creationDate": "2026-12-06T09:43:00Z", "mfaAuthenticated": "false"},
				SessionIssuer: &trail.SessionIssuer{Type: "AssumedRole", ARN: "arn:aws:sts::" + e.Account.ID + ":assumed-role/rootops/JohnRole1", AccountID: e.Account.ID}}},
		SourceIPAddress: "198.51.100.24", UserAgent: "aws-cli/2.22.0 Python/3.12.6 Linux/6.8",
		EventID: "5c7d8e2f-3a4b-4c6d-9e0f-1a2b3c4d5e6f", EventType: trail.AwsAPICall, RecipientAccountID: e.member,
	}
	rootEmail := memberRootEmail(t, e)
	cases := []struct {
		name, detailType, source string
		rec                      *trail.Event
		subject                  string
		want                     []string
	}{
		{"root sign-in", "AWS Console Sign In via CloudTrail", "aws.signin", signIn,
			"Root user activity in AWS account " + e.member + " (payments): ConsoleLogin",
			[]string{"Account:     " + e.member + " (payments)", "Root email:  " + rootEmail,
				"What:        root console sign-in (ConsoleLogin) — event source signin.amazonaws.com, event type AwsConsoleSignIn",
				"Result:      Success", "When:        2026-12-06T09:41:19Z", "Source IP:   203.0.113.7",
				"User agent:  Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "MFA used:    Yes", "Event ID:    0f2c1e5a-1d8a-4c8e-9d55-4d3e8b1c2a11",
				"Runbook\n-------\n" + runbook, "https://rootward.example/console/alerts"}},
		{"root API call", "AWS API Call via CloudTrail", "aws.iam", apiCall,
			"Root user activity in AWS account " + e.member + " (payments): CreateAccessKey",
			[]string{"Account:     " + e.member + " (payments)", "Root email:  " + rootEmail,
				"What:        CreateAccessKey — event source iam.amazonaws.com, event type AwsApiCall",
				"When:        2026-12-06T09:42:19Z", "Source IP:   198.51.100.23", "User agent:  aws-cli/2.22.0 Python/3.12.6 Linux/6.8",
				"MFA used:    No (signed with a long-term root access key)", "Access key:  AKIAEXAMPLEROOTKEY01", "Runbook\n-------\n" + runbook}},
		// Issue 12: "Any call whose CloudTrail userIdentity.type is Root counts, privileged root
		// sessions included."
		{"a privileged root session's call", "AWS API Call via CloudTrail", "aws.iam", session,
			"Root user activity in AWS account " + e.member + " (payments): DeleteLoginProfile",
			[]string{"Account:     " + e.member + " (payments)", "Root email:  " + rootEmail,
				"What:        DeleteLoginProfile — event source iam.amazonaws.com",
				"Session:     privileged root session (sts:AssumeRoot) opened by arn:aws:sts::" + e.Account.ID + ":assumed-role/rootops/JohnRole1",
				"Access key:  ASIAEXAMPLESESSION01", "Runbook\n-------\n" + runbook}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := e.deliver(t, e.member, tc.detailType, tc.source, tc.rec); err != nil {
				t.Fatal(err)
			}
			var got notify.Entry
			entries, err := e.notifier.Outbox(ctx, notify.Query{Purpose: alerts.Purpose, To: rootEmail})
			if err != nil || len(entries) == 0 {
				t.Fatalf("no alert to the root email %s (%v)", rootEmail, err)
			}
			got = entries[len(entries)-1]
			if got.Subject != tc.subject {
				t.Errorf("subject = %q, want %q", got.Subject, tc.subject)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.Body, w) {
					t.Errorf("the alert lacks %q; body:\n%s", w, got.Body)
				}
			}
		})
	}

	// A target of another account does not alert this one's contacts.
	payload, _ := json.Marshal(map[string]any{"account": e.member, "detail": apiCall})
	if err := e.alerts.HandleTarget(ctx, e.alerts.TargetARN(e.Account.ID), payload); err == nil {
		t.Error("HandleTarget with another account's target = nil, want an error")
	}
}

// A member account's alert goes to its root email, its SECURITY contact and the management
// account's SECURITY contact, and the organization's extra recipients; the management account's
// to its own root email and SECURITY contact and the extra recipients.
func TestRecipients(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if err := e.alerts.SetRecipients(ctx, e.org, []string{"soc@example.com", "SOC@example.com"}, alerts.Editor{}); err != nil {
		t.Fatal(err)
	}
	at := e.clk.Now()
	empty := ""
	rec := func(account string) *trail.Event {
		return &trail.Event{EventTime: at, EventSource: "iam.amazonaws.com", EventName: "ListUsers", AWSRegion: "us-east-1",
			UserIdentity: trail.UserIdentity{Type: "Root", AccountID: account, AccessKeyID: &empty}, EventType: trail.AwsAPICall, RecipientAccountID: account}
	}
	cases := []struct {
		name, account string
		want          []string
	}{
		{"member", e.member, []string{memberRootEmail(t, e), "sec-mgmt@example.com", "sec-payments@example.com", "soc@example.com"}},
		{"management", e.Account.ID, []string{e.Account.Email, "sec-mgmt@example.com", "soc@example.com"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := e.alerts.RecipientsOf(ctx, tc.account)
			if err != nil {
				t.Fatal(err)
			}
			got := slices.Sorted(slices.Values(r.To))
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Errorf("recipients = %v, want %v", got, want)
			}
			entries, err := e.notifier.Outbox(ctx, notify.Query{Purpose: alerts.Purpose, Account: tc.account})
			if err != nil {
				t.Fatal(err)
			}
			before := len(entries)
			if err := e.deliver(t, tc.account, "AWS API Call via CloudTrail", "aws.iam", rec(tc.account)); err != nil {
				t.Fatal(err)
			}
			entries, err = e.notifier.Outbox(ctx, notify.Query{Purpose: alerts.Purpose, Account: tc.account})
			if err != nil {
				t.Fatal(err)
			}
			var sent []string
			for _, m := range entries[before:] {
				sent = append(sent, m.To)
			}
			if slices.Sort(sent); !slices.Equal(sent, want) {
				t.Errorf("emailed %v, want %v", sent, want)
			}
		})
	}
	// A record of another principal is no root activity: nothing is sent.
	r := rec(e.member)
	r.UserIdentity.Type = "IAMUser"
	before := len(e.outbox(t, alerts.Purpose))
	if err := e.deliver(t, e.member, "AWS API Call via CloudTrail", "aws.iam", r); err != nil {
		t.Fatal(err)
	}
	if after := len(e.outbox(t, alerts.Purpose)); after != before {
		t.Errorf("an IAM user's record sent alerts")
	}
}

// Disabling or deleting the rule is recorded in the account's trail and announced to the alert's
// recipients.
func TestRuleChangeAnnounced(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	caller := "arn:aws:iam::" + e.member + ":user/mallory"
	e.alerts.RuleChanged(ctx, e.member, alerts.RuleName, "disabled", caller)
	e.Trail.Flush()

	recs := e.recorded.named("RootActivityAlertDisabled")
	if len(recs) != 1 {
		t.Fatalf("trail records RootActivityAlertDisabled = %d, want 1", len(recs))
	}
	if r := recs[0]; r.RecipientAccountID != e.member || r.EventSource != "events.amazonaws.com" || r.EventType != trail.AwsServiceEvent ||
		r.AdditionalEventData["changedBy"] != caller || r.AdditionalEventData["ruleName"] != alerts.RuleName {
		t.Errorf("trail record = account %s, source %s, type %s, data %v; want %s, events.amazonaws.com, AwsServiceEvent, changedBy %s",
			r.RecipientAccountID, r.EventSource, r.EventType, r.AdditionalEventData, e.member, caller)
	}
	sent := e.outbox(t, alerts.PurposeRuleChange)
	want := []string{memberRootEmail(t, e), "sec-mgmt@example.com", "sec-payments@example.com"}
	slices.Sort(want)
	if got := keys(sent); !slices.Equal(got, want) {
		t.Fatalf("announced to %v, want %v", got, want)
	}
	m := sent["sec-mgmt@example.com"]
	if wantSubj := "The root-activity alert of AWS account " + e.member + " (payments) was disabled"; m.Subject != wantSubj {
		t.Errorf("subject = %q, want %q", m.Subject, wantSubj)
	}
	for _, w := range []string{"By:          " + caller, "RootwardRootActivity", "Runbook"} {
		if !strings.Contains(m.Body, w) {
			t.Errorf("the announcement lacks %q:\n%s", w, m.Body)
		}
	}
	st, err := e.alerts.StateOf(ctx, e.member)
	if err != nil || st.Rule != alerts.RuleDisabled || st.ChangedBy != caller {
		t.Errorf("state = %+v, %v; want DISABLED by %s", st, err, caller)
	}

	e.alerts.RuleChanged(ctx, e.member, alerts.RuleName, "DeleteRule", caller)
	e.Trail.Flush()
	if len(e.recorded.named("RootActivityAlertDeleted")) != 1 {
		t.Error("DeleteRule was not recorded")
	}
	// Removing the rule's alert target (RemoveTargets with Force) silences it as surely.
	e.alerts.RuleChanged(ctx, e.member, alerts.RuleName, "RemoveTargets", caller)
	e.Trail.Flush()
	if len(e.recorded.named("RootActivityAlertTargetRemoved")) != 1 {
		t.Error("RemoveTargets was not recorded")
	}
	if st, err := e.alerts.StateOf(ctx, e.member); err != nil || st.Rule != alerts.RuleTargetRemoved {
		t.Errorf("state after RemoveTargets = %+v, %v; want TARGET_REMOVED", st, err)
	}
	var removed int
	all, err := e.notifier.Outbox(ctx, notify.Query{Purpose: alerts.PurposeRuleChange})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if strings.Contains(m.Subject, "stripped of its alert target") {
			removed++
		}
	}
	if removed == 0 {
		t.Error("RemoveTargets was not announced")
	}
	// Another rule's changes are none of the alert's business.
	before := len(e.outbox(t, alerts.PurposeRuleChange))
	e.alerts.RuleChanged(ctx, e.member, "SomeoneElsesRule", "disabled", caller)
	if len(e.outbox(t, alerts.PurposeRuleChange)) != before {
		t.Error("a change of another rule was announced")
	}
}

// Every account gets the rule once, pointing at its own alert target; a rule the account then
// deleted is not put back, not even by another process.
func TestEnsure(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if err := e.alerts.EnsureAll(ctx); err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(slices.Values(e.ensured.accounts()))
	want := slices.Sorted(slices.Values([]string{e.Account.ID, e.member}))
	if !slices.Equal(got, want) {
		t.Fatalf("ensured %v, want %v", got, want)
	}
	r := e.ensured.rules[0]
	if r.Name != "RootwardRootActivity" || r.ManagedBy != "rootward" || r.EventPattern != `{"detail":{"userIdentity":{"type":["Root"]}}}` ||
		len(r.Targets) != 1 || !strings.HasPrefix(r.Targets[0].ARN, "arn:aws:rootward:us-east-1:") || !strings.HasSuffix(r.Targets[0].ARN, ":alert/root-activity") {
		t.Errorf("rule = %+v", r)
	}
	e.alerts.RuleChanged(ctx, e.member, alerts.RuleName, "deleted", "arn:aws:iam::"+e.member+":root")
	again, err := alerts.New(alerts.Config{Store: e.Store, IAM: e.Svc, Contacts: nopContacts{}, Notifier: e.notifier, Ensure: e.ensured.ensure})
	if err != nil {
		t.Fatal(err)
	}
	if err := again.EnsureAll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(e.ensured.accounts()); n != 2 {
		t.Errorf("a second EnsureAll ensured %d rules in all, want 2 (none again)", n)
	}

	// A new account gets its rule from Run, told by the store's change feed.
	seen := make(chan string, 16)
	e.ensured.mu.Lock()
	e.ensured.seen = seen
	e.ensured.mu.Unlock()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go e.alerts.Run(runCtx)
	a, err := e.Svc.CreateAccount(ctx, "late", "late+"+strings.ToLower(t.Name())+"@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	for got := ""; got != a.ID; {
		select {
		case got = <-seen:
		case <-time.After(30 * time.Second): // a bound on a hung test, not a timing assertion
			t.Fatalf("the new account %s got no rule", a.ID)
		}
	}
}

type nopContacts struct{}

func (nopContacts) AccountDetails(context.Context, string) (*rootuser.AccountDetails, error) {
	return &rootuser.AccountDetails{}, nil
}

// A settings change made where no bus follows the trail (a `rootward alerts` command) is recorded
// there and queued; the serve that runs the alert puts it on the owner's bus once, as it does for
// its own records. A change of the installation's default is recorded in, and announced to, every
// account that owns a scope (the management account here; its member owns none). Before, a
// command's change reached no bus, and a change of the default was recorded nowhere.
func TestSettingsChangesAnnounced(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // e.alerts has no bus, as in a command
	ctx := context.Background()
	announced := make(chan *trail.Event, 16)
	serve, err := alerts.New(alerts.Config{Store: e.Store, IAM: e.Svc, Orgs: orgs.New(e.Svc), Trail: e.Trail, Now: e.clk.Now,
		Announce: func(ev *trail.Event) { announced <- ev }})
	if err != nil {
		t.Fatal(err)
	}
	mgmt := e.Account.ID
	cli := alerts.Editor{Tool: "rootward alerts runbook", LocalUser: "ops", Account: mgmt}

	// serve's own change reaches its bus through the trail: nothing is queued.
	if err := serve.SetRecipients(ctx, e.org, []string{"soc@example.com"}, alerts.Editor{Identity: trail.UserIdentity{Type: "Root", AccountID: mgmt}, Account: mgmt}); err != nil {
		t.Fatal(err)
	}
	if n, err := serve.AnnouncePending(ctx); err != nil || n != 0 {
		t.Fatalf("AnnouncePending after serve's own change = %d, %v; want 0", n, err)
	}

	cases := []struct {
		name, scope string
		by          alerts.Editor
		wantScope   string
	}{
		{"the organization's runbook", e.org, cli, e.org},
		{"the installation's default", alerts.DefaultScope, alerts.Editor{Tool: "rootward alerts runbook"}, "*"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.recorded.named("SetRootActivityAlertRunbook"))
			if err := e.alerts.SetRunbook(ctx, tc.scope, "Call Dana: "+tc.name, tc.by); err != nil {
				t.Fatal(err)
			}
			e.Trail.Flush()
			recs := e.recorded.named("SetRootActivityAlertRunbook")[before:]
			if len(recs) != 1 || recs[0].RecipientAccountID != mgmt || recs[0].RequestParameters["scope"] != tc.wantScope {
				t.Fatalf("records = %+v; want one in account %s with scope %s", recs, mgmt, tc.wantScope)
			}
			if n, err := serve.AnnouncePending(ctx); err != nil || n != 1 {
				t.Fatalf("AnnouncePending = %d, %v; want 1", n, err)
			}
			got := <-announced
			if got.EventID != recs[0].EventID || got.EventName != "SetRootActivityAlertRunbook" || got.RecipientAccountID != mgmt ||
				got.UserIdentity.Type != "AWSService" || got.UserIdentity.InvokedBy != "rootward.amazonaws.com" {
				t.Errorf("announced %+v; want the record %s of account %s", got, recs[0].EventID, mgmt)
			}
			if n, err := serve.AnnouncePending(ctx); err != nil || n != 0 {
				t.Errorf("a second AnnouncePending = %d, %v; want 0 (announced once)", n, err)
			}
		})
	}

	// Run announces a queued change when the store's change feed reports it.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go serve.Run(runCtx)
	if err := e.alerts.SetRecipients(ctx, e.org, []string{"ir@example.com"}, cli); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-announced:
		if got.EventName != "SetRootActivityAlertRecipients" || got.RecipientAccountID != mgmt {
			t.Errorf("Run announced %s in %s; want SetRootActivityAlertRecipients in %s", got.EventName, got.RecipientAccountID, mgmt)
		}
	case <-time.After(30 * time.Second): // a bound on a hung test, not a timing assertion
		t.Fatal("Run did not announce the queued change")
	}
}
