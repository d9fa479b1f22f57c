package console_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/trail"
)

const userPw = "Correct-Horse-42"

// signInUser runs the IAM-user sign-in form and returns the answer to it.
func (b *browser) signInUser(account, user, pw string) page {
	b.t.Helper()
	b.get("/console/signin/iam")
	return b.submit("/console/signin/iam", url.Values{"account": {account}, "username": {user}, "password": {pw}})
}

func TestIAMUserSignIn(t *testing.T) {
	e := newEnv(t)
	e.userWithPassword("alice", userPw, adminPolicy, false)
	e.userWithPassword("bob", userPw, "", false) // no permissions at all
	if err := e.svc.CreateAccountAlias(context.Background(), e.account.ID, "acme-prod"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		account    string
		user       string
		pw         string
		wantStatus int
		wantHome   []string // text on the home page after sign-in
	}{
		{"account ID", e.account.ID, "alice", userPw, http.StatusSeeOther, []string{":user/alice", "IAM users", "bob"}},
		{"account alias", "acme-prod", "alice", userPw, http.StatusSeeOther, []string{":user/alice"}},
		{"user names are case-insensitive", e.account.ID, "ALICE", userPw, http.StatusSeeOther, []string{":user/alice"}},
		{"a user without permissions sees AWS's AccessDenied in place of each panel", e.account.ID, "bob", userPw, http.StatusSeeOther,
			[]string{":user/bob", "is not authorized to perform: iam:GetAccountSummary", "is not authorized to perform: iam:ListUsers"}},
		{"wrong password", e.account.ID, "alice", "Wrong-Horse-42", http.StatusUnauthorized, nil},
		{"unknown user", e.account.ID, "mallory", userPw, http.StatusUnauthorized, nil},
		{"unknown account", "000000000000", "alice", userPw, http.StatusUnauthorized, nil},
		{"unknown alias", "nope-alias", "alice", userPw, http.StatusUnauthorized, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser()
			b.t = t
			p := b.signInUser(tc.account, tc.user, tc.pw)
			if p.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body:\n%.1500s", p.status, tc.wantStatus, p.body)
			}
			if tc.wantStatus != http.StatusSeeOther {
				if !strings.Contains(p.body, "Your authentication information is incorrect") {
					t.Errorf("failure page does not give the one generic message:\n%.1500s", p.body)
				}
				if h := b.get("/console/home"); h.status != http.StatusSeeOther || !strings.HasPrefix(h.location, "/console/signin") {
					t.Errorf("after a failed sign-in /console/home = %d %s, want a redirect to sign-in", h.status, h.location)
				}
				return
			}
			home := b.follow(p)
			for _, want := range tc.wantHome {
				if !strings.Contains(home.body, want) {
					t.Errorf("home page lacks %q:\n%.3000s", want, home.body)
				}
			}
		})
	}
}

