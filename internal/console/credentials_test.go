package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/rootuser"
)

// IAM users manage their own credentials on the same page, each action authorized as the API call
// it stands for.
func TestUserCredentialsAreAuthorized(t *testing.T) {
	e := newEnv(t)
	e.userWithPassword("admin", userPw, adminPolicy, false)
	e.userWithPassword("intern", userPw, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetCallerIdentity","iam:ListAccessKeys","iam:ListSigningCertificates"],"Resource":"*"}]}`, false)
	// The Deny names the user's own tag, a condition key of the action on the user: the console
	// must decide with it as the API does, not on the action and ARN alone.
	e.userWithPassword("locked", userPw, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":["iam:EnableMFADevice","iam:CreateAccessKey"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/credentials":"managed"}}}]}`, false)
	if err := e.svc.TagUser(context.Background(), e.account.ID, "locked", []iam.Tag{{Key: "credentials", Value: "managed"}}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		user    string
		allowed bool
	}{
		{"administrator", "admin", true},
		{"user without iam:EnableMFADevice or iam:CreateAccessKey", "intern", false},
		{"user denied them by its own tag", "locked", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := e.signedInUser(tc.user)
			b.t = t
			if p := b.get("/console/security-credentials"); p.status != http.StatusOK {
				t.Fatalf("credentials page: %d", p.status)
			}
			mfa := b.submit("/console/mfa/totp", url.Values{"name": {tc.user + "-phone"}})
			if mfa.status == http.StatusSeeOther {
				mfa = b.follow(mfa)
			}
			key := func() page {
				b.get("/console/security-credentials")
				p := b.submit("/console/access-keys/create", nil)
				if p.status == http.StatusSeeOther {
					return b.follow(p)
				}
				return p
			}()
			if tc.allowed {
				if mfa.status != http.StatusOK || !strings.Contains(mfa.body, "totp-seed") {
					t.Errorf("MFA: %d", mfa.status)
				}
				if key.status != http.StatusOK || !strings.Contains(key.body, "new-key-secret") {
					t.Errorf("access key: %d", key.status)
				}
				return
			}
			for what, p := range map[string]page{"MFA": mfa, "access key": key} {
				if p.status != http.StatusBadRequest || !strings.Contains(p.body, "is not authorized to perform") {
					t.Errorf("%s: status %d, want AWS's AccessDenied message\n%.1200s", what, p.status, p.body)
				}
			}
		})
	}
}

func TestUserRegistersTOTPFromTheQRPage(t *testing.T) {
	e := newEnv(t)
	e.userWithPassword("alice", userPw, adminPolicy, false)
	b := e.signedInUser("alice")
	b.get("/console/security-credentials")
	done, seed := b.registerTOTPPage("alice-phone")
	if done.status != http.StatusSeeOther || !strings.Contains(done.location, "/console/security-credentials?done=") {
		t.Fatalf("enable: %d %q\n%.1500s", done.status, done.location, done.body)
	}
	if p := b.follow(done); !strings.Contains(p.body, "Authenticator app registered") || !strings.Contains(p.body, "alice-phone") {
		t.Fatalf("credentials after registration:\n%.2000s", p.body)
	}
	// The next sign-in asks for the device.
	next := e.browser()
	p := next.signInUser(e.account.ID, "alice", userPw)
	serial := serialOption.FindStringSubmatch(p.body)
	if serial == nil {
		t.Fatalf("no MFA step:\n%.1500s", p.body)
	}
	if ok := next.submit("/console/signin/mfa", url.Values{"device": {serial[1]}, "code": {totpCode(t, seed, e.clock.Now())}}); ok.status != http.StatusSeeOther {
		t.Fatalf("MFA: %d", ok.status)
	}
}

func TestScriptCallsNeedTheCSRFHeader(t *testing.T) {
	e := newEnv(t)
	e.userWithPassword("alice", userPw, adminPolicy, false)
	b := e.signedInUser("alice")
	b.get("/console/security-credentials")
	token := b.csrf()
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"no token", "", http.StatusForbidden},
		{"wrong token", "nope-" + token, http.StatusForbidden},
		{"right token", token, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.url+"/console/mfa/webauthn/begin", strings.NewReader(`{"name":"key-1"}`))
			req.Header.Set("Content-Type", "application/json")
			if tc.header != "" {
				req.Header.Set("X-CSRF-Token", tc.header)
			}
			p := b.do(req)
			if p.status != tc.want {
				t.Fatalf("status %d, want %d: %.500s", p.status, tc.want, p.body)
			}
			if tc.want == http.StatusOK && (!strings.Contains(p.body, `"ceremony"`) || !strings.Contains(p.body, `"challenge"`) || !strings.Contains(p.body, `"userVerification":"required"`)) {
				t.Fatalf("registration options: %s", p.body)
			}
		})
	}
}

// The console's pages are consistent: one date form (ISO 8601 UTC), no raw placeholder texts, and
// a page keeps its heading when a step on it fails.
func TestConsoleConsistency(t *testing.T) {
	e := newEnv(t).withRootPassword()
	_, seed := e.enableVirtualMFA("", "root-phone")
	b := e.signedInRoot(seed)
	creds := b.get("/console/security-credentials")
	iso := regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z`)
	if !iso.MatchString(creds.body) || regexp.MustCompile(`\d{2}:\d{2} UTC`).MatchString(creds.body) {
		t.Fatalf("credentials page dates are not ISO 8601 UTC:\n%.3000s", creds.body)
	}
	if strings.Contains(creds.body, "default name") {
		t.Fatal("a raw placeholder text is shown")
	}
	heading := regexp.MustCompile(`<h1>([^<]*)</h1>`)
	pages := []struct {
		name, open, post string
		form             url.Values
	}{
		{"password reset with a spent link", "/console/recover/password", "/console/recover/password/complete",
			url.Values{"token": {"no-such-token"}, "password": {"Marmalade-Otter-77"}, "confirm_password": {"Marmalade-Otter-77"}}},
		{"cancel with a bad link", "/console/recover/mfa/cancel?token=nope", "/console/recover/mfa/cancel", url.Values{"token": {"nope"}}},
	}
	for _, tc := range pages {
		t.Run(tc.name, func(t *testing.T) {
			anon := e.browser()
			anon.t = t
			anon.get(tc.open)
			p := anon.submit(tc.post, tc.form)
			if p.status < 400 {
				t.Fatalf("status %d, want an error", p.status)
			}
			h := heading.FindStringSubmatch(p.body)
			if h == nil || h[1] == "Recovery" || h[1] == "Bad Request" || strings.HasPrefix(h[1], "Expired") {
				t.Fatalf("heading after the error = %q, want the page's own", h)
			}
		})
	}
}

