package console_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/trail"
)

// orgEnv is an env whose account manages an organization with trusted access for IAM, the given
// centralized root access features, and three member accounts:
//   - legacy: a root with a password, a virtual MFA device and an access key used some days ago,
//     as a member created before centralized root access may have;
//   - tools: a root with a signing certificate, a successful console sign-in two hours ago and a
//     failed one an hour ago;
//   - clean: a root without credentials, last signed in 100 days ago.
type orgEnv struct {
	*env
	orgs                 *orgs.Service
	legacy, tools, clean string
	legacyKey, legacyMFA string
	pwSet, keyUsed       time.Time
	signedIn             time.Time
}

const memberRootPw = "Zq7!vR2#kLp9@wX4"

func newOrgEnv(t *testing.T, features ...string) *orgEnv {
	t.Helper()
	var o *orgs.Service
	e := newEnv(t, func(eo *envOpts) {
		eo.console = append(eo.console, func(c *console.Config) {
			o = orgs.New(c.IAM, orgs.WithClock(c.Now))
			c.Orgs = o
		})
	})
	ctx := context.Background()
	mgmt := e.account.ID
	if _, err := o.CreateOrganization(ctx, mgmt, orgs.FeatureSetAll); err != nil {
		t.Fatal(err)
	}
	if err := o.EnableAWSServiceAccess(ctx, mgmt, orgs.IAMService); err != nil {
		t.Fatal(err)
	}
	for _, f := range features {
		if _, err := o.SetRootAccessFeature(ctx, mgmt, f, true); err != nil {
			t.Fatal(err)
		}
	}
	oe := &orgEnv{env: e, orgs: o}
	member := func(name string) string {
		st, err := o.CreateAccount(ctx, mgmt, orgs.CreateAccountInput{Email: name + "@acme.example", AccountName: name})
		if err != nil {
			t.Fatal(err)
		}
		// CreateAccount answers IN_PROGRESS, as AWS does; the status says when it is done.
		if st, err = o.DescribeCreateAccountStatus(ctx, mgmt, st.ID); err != nil || st.AccountID == "" {
			t.Fatalf("CreateAccount %s: %+v, %v", name, st, err)
		}
		return st.AccountID
	}
	oe.legacy, oe.tools, oe.clean = member("legacy"), member("tools"), member("clean")

	oe.pwSet = e.clock.Now()
	if err := e.svc.SetRootPassword(ctx, oe.legacy, memberRootPw); err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.CreateVirtualMFADevice(ctx, oe.legacy, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: "root-account-mfa-device"})
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	if err := e.svc.EnableMFADevice(ctx, oe.legacy, "", d.SerialNumber, totpCode(t, d.Base32StringSeed, now.Add(-30*time.Second)), totpCode(t, d.Base32StringSeed, now)); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	oe.legacyMFA = d.SerialNumber
	k, err := e.svc.CreateRootAccessKey(ctx, oe.legacy)
	if err != nil {
		t.Fatal(err)
	}
	oe.legacyKey = k.AccessKeyID
	oe.keyUsed = e.clock.Now().Add(-3 * 24 * time.Hour).Truncate(time.Second)
	if err := e.svc.RecordKeyUse(ctx, k.AccessKeyID, "iam", "us-east-1", oe.keyUsed); err != nil {
		t.Fatal(err)
	}

	if _, err := e.svc.UploadSigningCertificate(ctx, oe.tools, "", selfSignedPEM(t)); err != nil {
		t.Fatal(err)
	}
	oe.signedIn = e.clock.Now().Add(-2 * time.Hour).Truncate(time.Second)
	oe.rootSignIn(oe.tools, oe.signedIn, "Success")
	oe.rootSignIn(oe.tools, e.clock.Now().Add(-time.Hour), "Failure")
	oe.rootSignIn(oe.clean, e.clock.Now().Add(-100*24*time.Hour), "Success")
	e.trail.Flush()
	return oe
}

// rootSignIn records a root ConsoleLogin in account's CloudTrail records, as the sign-in flow does.
func (oe *orgEnv) rootSignIn(account string, at time.Time, result string) {
	empty := ""
	oe.trail.Record(&trail.Event{
		EventTime: at, EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin", EventType: trail.AwsConsoleSignIn,
		UserIdentity:       trail.UserIdentity{Type: "Root", PrincipalID: account, ARN: "arn:aws:iam::" + account + ":root", AccountID: account, AccessKeyID: &empty},
		RecipientAccountID: account, ResponseElements: map[string]any{"ConsoleLogin": result},
	})
}