func TestIAMUserSignInWithMFA(t *testing.T) {
	e := newEnv(t)
	e.userWithPassword("carol", userPw, adminPolicy, false)
	serial, seed := e.enableVirtualMFA("carol", "carol-phone")

	b := e.browser()
	p := b.signInUser(e.account.ID, "carol", userPw)
	if p.status != http.StatusOK || !strings.Contains(p.body, serial) {
		t.Fatalf("after the password: status %d, want the MFA page listing %s:\n%.1500s", p.status, serial, p.body)
	}
	if h := b.get("/console/home"); h.status != http.StatusSeeOther {
		t.Fatalf("home before MFA = %d, want a redirect", h.status)
	}
	b.get("/console/signin/iam") // a fresh page for a token; the MFA form's is the same
	bad := b.submit("/console/signin/mfa", url.Values{"device": {serial}, "code": {wrongCode(totpCode(t, seed, e.clock.Now()))}})
	if bad.status != http.StatusUnauthorized || !strings.Contains(bad.body, "not valid") {
		t.Fatalf("wrong code: status %d:\n%.1500s", bad.status, bad.body)
	}
	code := totpCode(t, seed, e.clock.Now())
	ok := b.submit("/console/signin/mfa", url.Values{"device": {serial}, "code": {code}})
	if ok.status != http.StatusSeeOther || ok.location != "/console/home" {
		t.Fatalf("right code: status %d location %q:\n%.1500s", ok.status, ok.location, ok.body)
	}
	home := b.follow(ok)
	if !strings.Contains(home.body, ":user/carol") {
		t.Fatalf("home:\n%.1500s", home.body)
	}

	t.Run("a code is accepted once", func(t *testing.T) {
		b2 := e.browser()
		b2.t = t
		if p := b2.signInUser(e.account.ID, "carol", userPw); p.status != http.StatusOK {
			t.Fatalf("password step: %d", p.status)
		}
		again := b2.submit("/console/signin/mfa", url.Values{"device": {serial}, "code": {code}})
		if again.status != http.StatusUnauthorized {
			t.Fatalf("replayed code: status %d, want 401", again.status)
		}
	})
	t.Run("three wrong codes end the pending sign-in", func(t *testing.T) {
		b3 := e.browser()
		b3.t = t
		b3.signInUser(e.account.ID, "carol", userPw)
		for i := 0; i < 3; i++ {
			b3.submit("/console/signin/mfa", url.Values{"device": {serial}, "code": {"000000"}})
		}
		e.clock.Advance(30 * time.Second)
		p := b3.submit("/console/signin/mfa", url.Values{"device": {serial}, "code": {totpCode(t, seed, e.clock.Now())}})
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "Sign in again") {
			t.Fatalf("right code after three wrong ones: status %d:\n%.1000s", p.status, p.body)
		}
	})
	t.Run("sign-in events", func(t *testing.T) {
		e.trail.Flush()
		pg, err := trail.List(context.Background(), e.st, trail.Query{Account: e.account.ID, Match: func(ev *trail.Event) bool {
			return ev.EventName == "ConsoleLogin"
		}})
		if err != nil {
			t.Fatal(err)
		}
		var success, failure int
		for _, ev := range pg.Events {
			switch ev.ResponseElements["ConsoleLogin"] {
			case "Success":
				success++
				if ev.AdditionalEventData["MFAUsed"] != "Yes" || ev.UserIdentity.UserName != "carol" || ev.EventType != trail.AwsConsoleSignIn {
					t.Errorf("success event = %+v", ev)
				}
			case "Failure":
				failure++
				if ev.ErrorMessage != "Failed authentication" {
					t.Errorf("failure event = %+v", ev)
				}
			}
		}
		if success != 1 || failure < 2 {
			t.Errorf("ConsoleLogin events: %d successes, %d failures; want 1 and at least 2", success, failure)
		}
	})
}

// wrongCode returns a six-digit code that differs from c.
func wrongCode(c string) string {
	if c == "123456" {
		return "654321"
	}
	return "123456"
}