// The root user's account page shows the contacts the Account Management API keeps, and its own
// phone and security-contact edits change those same records.
func TestAccountPageShowsTheAPIsContacts(t *testing.T) {
	e := newEnv(t).withRootPassword()
	ctx := context.Background()
	_, seed := e.enableVirtualMFA("", "root-phone")
	if err := e.root.PutContactInformation(ctx, e.account.ID, rootuser.ContactInformation{FullName: "Ada Lovelace", AddressLine1: "1 Analytical Way",
		City: "Seattle", StateOrRegion: "WA", PostalCode: "98101", CountryCode: "US", PhoneNumber: "+12065550142"}); err != nil {
		t.Fatal(err)
	}
	if err := e.root.PutAlternateContact(ctx, e.account.ID, rootuser.ContactBilling, rootuser.Contact{Name: "Bill Payer", Title: "AP", EmailAddress: "ap@acme.example"}); err != nil {
		t.Fatal(err)
	}
	b := e.signedInRoot(seed)
	p := b.get("/console/security-credentials")
	for _, want := range []string{"Ada Lovelace", "1 Analytical Way", "98101 Seattle, WA US", "Bill Payer (AP), ap@acme.example", `12065550142"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the account page lacks %q", want)
		}
	}
	if p := b.submit("/console/security-credentials/contacts", url.Values{"phone": {"+1 206 555 0199"}, "contact_email": {"sec@acme.example"}, "contact_name": {"Sec Team"}}); p.status != http.StatusSeeOther {
		t.Fatalf("contacts: %d\n%.1500s", p.status, p.body)
	}
	ci, err := e.root.ContactInformation(ctx, e.account.ID)
	if err != nil || ci.PhoneNumber != "+12065550199" || ci.FullName != "Ada Lovelace" {
		t.Errorf("contact information after the console's edit = %+v, %v; want the new phone, the rest kept", ci, err)
	}
	sc, err := e.root.AlternateContact(ctx, e.account.ID, rootuser.ContactSecurity)
	if err != nil || sc.EmailAddress != "sec@acme.example" {
		t.Errorf("SECURITY contact after the console's edit = %+v, %v", sc, err)
	}
}