// memberUser creates an IAM user with a console password and an inline policy in another account.
func (oe *orgEnv) memberUser(account, name, policy string) {
	oe.t.Helper()
	ctx := context.Background()
	if _, err := oe.svc.CreateUser(ctx, account, iam.CreateUserInput{UserName: name}); err != nil {
		oe.t.Fatal(err)
	}
	if _, err := oe.svc.CreateLoginProfile(ctx, account, name, userPw, false); err != nil {
		oe.t.Fatal(err)
	}
	if err := oe.svc.PutInlinePolicy(ctx, account, "user", name, "inline", policy); err != nil {
		oe.t.Fatal(err)
	}
}

func selfSignedPEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// Valid across the test clock's date and today's.
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "legacy-tools"},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

const (
	rootAccessPage = "/console/organization/root-access"
	deleteAction   = rootAccessPage + "/delete"
	// auditorPolicy allows the page's reads and nothing else: no sts:AssumeRoot.
	auditorPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:ListAccounts","iam:ListOrganizationsFeatures"],"Resource":"*"}]}`
)

// row is the inventory table's row of account on a page, "" when there is none.
func row(body, account string) string {
	m := regexp.MustCompile(`(?s)<tr id="account-` + account + `">(.*?)</tr>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// cell is the text of the row's cell with the given class, tags removed.
func cell(r, class string) string {
	m := regexp.MustCompile(`(?s)<td class="` + class + `">(.*?)</td>`).FindStringSubmatch(r)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], " ")), " ")
}

func TestOrganizationRootAccessPageFacts(t *testing.T) {
	oe := newOrgEnv(t, orgs.FeatureRootCredentialsManagement, orgs.FeatureRootSessions)
	oe.userWithPassword("admin", userPw, adminPolicy, false)
	b := oe.signedInUser("admin")
	p := b.get(rootAccessPage)
	if p.status != http.StatusOK {
		t.Fatalf("page: %d\n%.2000s", p.status, p.body)
	}
	date := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
	tests := []struct {
		name    string
		account string
		cells   map[string]string // cell class → text
		delete  bool              // a delete form in the row
	}{
		{"legacy member with password, MFA and a used access key", oe.legacy, map[string]string{
			"password": "yes changed " + date(oe.pwSet), "mfa": "1 × authenticator app", "keys": "1 (1 active)", "certs": "0",
			"last-used": date(oe.keyUsed) + " access key",
		}, true},
		{"member with a signing certificate: the failed sign-in after the good one does not count", oe.tools, map[string]string{
			"password": "no", "mfa": "none", "keys": "0", "certs": "1", "last-used": date(oe.signedIn) + " console sign-in",
		}, true},
		{"member without credentials, last used before the window", oe.clean, map[string]string{
			"password": "no", "mfa": "none", "keys": "0", "certs": "0", "last-used": "not in the last 90 days",
		}, false},
		{"management account: never a delete action", oe.account.ID, map[string]string{"password": "no"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := row(p.body, tc.account)
			if r == "" {
				t.Fatalf("no row for %s:\n%.3000s", tc.account, p.body)
			}
			for class, want := range tc.cells {
				if got := cell(r, class); got != want {
					t.Errorf("%s = %q, want %q", class, got, want)
				}
			}
			if got := strings.Contains(r, `action="/console/organization/root-access/delete"`); got != tc.delete {
				t.Errorf("delete form present = %v, want %v", got, tc.delete)
			}
			if tc.delete && !strings.Contains(r, `value="Delete every root user credential of account `+tc.account+`"`) {
				t.Errorf("the confirmation does not name the account:\n%s", r)
			}
		})
	}
	// Colours mean what they say: a member root's password is worth a look (warn), a root access
	// key is a fault (bad), and the management root's password is expected (plain).
	if r := row(p.body, oe.legacy); !strings.Contains(r, `<td class="password"><span class="warn">yes</span>`) || !strings.Contains(r, `<td class="keys"><span class="bad">1</span>`) {
		t.Errorf("legacy member's row colours:\n%s", r)
	}
	if err := oe.svc.SetRootPassword(context.Background(), oe.account.ID, "Quartz-Lantern-Harbor-81"); err != nil {
		t.Fatal(err)
	}
	if r := row(b.get(rootAccessPage).body, oe.account.ID); !strings.Contains(r, `<td class="password">yes`) {
		t.Errorf("the management root's password is flagged:\n%s", r)
	}
	if !strings.Contains(p.body, `<div class="table-wrap">`) {
		t.Error("the inventory table does not scroll inside its card")
	}
	for _, want := range []string{"legacy@acme.example", "ACTIVE", `id="feature-credentials"><span class="good">enabled`, `id="feature-sessions"><span class="good">enabled`, "Best practice"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// TestOrganizationPageAndRootStatusAgree checks that the page and `rootward org root-status`
// (which prints orgs.Service.RootInventory) show the same last use, computed once, and the accounts'
// current names and root emails: the page searched CloudTrail while the command saw only access
// keys, neither counted a root password's recorded sign-in, and both showed the name and email the
// organization copied when the account joined.
func TestOrganizationPageAndRootStatusAgree(t *testing.T) {
	oe := newOrgEnv(t, orgs.FeatureRootCredentialsManagement, orgs.FeatureRootSessions)
	ctx := context.Background()
	now := oe.clock.Now()
	// legacy's root password signed in a day ago, after its key's use three days ago; clean's ten
	// days ago, its ConsoleLogin record (100 days ago) being outside the window.
	legacyPw, cleanPw := now.Add(-24*time.Hour).Truncate(time.Second), now.Add(-10*24*time.Hour).Truncate(time.Second)
	if err := oe.svc.RecordPasswordUse(ctx, oe.legacy, "", legacyPw); err != nil {
		t.Fatal(err)
	}
	if err := oe.svc.RecordPasswordUse(ctx, oe.clean, "", cleanPw); err != nil {
		t.Fatal(err)
	}
	renamed := map[string][2]string{oe.account.ID: {"Acme management", "security@acme.example"}, oe.legacy: {"Legacy tools", "legacy-root@acme.example"}}
	for id, ne := range renamed {
		if err := oe.svc.SetAccountName(ctx, id, ne[0]); err != nil {
			t.Fatal(err)
		}
		if err := oe.svc.SetRootEmail(ctx, id, ne[1]); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := oe.orgs.RootInventory(ctx, oe.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	oe.userWithPassword("admin", userPw, adminPolicy, false)
	p := oe.signedInUser("admin").get(rootAccessPage)
	if p.status != http.StatusOK {
		t.Fatalf("page: %d\n%.2000s", p.status, p.body)
	}
	date := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
	want := map[string]string{
		oe.legacy:     date(legacyPw) + " console sign-in",
		oe.tools:      date(oe.signedIn) + " console sign-in",
		oe.clean:      date(cleanPw) + " console sign-in",
		oe.account.ID: "not in the last 90 days",
	}
	for _, a := range inv.Accounts {
		t.Run(a.AccountID, func(t *testing.T) {
			r := row(p.body, a.AccountID)
			cli := "not in the last 90 days"
			if a.LastUsed != nil {
				cli = date(*a.LastUsed) + " " + a.LastUsedBy
			}
			if got := cell(r, "last-used"); got != want[a.AccountID] || cli != want[a.AccountID] {
				t.Errorf("last used: page %q, root-status %q; want %q", got, cli, want[a.AccountID])
			}
			if ne, ok := renamed[a.AccountID]; ok {
				page := [2]string{cell(r, "name"), cell(r, "email")}
				if page != ne || [2]string{a.Name, a.Email} != ne {
					t.Errorf("name, email: page %q, root-status %q; want %q", page, [2]string{a.Name, a.Email}, ne)
				}
			}
		})
	}
}

func TestOrganizationRootAccessPageViewers(t *testing.T) {
	oe := newOrgEnv(t, orgs.FeatureRootCredentialsManagement, orgs.FeatureRootSessions)
	oe.withRootPassword()
	_, seed := oe.enableVirtualMFA("", "root-phone")
	oe.userWithPassword("admin", userPw, adminPolicy, false)
	oe.userWithPassword("auditor", userPw, auditorPolicy, false)
	oe.userWithPassword("intern", userPw, "", false)
	oe.memberUser(oe.legacy, "dev", adminPolicy)
	member := oe.browser()
	if p := member.signInUser(oe.legacy, "dev", userPw); p.status != http.StatusSeeOther {
		t.Fatalf("member sign-in: %d", p.status)
	}
	const navLink = `href="/console/organization/root-access"`
	tests := []struct {
		name    string
		b       *browser
		status  int
		want    []string
		notWant []string
		nav     bool // the navigation links to the page
	}{
		{"management administrator", oe.signedInUser("admin"), http.StatusOK, []string{oe.legacy, "Delete root credentials"}, nil, true},
		{"management auditor with the read permissions only", oe.signedInUser("auditor"), http.StatusOK, []string{oe.legacy}, nil, true},
		{"management user without permissions", oe.signedInUser("intern"), http.StatusForbidden,
			[]string{"is not authorized to perform: organizations:ListAccounts"},
			// A policy's denial is not Organizations refusing a member account: no hint about who may see it.
			[]string{oe.legacy, "management account and of the IAM delegated administrator"}, true},
		{"management root user: AssumeRoot refuses root credentials, so no action", oe.signedInRoot(seed), http.StatusOK,
			[]string{oe.legacy, "root credentials cannot open privileged root sessions"}, []string{"Delete root credentials"}, true},
		{"administrator of a member account", member, http.StatusForbidden,
			[]string{"management account and of the IAM delegated administrator"}, []string{oe.tools}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.b.t = t
			p := tc.b.get(rootAccessPage)
			if p.status != tc.status {
				t.Fatalf("status %d, want %d\n%.2000s", p.status, tc.status, p.body)
			}
			for _, w := range tc.want {
				if !strings.Contains(p.body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(p.body, w) {
					t.Errorf("page shows %q", w)
				}
			}
			if home := tc.b.get("/console/home"); strings.Contains(home.body, navLink) != tc.nav {
				t.Errorf("navigation link shown = %v, want %v", !tc.nav, tc.nav)
			}
		})
	}
}

// rootCredentials is a member root's credentials as IAM holds them.
func (oe *orgEnv) rootCredentials(account string) *iam.RootCredentials {
	oe.t.Helper()
	rc, err := oe.svc.RootCredentialsOf(context.Background(), account)
	if err != nil {
		oe.t.Fatal(err)
	}
	return rc
}

func TestOrganizationDeleteRootCredentials(t *testing.T) {
	oe := newOrgEnv(t, orgs.FeatureRootCredentialsManagement, orgs.FeatureRootSessions)
	oe.userWithPassword("admin", userPw, adminPolicy, false)
	oe.userWithPassword("auditor", userPw, auditorPolicy, false)
	admin, auditor := oe.signedInUser("admin"), oe.signedInUser("auditor")
	confirm := func(account string) url.Values {
		return url.Values{"account": {account}, "confirm": {"Delete every root user credential of account " + account}}
	}
	noToken := confirm(oe.legacy)
	noToken.Set("csrf", "")
	tests := []struct {
		name    string
		b       *browser
		form    url.Values
		status  int
		want    string
		deleted bool // legacy's root has no credential left afterwards
	}{
		{"without a CSRF token", admin, noToken, http.StatusForbidden, "did not come from this console", false},
		{"without the confirmation", admin, url.Values{"account": {oe.legacy}}, http.StatusBadRequest, "Tick the confirmation naming account " + oe.legacy, false},
		{"confirmation of another account", admin, url.Values{"account": {oe.legacy}, "confirm": confirm(oe.tools)["confirm"]}, http.StatusBadRequest, "Tick the confirmation", false},
		{"management account", admin, confirm(oe.account.ID), http.StatusBadRequest, "root credentials cannot be deleted through a privileged root session", false},
		{"principal without sts:AssumeRoot", auditor, confirm(oe.legacy), http.StatusForbidden, "is not authorized to perform: sts:AssumeRoot", false},
		{"administrator, confirmed", admin, confirm(oe.legacy), http.StatusOK, "Root credentials of account " + oe.legacy + " deleted", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.b.t = t
			tc.b.get(rootAccessPage)
			p := tc.b.submit(deleteAction, tc.form)
			if p.status == http.StatusSeeOther && tc.deleted {
				// Done: the answer is a redirect to the page that shows the outcome once.
				outcome := p.location
				p = tc.b.follow(p)
				defer func() {
					if again := tc.b.get(outcome); again.status != http.StatusOK || strings.Contains(again.body, `id="deleted"`) {
						t.Errorf("reloading %s: status %d, the outcome shown again: %v", outcome, again.status, strings.Contains(again.body, `id="deleted"`))
					}
				}()
			}
			if p.status != tc.status || !strings.Contains(p.body, tc.want) {
				t.Fatalf("status %d, want %d with %q\n%.3000s", p.status, tc.status, tc.want, p.body)
			}
			if got := oe.rootCredentials(oe.legacy).Empty(); got != tc.deleted {
				t.Fatalf("legacy root without credentials = %v, want %v", got, tc.deleted)
			}
			if tc.deleted {
				for _, id := range []string{oe.legacyKey, oe.legacyMFA} {
					if !strings.Contains(p.body, id) {
						t.Errorf("the result does not list %s", id)
					}
				}
				if r := row(p.body, oe.legacy); !strings.Contains(r, "no root credentials") || strings.Contains(r, "Delete root credentials") {
					t.Errorf("legacy's row after the deletion:\n%s", r)
				}
			}
		})
	}
	if rc := oe.rootCredentials(oe.tools); len(rc.Certificates) != 1 {
		t.Fatalf("another member's root lost its certificate: %+v", rc)
	}

	// The privileged task is recorded: AssumeRoot in the management account, each step in the
	// member account as its root in a privileged root session.
	oe.trail.Flush()
	ctx := context.Background()
	mine, err := trail.List(ctx, oe.st, trail.Query{Account: oe.account.ID, Match: func(e *trail.Event) bool {
		return e.EventName == "AssumeRoot" && e.ErrorCode == "" && e.RequestParameters["targetPrincipal"] == oe.legacy
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(mine.Events) != 1 || mine.Events[0].UserIdentity.UserName != "admin" {
		t.Fatalf("AssumeRoot records: %+v", mine.Events)
	}
	theirs, err := trail.List(ctx, oe.st, trail.Query{Account: oe.legacy, Match: func(e *trail.Event) bool {
		sc := e.UserIdentity.SessionContext
		return e.UserIdentity.Type == "Root" && sc != nil && sc.AssumedRoot == "true" && e.ErrorCode == ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range theirs.Events {
		names = append(names, e.EventName)
	}
	for _, want := range []string{"DeleteLoginProfile", "DeleteAccessKey", "DeactivateMFADevice", "DeleteVirtualMFADevice"} {
		if !slices.Contains(names, want) {
			t.Errorf("no %s record of the privileged root session in %v", want, names)
		}
	}
	// The session is root use, and the page says so.
	p := admin.get(rootAccessPage)
	if got := cell(row(p.body, oe.legacy), "last-used"); !strings.HasSuffix(got, "privileged root session") {
		t.Errorf("legacy last used = %q", got)
	}
}

func TestOrganizationDeleteWithoutRootSessions(t *testing.T) {
	oe := newOrgEnv(t, orgs.FeatureRootCredentialsManagement)
	oe.userWithPassword("admin", userPw, adminPolicy, false)
	b := oe.signedInUser("admin")
	p := b.get(rootAccessPage)
	if !strings.Contains(p.body, `id="feature-sessions"><span class="warn">disabled`) {
		t.Fatalf("RootSessions shown as enabled:\n%.3000s", p.body)
	}
	before := oe.rootCredentials(oe.legacy)
	p = b.submit(deleteAction, url.Values{"account": {oe.legacy}, "confirm": {"Delete every root user credential of account " + oe.legacy}})
	for _, want := range []string{"RootSessions feature of centralized root access) are not enabled", "aws iam enable-organizations-root-sessions"} {
		if p.status != http.StatusForbidden || !strings.Contains(p.body, want) {
			t.Fatalf("status %d, want 403 with %q\n%.3000s", p.status, want, p.body)
		}
	}
	if strings.Contains(p.body, `id="deleted"`) {
		t.Error("the page reports a deletion")
	}
	after := oe.rootCredentials(oe.legacy)
	if !after.HasPassword || len(after.AccessKeys) != len(before.AccessKeys) || len(after.MFADevices) != len(before.MFADevices) {
		t.Fatalf("credentials changed: before %+v, after %+v", before, after)
	}
}