func TestIAMUserForcedPasswordChange(t *testing.T) {
	e := newEnv(t)
	// dave may change his own password (the AWS-managed IAMUserChangePassword grant, inline here).
	e.userWithPassword("dave", userPw, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword","sts:GetCallerIdentity"],"Resource":"*"}]}`, true)
	e.userWithPassword("erin", userPw, "", true) // may not

	b := e.browser()
	p := b.signInUser(e.account.ID, "dave", userPw)
	if p.status != http.StatusOK || !strings.Contains(p.body, "new password") {
		t.Fatalf("status %d, want the password change page:\n%.1500s", p.status, p.body)
	}
	mismatch := b.submit("/console/signin/password-change", url.Values{"old_password": {userPw}, "new_password": {"Brand-New-Pass-7"}, "confirm_password": {"Other-Pass-7"}})
	if mismatch.status != http.StatusBadRequest || !strings.Contains(mismatch.body, "do not match") {
		t.Fatalf("mismatch: %d", mismatch.status)
	}
	wrongOld := b.submit("/console/signin/password-change", url.Values{"old_password": {"Not-The-Old-1"}, "new_password": {"Brand-New-Pass-7"}, "confirm_password": {"Brand-New-Pass-7"}})
	if wrongOld.status != http.StatusBadRequest || !strings.Contains(wrongOld.body, "old password is incorrect") {
		t.Fatalf("wrong old password: %d\n%.1000s", wrongOld.status, wrongOld.body)
	}
	done := b.submit("/console/signin/password-change", url.Values{"old_password": {userPw}, "new_password": {"Brand-New-Pass-7"}, "confirm_password": {"Brand-New-Pass-7"}})
	if done.status != http.StatusSeeOther || done.location != "/console/home" {
		t.Fatalf("change: %d %q\n%.1500s", done.status, done.location, done.body)
	}
	lp, err := e.svc.GetLoginProfile(context.Background(), e.account.ID, "dave")
	if err != nil || lp.PasswordResetRequired {
		t.Fatalf("login profile after the change: %+v, %v", lp, err)
	}
	if p := e.browser().signInUser(e.account.ID, "dave", "Brand-New-Pass-7"); p.status != http.StatusSeeOther {
		t.Fatalf("sign-in with the new password: %d", p.status)
	}

	t.Run("without iam:ChangePassword the user cannot get in", func(t *testing.T) {
		b := e.browser()
		b.t = t
		b.signInUser(e.account.ID, "erin", userPw)
		p := b.submit("/console/signin/password-change", url.Values{"old_password": {userPw}, "new_password": {"Brand-New-Pass-7"}, "confirm_password": {"Brand-New-Pass-7"}})
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "iam:ChangePassword") {
			t.Fatalf("status %d:\n%.1500s", p.status, p.body)
		}
		if h := b.get("/console/home"); h.status != http.StatusSeeOther {
			t.Fatalf("home = %d, want a redirect to sign-in", h.status)
		}
	})
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	e.userWithPassword("alice", userPw, adminPolicy, false)
	b := e.browser()
	if p := b.signInUser(e.account.ID, "alice", userPw); p.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", p.status)
	}
	b.get("/console/home")
	token := b.csrf()
	other := e.browser()
	other.get("/console/signin")
	foreign := other.csrf() // a valid token, but of another browser
	// A wrong token differs from the right one in its first character (which may itself be "x").
	wrong := "x" + token[1:]
	if token[0] == 'x' {
		wrong = "y" + token[1:]
	}

	tests := []struct {
		name   string
		form   url.Values
		header http.Header
		want   int
	}{
		{"no token", url.Values{}, nil, http.StatusForbidden},
		{"wrong token", url.Values{"csrf": {wrong}}, nil, http.StatusForbidden},
		{"another browser's token", url.Values{"csrf": {foreign}}, nil, http.StatusForbidden},
		{"right token from another origin", url.Values{"csrf": {token}}, http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"right token, cross-site fetch", url.Values{"csrf": {token}}, http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"right token", url.Values{"csrf": {token}}, http.Header{"Origin": {e.url}}, http.StatusSeeOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Sign-out is the probe: it is harmless to refuse and visible when it works.
			p := b.postRaw("/console/signout", tc.form, tc.header)
			if p.status != tc.want {
				t.Fatalf("status = %d, want %d", p.status, tc.want)
			}
			if tc.want == http.StatusForbidden {
				if h := b.get("/console/home"); h.status != http.StatusOK {
					t.Fatalf("a refused sign-out ended the session: home = %d", h.status)
				}
			}
		})
	}
	t.Run("pre-sign-in forms need the double-submit cookie", func(t *testing.T) {
		fresh := e.browser()
		fresh.t = t
		p := fresh.postRaw("/console/signin/iam", url.Values{"csrf": {foreign}, "account": {e.account.ID}, "username": {"alice"}, "password": {userPw}}, nil)
		if p.status != http.StatusForbidden {
			t.Fatalf("status = %d, want 403", p.status)
		}
	})
}

