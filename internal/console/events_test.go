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
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/brokenlog"
	"github.com/rootward/rootward/internal/trail"
)

// The CloudTrail records of the root user's console steps, field by field, in the shapes of the
// CloudTrail User Guide, "AWS Management Console sign-in events"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html):
// "Root user, successful sign-in without MFA", "… with MFA", "Root user, unsuccessful sign-in",
// "Root user, MFA changed", "Root user, password changed", and the sign-in's CheckMfa; plus the
// password-recovery steps, which AWS names PasswordRecoveryRequested and PasswordRecoveryCompleted.

// eventIDPattern is a UUID as the recorder mints them: version 7 (time-ordered, internal/trail
// idMinter); version 4 as records copied in may carry.
var eventIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// record returns the JSON of the account's newest record named name, with its eventID and
// eventTime (which differ on every run) checked and removed.
func (e *env) record(t *testing.T, name string, match func(*trail.Event) bool) map[string]any {
	t.Helper()
	e.trail.Flush()
	p, err := trail.List(context.Background(), e.st, trail.Query{Account: e.account.ID, EventName: name, Match: match, Newest: true, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) == 0 {
		t.Fatalf("got no %s record", name)
	}
	m := testutil.JSONObject(t, p.Events[0])
	if id, _ := m["eventID"].(string); !eventIDPattern.MatchString(id) {
		t.Errorf("got eventID %q, want a UUID", id)
	}
	if at, err := time.Parse(time.RFC3339, m["eventTime"].(string)); err != nil || at.After(e.clock.Now()) {
		t.Errorf("got eventTime %v (%v), want a time up to now", m["eventTime"], err)
	}
	delete(m, "eventID")
	delete(m, "eventTime")
	return m
}

// wantRecord compares a record with the JSON want, in which ACCOUNT stands for the account ID
// and CONSOLE for the console's URL.
func (e *env) wantRecord(t *testing.T, got map[string]any, want string, vars ...string) {
	t.Helper()
	testutil.WantJSON(t, got, want, append([]string{"ACCOUNT", e.account.ID, "CONSOLE", e.url + "/console"}, vars...)...)
}

// rootSignInRecord is the part every root AwsConsoleSignIn record shares.
const rootSignInRecord = `"eventVersion": "1.08",
	"userIdentity": {"type": "Root", "principalId": "ACCOUNT", "arn": "arn:aws:iam::ACCOUNT:root", "accountId": "ACCOUNT", "accessKeyId": ""},
	"eventSource": "signin.amazonaws.com", "awsRegion": "us-east-1",
	"sourceIPAddress": "127.0.0.1", "userAgent": "Go-http-client/1.1",
	"requestParameters": null,
	"eventType": "AwsConsoleSignIn", "managementEvent": true, "recipientAccountId": "ACCOUNT", "eventCategory": "Management"`

// rootAPIRecord is the part the root user's console AwsApiCall records share.
const rootAPIRecord = `"eventVersion": "1.08",
	"userIdentity": {"type": "Root", "principalId": "ACCOUNT", "arn": "arn:aws:iam::ACCOUNT:root", "accountId": "ACCOUNT", "accessKeyId": ""},
	"eventSource": "iam.amazonaws.com", "awsRegion": "us-east-1",
	"sourceIPAddress": "127.0.0.1", "userAgent": "Go-http-client/1.1", "readOnly": false,
	"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "ACCOUNT", "eventCategory": "Management"`

func TestRootConsoleRecords(t *testing.T) {
	t.Parallel()
	const newPw = "Marmalade-Otter-77"
	tests := []struct {
		name string
		// run takes the console through the step and returns the record's name and the strings
		// its wanted JSON names (SERIAL).
		run  func(t *testing.T, e *env) (name string, match func(*trail.Event) bool, vars []string)
		want string
	}{
		{"ConsoleLogin, unsuccessful", func(t *testing.T, e *env) (string, func(*trail.Event) bool, []string) {
			if p := e.browser().signInRootPassword(rootEmail, "Wrong-Walrus-42"); p.status != http.StatusUnauthorized {
				t.Fatalf("got status %d, want 401", p.status)
			}
			return "ConsoleLogin", nil, nil
		}, `{` + rootSignInRecord + `, "eventName": "ConsoleLogin", "errorMessage": "Failed authentication",
			"responseElements": {"ConsoleLogin": "Failure"},
			"additionalEventData": {"LoginTo": "CONSOLE/home", "MobileVersion": "No", "MFAUsed": "No"}}`},
		{"ConsoleLogin, successful without MFA", func(t *testing.T, e *env) (string, func(*trail.Event) bool, []string) {
			b := e.browser()
			b.signInRootPassword(rootEmail, rootPw)
			if s := b.submit("/console/signin/skip-mfa", nil); s.status != http.StatusSeeOther {
				t.Fatalf("got status %d, want the sign-in done", s.status)
			}
			return "ConsoleLogin", nil, nil
		}, `{` + rootSignInRecord + `, "eventName": "ConsoleLogin",
			"responseElements": {"ConsoleLogin": "Success"},
			"additionalEventData": {"LoginTo": "CONSOLE/home", "MobileVersion": "No", "MFAUsed": "No"}}`},
		{"CheckMfa", func(t *testing.T, e *env) (string, func(*trail.Event) bool, []string) {
			e.enableVirtualMFA("", "root-phone")
			if p := e.browser().signInRootPassword(rootEmail, rootPw); p.status != http.StatusOK {
				t.Fatalf("got status %d, want the MFA step", p.status)
			}
			return "CheckMfa", nil, nil
		}, `{` + rootSignInRecord + `, "eventName": "CheckMfa",
			"responseElements": {"CheckMfa": "Success"},
			"additionalEventData": {"MfaType": "Virtual MFA"}}`},
		{"ConsoleLogin, unsuccessful at the MFA step", func(t *testing.T, e *env) (string, func(*trail.Event) bool, []string) {
			serial, seed := e.enableVirtualMFA("", "root-phone")
			b := e.browser()
			b.signInRootPassword(rootEmail, rootPw)
			if p := b.submit("/console/signin/mfa", url.Values{"device": {serial}, "code": {wrongCode(totpCode(t, seed, e.clock.Now()))}}); p.status != http.StatusUnauthorized {
				t.Fatalf("got status %d, want 401", p.status)
			}
			return "ConsoleLogin", nil, nil
		}, `{` + rootSignInRecord + `, "eventName": "ConsoleLogin", "errorMessage": "Failed authentication",
			"responseElements": {"ConsoleLogin": "Failure"},
			"additionalEventData": {"LoginTo": "CONSOLE/home", "MobileVersion": "No", "MFAUsed": "Yes"}}`},
		{"ConsoleLogin, successful with MFA", func(t *testing.T, e *env) (string, func(*trail.Event) bool, []string) {
			serial, seed := e.enableVirtualMFA("", "root-phone")
			e.signedInRoot(seed)
			return "ConsoleLogin", nil, []string{"SERIAL", serial}
		}, `{` + rootSignInRecord + `, "eventName": "ConsoleLogin",
			"responseElements": {"ConsoleLogin": "Success"},
			"additionalEventData": {"LoginTo": "CONSOLE/home", "MobileVersion": "No", "MFAUsed": "Yes", "MFAIdentifier": "SERIAL"}}`},
		{"PasswordUpdated", func(t *testing.T, e *env) (string, func(*trail.Event) bool, []string) {
			_, seed := e.enableVirtualMFA("", "root-phone")
			b := e.signedInRoot(seed)
			b.get("/console/security-credentials")
			if p := b.submit("/console/security-credentials/password", url.Values{"old_password": {rootPw}, "new_password": {newPw}, "confirm_password": {newPw}}); p.status != http.StatusSeeOther {
				t.Fatalf("got status %d, want the password changed", p.status)
			}
			return "PasswordUpdated", nil, nil
		}, `{` + rootSignInRecord + `, "eventName": "PasswordUpdated", "responseElements": {"PasswordUpdated": "Success"}}`},
		{"PasswordUpdated, wrong current password", func(t *testing.T, e *env) (string, func(*trail.Event) bool, []string) {
			_, seed := e.enableVirtualMFA("", "root-phone")
			b := e.signedInRoot(seed)
			b.get("/console/security-credentials")
			if p := b.submit("/console/security-credentials/password", url.Values{"old_password": {"Not-The-Password-1"}, "new_password": {newPw}, "confirm_password": {newPw}}); p.status != http.StatusBadRequest {
				t.Fatalf("got status %d, want 400", p.status)
			}
			return "PasswordUpdated", nil, nil
		}, `{` + rootSignInRecord + `, "eventName": "PasswordUpdated", "errorMessage": "The current password is incorrect.",
			"responseElements": {"PasswordUpdated": "Failure"}}`},
		{"EnableMFADevice", func(t *testing.T, e *env) (string, func(*trail.Event) bool, []string) {
			b := e.browser()
			b.signInRootPassword(rootEmail, rootPw)
			if done, _ := b.registerTOTPPage("root-app"); done.status != http.StatusSeeOther {
				t.Fatalf("got status %d, want the device registered", done.status)
			}
			return "EnableMFADevice", nil, []string{"SERIAL", "arn:aws:iam::" + e.account.ID + ":mfa/root-app"}
		}, `{` + rootAPIRecord + `, "eventName": "EnableMFADevice",
			"requestParameters": {"userName": "AWS ROOT USER", "serialNumber": "SERIAL"}, "responseElements": null}`},
		{"DeactivateMFADevice", func(t *testing.T, e *env) (string, func(*trail.Event) bool, []string) {
			serial, seed := e.enableVirtualMFA("", "root-phone")
			e.enableVirtualMFA("", "root-spare")
			b := e.signedInRoot(seed)
			b.get("/console/security-credentials")
			if p := b.submit("/console/mfa/remove", url.Values{"serial": {serial}, "confirm": {serial}}); p.status != http.StatusSeeOther {
				t.Fatalf("got status %d, want the device removed\n%.1500s", p.status, p.body)
			}
			return "DeactivateMFADevice", nil, []string{"SERIAL", serial}
		}, `{` + rootAPIRecord + `, "eventName": "DeactivateMFADevice",
			"requestParameters": {"userName": "AWS ROOT USER", "serialNumber": "SERIAL"}, "responseElements": null}`},
		{"DeleteVirtualMFADevice", func(t *testing.T, e *env) (string, func(*trail.Event) bool, []string) {
			serial, seed := e.enableVirtualMFA("", "root-phone")
			e.enableVirtualMFA("", "root-spare")
			b := e.signedInRoot(seed)
			b.get("/console/security-credentials")
			if p := b.submit("/console/mfa/remove", url.Values{"serial": {serial}, "confirm": {serial}}); p.status != http.StatusSeeOther {
				t.Fatalf("got status %d, want the device removed\n%.1500s", p.status, p.body)
			}
			return "DeleteVirtualMFADevice", nil, []string{"SERIAL", serial}
		}, `{` + rootAPIRecord + `, "eventName": "DeleteVirtualMFADevice",
			"requestParameters": {"serialNumber": "SERIAL"}, "responseElements": null}`},
		{"PasswordRecoveryRequested", func(t *testing.T, e *env) (string, func(*trail.Event) bool, []string) {
			b := e.browser()
			b.get("/console/recover/password")
			if p := b.submit("/console/recover/password", url.Values{"email": {rootEmail}}); p.status != http.StatusOK {
				t.Fatalf("got status %d, want 200", p.status)
			}
			e.root.Drain()
			return "PasswordRecoveryRequested", nil, nil
		}, `{` + rootSignInRecord + `, "eventName": "PasswordRecoveryRequested", "responseElements": {"PasswordRecoveryRequested": "Success"}}`},
		{"PasswordRecoveryCompleted", func(t *testing.T, e *env) (string, func(*trail.Event) bool, []string) {
			b := e.browser()
			b.get("/console/recover/password")
			b.submit("/console/recover/password", url.Values{"email": {rootEmail}})
			b.get(e.outboxLink(rootEmail, rootuser.PurposePasswordReset))
			tok := strings.TrimPrefix(e.outboxLink(rootEmail, rootuser.PurposePasswordReset), "/console/recover/password?token=")
			if p := b.submit("/console/recover/password/complete", url.Values{"token": {tok}, "password": {newPw}, "confirm_password": {newPw}}); p.status != http.StatusOK {
				t.Fatalf("got status %d, want 200", p.status)
			}
			return "PasswordRecoveryCompleted", nil, nil
		}, `{` + rootSignInRecord + `, "eventName": "PasswordRecoveryCompleted", "responseElements": {"PasswordRecoveryCompleted": "Success"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t).withRootPassword()
			name, match, vars := tc.run(t, e)
			e.wantRecord(t, e.record(t, name, match), tc.want, vars...)
		})
	}
}

// With the event log refusing every append, the console answers the root user's steps with its
// internal-error page, never with their success: a password change that took effect is still
// mailed to the root email, and the page tells to try again.
func TestRootConsoleStepsWithoutTheirRecord(t *testing.T) {
	t.Parallel()
	const newPw = "Marmalade-Otter-77"
	var l *brokenlog.Log
	e := newEnv(t, func(o *envOpts) {
		o.eventLog = func(st store.Store) store.EventLog {
			l = brokenlog.New(st)
			return l
		}
	}).withRootPassword()
	_, seed := e.enableVirtualMFA("", "root-phone")
	b := e.signedInRoot(seed)
	b.get("/console/security-credentials")
	l.Break()
	p := b.submit("/console/security-credentials/password", url.Values{"old_password": {rootPw}, "new_password": {newPw}, "confirm_password": {newPw}})
	if p.status != http.StatusInternalServerError || !strings.Contains(p.body, "Something went wrong. Try again.") {
		t.Fatalf("got status %d, want the internal-error page\n%.1500s", p.status, p.body)
	}
	if entries, err := e.notify.Outbox(context.Background(), notify.Query{To: rootEmail, Purpose: rootuser.PurposePasswordChanged}); err != nil || len(entries) != 1 {
		t.Fatalf("got %d password-change alerts (%v), want 1", len(entries), err)
	}
	// A sign-in is not answered without its record either.
	if p := e.browser().signInRootPassword(rootEmail, newPw); p.status != http.StatusInternalServerError {
		t.Fatalf("got sign-in status %d, want 500", p.status)
	}
}

// The first-run claim sets the root user's first password: it is recorded as the PasswordUpdated
// it amounts to, and a claim whose record cannot be stored answers an error and gives the link
// back, so claiming again works and is recorded.
func TestClaimRecorded(t *testing.T) {
	t.Parallel()
	var l *brokenlog.Log
	e := newEnv(t, func(o *envOpts) {
		o.eventLog = func(st store.Store) store.EventLog {
			l = brokenlog.New(st)
			return l
		}
	})
	ctx := context.Background()
	acct, err := e.svc.CreateAccount(ctx, "rootward", "root@rootward.invalid", "")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := console.CreateClaim(ctx, e.st, acct.ID, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"email": {"ops@example.org"}, "account_name": {"production"}, "password": {"Vault-Keeper-2026!"},
		"confirm_password": {"Vault-Keeper-2026!"}, "phone": {"+15555550123"}}
	b := e.browser()
	b.get(console.ClaimPath(tok))
	l.Break()
	if p := b.submit(console.ClaimPath(tok), form); p.status != http.StatusInternalServerError {
		t.Fatalf("got status %d with the event log down, want 500\n%.1500s", p.status, p.body)
	}
	l.Mend()
	b.get(console.ClaimPath(tok))
	if p := b.submit(console.ClaimPath(tok), form); p.status != http.StatusOK || !strings.Contains(p.body, "Installation claimed") {
		t.Fatalf("got status %d claiming again, want the claim done\n%.1500s", p.status, p.body)
	}
	e.trail.Flush()
	pg, err := trail.List(ctx, e.st, trail.Query{Account: acct.ID, EventName: "PasswordUpdated"})
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.Events) != 1 || pg.Events[0].UserIdentity.Type != "Root" || pg.Events[0].ResponseElements["PasswordUpdated"] != "Success" {
		t.Fatalf("got PasswordUpdated records %+v, want the claim's", pg.Events)
	}
}