func TestSecurityHeadersAndCookies(t *testing.T) {
	e := newEnv(t)
	e.userWithPassword("alice", userPw, adminPolicy, false)
	b := e.browser()
	p := b.get("/console/signin")
	wantHeaders := map[string]string{
		"Content-Security-Policy": "default-src 'none'; script-src 'self'",
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "no-referrer",
	}
	for k, v := range wantHeaders {
		if !strings.HasPrefix(p.header.Get(k), v) {
			t.Errorf("%s = %q, want prefix %q", k, p.header.Get(k), v)
		}
	}
	if strings.Contains(p.body, "<script>") || strings.Contains(p.body, " on") && strings.Contains(p.body, "onclick") {
		t.Error("the sign-in page has inline script")
	}
	signin := b.signInUser(e.account.ID, "alice", userPw)
	var session *http.Cookie
	for _, c := range (&http.Response{Header: signin.header}).Cookies() {
		if c.Name == "rw_session" {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Secure {
		t.Errorf("session cookie over plain HTTP = %+v, want HttpOnly, SameSite=Strict, not Secure", session)
	}

	t.Run("Secure under TLS", func(t *testing.T) {
		api := server.New(server.Config{IAM: e.svc, Now: e.clock.Now})
		h, err := console.New(console.Config{IAM: e.svc, Root: e.root, SignIn: e.signin, Runner: api.Runner(), Now: e.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewTLSServer(h)
		defer ts.Close()
		jar, _ := cookiejar.New(nil)
		c := ts.Client()
		c.Jar = jar
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // test server
		// Under a host name: localhost and IP addresses get no HSTS, which would hold every port
		// of the host to HTTPS.
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/console/signin/iam", nil)
		req.Host = "rootward.example.com"
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cookies := resp.Cookies()
		if len(cookies) == 0 {
			t.Fatal("no CSRF cookie")
		}
		for _, ck := range cookies {
			if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
				t.Errorf("cookie %s over TLS = %+v", ck.Name, ck)
			}
		}
		if resp.Header.Get("Strict-Transport-Security") == "" {
			t.Error("no HSTS under TLS")
		}
	})
}

func TestSessionTimeouts(t *testing.T) {
	tests := []struct {
		name string
		// steps: advance the clock by each duration, then load /console/home.
		steps    []time.Duration
		wantLive bool
	}{
		{"active session stays", []time.Duration{10 * time.Minute, 10 * time.Minute, 10 * time.Minute}, true},
		{"idle for 15 minutes ends it", []time.Duration{15 * time.Minute}, false},
		{"idle just under the timeout keeps it", []time.Duration{14 * time.Minute}, true},
		{"absolute timeout ends even an active session", func() []time.Duration {
			var s []time.Duration
			for i := 0; i < 12*6; i++ { // every 10 minutes for 12 hours
				s = append(s, 10*time.Minute)
			}
			return s
		}(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.userWithPassword("alice", userPw, adminPolicy, false)
			b := e.browser()
			if p := b.signInUser(e.account.ID, "alice", userPw); p.status != http.StatusSeeOther {
				t.Fatalf("sign-in: %d", p.status)
			}
			var p page
			for _, d := range tc.steps {
				e.clock.Advance(d)
				p = b.get("/console/home")
				if p.status != http.StatusOK {
					break
				}
			}
			if live := p.status == http.StatusOK; live != tc.wantLive {
				t.Fatalf("home after the steps = %d %s, want live=%t", p.status, p.location, tc.wantLive)
			}
			if !tc.wantLive && !strings.Contains(p.location, "expired") {
				t.Errorf("redirect = %q, want the sign-in page telling the session ended", p.location)
			}
		})
	}
}

func TestSignOutAndSignOutEverywhere(t *testing.T) {
	e := newEnv(t)
	e.userWithPassword("alice", userPw, adminPolicy, false)
	e.userWithPassword("bob", userPw, adminPolicy, false)
	signedIn := func(user string) *browser {
		b := e.browser()
		if p := b.signInUser(e.account.ID, user, userPw); p.status != http.StatusSeeOther {
			t.Fatalf("sign-in %s: %d", user, p.status)
		}
		b.get("/console/home")
		return b
	}
	live := func(b *browser) bool { return b.get("/console/home").status == http.StatusOK }

	laptop, phone, bob := signedIn("alice"), signedIn("alice"), signedIn("bob")
	if p := laptop.submit("/console/signout", nil); p.status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", p.status)
	}
	if live(laptop) || !live(phone) || !live(bob) {
		t.Fatalf("after signing out the laptop: laptop %t, phone %t, bob %t; want false, true, true", live(laptop), live(phone), live(bob))
	}
	tablet := signedIn("alice")
	tablet.get("/console/home")
	if p := tablet.submit("/console/signout/everywhere", nil); p.status != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", p.status)
	}
	if live(tablet) || live(phone) || !live(bob) {
		t.Fatalf("after signing out everywhere: tablet %t, phone %t, bob %t; want false, false, true", live(tablet), live(phone), live(bob))
	}
	if !live(signedIn("alice")) {
		t.Fatal("a new sign-in after signing out everywhere does not work")
	}
}

func TestFirstRunClaim(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// The account as `rootward serve` creates it: placeholder email, no root password.
	acct, err := e.svc.CreateAccount(ctx, "rootward", "root@rootward.invalid", "")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := console.CreateClaim(ctx, e.st, acct.ID, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	path := console.ClaimPath(tok)
	good := url.Values{"email": {"Ops@Example.org"}, "account_name": {"production"}, "password": {"Vault-Keeper-2026!"}, "confirm_password": {"Vault-Keeper-2026!"},
		"phone": {"+1 (555) 555-0123"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range good {
			f[kk] = vv
		}
		f.Set(k, v)
		return f
	}
	b := e.browser()
	if p := b.get(path); p.status != http.StatusOK || !strings.Contains(p.body, acct.ID) {
		t.Fatalf("claim page: %d", p.status)
	} else if !strings.Contains(p.body, "Root password rules") || !strings.Contains(p.body, "zxcvbn") {
		t.Fatalf("the claim page does not list the root password rules before the first attempt:\n%.3000s", p.body)
	} else if !strings.Contains(p.body, `name="phone"`) {
		t.Fatalf("the claim page asks no contact phone number:\n%.3000s", p.body)
	}
	refusals := []struct {
		name string
		form url.Values
		want string
	}{
		{"passwords differ", with("confirm_password", "Vault-Keeper-2027!"), "do not match"},
		{"too short", with("password", "Ab1!"), ""},
		{"breached password", func() url.Values {
			f := with("password", "Password123")
			f.Set("confirm_password", "Password123")
			return f
		}(), ""},
		{"easy to guess though AWS's rules pass", func() url.Values {
			f := with("password", "Password1!")
			f.Set("confirm_password", "Password1!")
			return f
		}(), ""},
		{"email taken by another account", with("email", "OWNER@acme.example"), "already exists"},
		{"bad email", with("email", "nope"), "email address"},
		{"no phone", with("phone", ""), "Enter a contact phone number in international format"},
		{"phone not E.164", with("phone", "555-0100"), "The phone number must be in international format, such as &#43;15555550100."},
		{"phone without its plus", with("phone", "15555550123"), "international format"},
		{"phone too long", with("phone", "+1234567890123456"), "international format"},
		{"phone with letters", with("phone", "+1 555 CALL-NOW"), "international format"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			b.t = t
			f := tc.form
			if tc.name == "too short" {
				f.Set("confirm_password", "Ab1!")
			}
			p := b.submit(path, f)
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, tc.want) {
				t.Fatalf("status %d, want 400 containing %q:\n%.1500s", p.status, tc.want, p.body)
			}
		})
	}
	b.t = t
	if p := b.get(path); p.status != http.StatusOK {
		t.Fatalf("a refused claim burned the link: %d", p.status)
	}
	// Nothing changed: no refused field (the email taken last among them) left a trace.
	if a, err := e.root.AccountDetails(ctx, acct.ID); err != nil || a.Email != "root@rootward.invalid" || a.AccountName != "rootward" || a.Phone != "" {
		t.Fatalf("account after refused claims: %+v, %v; want it unchanged", a, err)
	}
	if a, _ := e.svc.GetAccount(ctx, acct.ID); a.RootPasswordHash != "" {
		t.Fatal("a refused claim set the root password")
	}
	if p := b.submit(path, good); p.status != http.StatusOK || !strings.Contains(p.body, "Installation claimed") {
		t.Fatalf("claim: %d\n%.1500s", p.status, p.body)
	}
	got, err := e.svc.GetAccount(ctx, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "Ops@Example.org" || got.Name != "production" || got.RootPasswordHash == "" {
		t.Fatalf("account after the claim: email %q name %q password set %t", got.Email, got.Name, got.RootPasswordHash != "")
	}
	if d, err := e.root.AccountDetails(ctx, acct.ID); err != nil || d.Phone != "+15555550123" {
		t.Fatalf("contact phone after the claim: %+v, %v; want +15555550123 (typed with spaces, parentheses and a hyphen)", d, err)
	}
	if p := e.browser().get(path); p.status != http.StatusNotFound {
		t.Fatalf("second use of the link: %d, want 404", p.status)
	}
	t.Run("expires after 24 hours", func(t *testing.T) {
		tok, err := console.CreateClaim(ctx, e.st, acct.ID, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		b.t = t
		e.clock.Advance(24*time.Hour - time.Second)
		if p := b.get(console.ClaimPath(tok)); p.status != http.StatusOK {
			t.Fatalf("just before 24 h: %d", p.status)
		}
		e.clock.Advance(time.Second)
		if p := b.get(console.ClaimPath(tok)); p.status != http.StatusNotFound {
			t.Fatalf("at 24 h: %d, want 404", p.status)
		}
	})
	if _, err := e.svc.AccountByRootEmail(ctx, "ops@example.org"); err != nil {
		t.Fatalf("new email not indexed: %v", err)
	}
}
