package console_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

const (
	rootEmail = "owner@acme.example"
	rootPw    = "Tangerine-Walrus-42"
)

// withRootPassword gives the env's root user its password.
func (e *env) withRootPassword() *env {
	e.t.Helper()
	if err := e.svc.SetRootPassword(context.Background(), e.account.ID, rootPw); err != nil {
		e.t.Fatal(err)
	}
	return e
}

// signInRootPassword runs the email and password pages and returns the answer to the password.
func (b *browser) signInRootPassword(email, pw string) page {
	b.t.Helper()
	b.get("/console/signin")
	p := b.submit("/console/signin/root", url.Values{"email": {email}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "current-password") {
		b.t.Fatalf("email step: %d\n%.1000s", p.status, p.body)
	}
	return b.submit("/console/signin/root/password", url.Values{"email": {email}, "password": {pw}})
}

var seedPattern = regexp.MustCompile(`id="totp-seed">([A-Z2-7]+)<`)
var serialPattern = regexp.MustCompile(`name="serial" value="([^"]+)"`)

// registerTOTPPage enrols an authenticator app through the console's pages, decoding the seed the
// page shows and computing the codes, and returns the answer to the enabling form.
func (b *browser) registerTOTPPage(name string) (page, string) {
	b.t.Helper()
	posted := b.submit("/console/mfa/totp", url.Values{"name": {name}})
	p := b.follow(posted)
	seed, serial := seedPattern.FindStringSubmatch(p.body), serialPattern.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || seed == nil || serial == nil || !strings.Contains(p.body, `src="data:image/png;base64,`) {
		b.t.Fatalf("TOTP page: %d\n%.2000s", p.status, p.body)
	}
	// The seed is shown once: a reload asks nothing more of the app than the codes.
	if again := b.get(posted.location); again.status == http.StatusOK || seedPattern.MatchString(again.body) {
		b.t.Fatalf("reloading the TOTP page: %d, shows the seed again", again.status)
	}
	b.last = p.body
	now := b.e.clock.Now()
	done := b.submit("/console/mfa/totp/enable", url.Values{"serial": {serial[1]},
		"code1": {totpCode(b.t, seed[1], now.Add(-30*time.Second))}, "code2": {totpCode(b.t, seed[1], now)}})
	b.e.clock.Advance(time.Minute) // the enabling codes are spent
	return done, seed[1]
}

func TestRootSignInWithPasswordAndTOTP(t *testing.T) {
	e := newEnv(t).withRootPassword()
	serial, seed := e.enableVirtualMFA("", "root-phone")

	tests := []struct {
		name   string
		email  string
		pw     string
		status int
	}{
		{"wrong password", rootEmail, "Wrong-Walrus-42", http.StatusUnauthorized},
		{"unknown email gets the same answer", "nobody@acme.example", rootPw, http.StatusUnauthorized},
		{"email is case-insensitive", "OWNER@ACME.example", rootPw, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser()
			b.t = t
			p := b.signInRootPassword(tc.email, tc.pw)
			if p.status != tc.status {
				t.Fatalf("status %d, want %d\n%.1500s", p.status, tc.status, p.body)
			}
			if tc.status == http.StatusUnauthorized && !strings.Contains(p.body, "Your authentication information is incorrect") {
				t.Errorf("failure message:\n%.1500s", p.body)
			}
		})
	}

	b := e.browser()
	p := b.signInRootPassword(rootEmail, rootPw)
	if p.status != http.StatusOK || !strings.Contains(p.body, serial) {
		t.Fatalf("MFA step: %d\n%.1500s", p.status, p.body)
	}
	if strings.Contains(p.body, rootPw) {
		t.Fatal("the MFA page contains the password")
	}
	if h := b.get("/console/home"); h.status != http.StatusSeeOther {
		t.Fatalf("home before MFA: %d", h.status)
	}
	bad := b.submit("/console/signin/mfa", url.Values{"device": {serial}, "code": {wrongCode(totpCode(t, seed, e.clock.Now()))}})
	if bad.status != http.StatusUnauthorized || !strings.Contains(bad.body, serial) {
		t.Fatalf("wrong code: %d\n%.1500s", bad.status, bad.body)
	}
	ok := b.submit("/console/signin/mfa", url.Values{"device": {serial}, "code": {totpCode(t, seed, e.clock.Now())}})
	if ok.status != http.StatusSeeOther || ok.location != "/console/home" {
		t.Fatalf("right code: %d %q\n%.1500s", ok.status, ok.location, ok.body)
	}
	home := b.follow(ok)
	if !strings.Contains(home.body, "arn:aws:iam::"+e.account.ID+":root") || !strings.Contains(home.body, "Root user") {
		t.Fatalf("home:\n%.2000s", home.body)
	}
	e.trail.Flush()
	pg, err := trail.List(context.Background(), e.st, trail.Query{Account: e.account.ID, Match: func(ev *trail.Event) bool {
		return ev.EventName == "ConsoleLogin" && ev.ResponseElements["ConsoleLogin"] == "Success"
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.Events) != 1 || pg.Events[0].UserIdentity.Type != "Root" || pg.Events[0].AdditionalEventData["MFAUsed"] != "Yes" {
		t.Fatalf("successful root sign-in events: %+v", pg.Events)
	}
}

func TestRootMFAWindow(t *testing.T) {
	e := newEnv(t).withRootPassword()
	b := e.browser()
	p := b.signInRootPassword(rootEmail, rootPw)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Remind me later") || !strings.Contains(p.body, "35 days") {
		t.Fatalf("first sign-in: %d, want the optional registration page with 35 days left\n%.2000s", p.status, p.body)
	}
	if s := b.submit("/console/signin/skip-mfa", nil); s.status != http.StatusSeeOther || s.location != "/console/home" {
		t.Fatalf("skip: %d %q", s.status, s.location)
	}

	e.clock.Advance(20 * 24 * time.Hour)
	b = e.browser()
	if p := b.signInRootPassword(rootEmail, rootPw); !strings.Contains(p.body, "15 days") {
		t.Fatalf("day 20: want 15 days left\n%.2000s", p.body)
	}

	e.clock.Advance(16 * 24 * time.Hour) // day 36: past the window
	b = e.browser()
	p = b.signInRootPassword(rootEmail, rootPw)
	if p.status != http.StatusOK || strings.Contains(p.body, "Remind me later") || !strings.Contains(p.body, "must register an MFA device") {
		t.Fatalf("day 36: want mandatory registration\n%.2000s", p.body)
	}
	if s := b.submit("/console/signin/skip-mfa", nil); s.status == http.StatusSeeOther {
		t.Fatal("skipping registration after the window worked")
	}
	if h := b.get("/console/home"); h.status != http.StatusSeeOther {
		t.Fatalf("home without registering: %d", h.status)
	}

	b = e.browser()
	b.signInRootPassword(rootEmail, rootPw)
	done, seed := b.registerTOTPPage("root-app")
	if done.status != http.StatusSeeOther || done.location != "/console/home" {
		t.Fatalf("registration completes the sign-in: %d %q\n%.2000s", done.status, done.location, done.body)
	}
	creds := b.get("/console/security-credentials")
	if !strings.Contains(creds.body, "root-app") {
		t.Fatalf("the new device is not listed:\n%.3000s", creds.body)
	}

	// From now on the root signs in with the device.
	b = e.browser()
	p = b.signInRootPassword(rootEmail, rootPw)
	serial := serialOption.FindStringSubmatch(p.body)
	if serial == nil {
		t.Fatalf("MFA step after registration:\n%.2000s", p.body)
	}
	if ok := b.submit("/console/signin/mfa", url.Values{"device": {serial[1]}, "code": {totpCode(t, seed, e.clock.Now())}}); ok.status != http.StatusSeeOther {
		t.Fatalf("sign-in with the registered device: %d\n%.1500s", ok.status, ok.body)
	}

	t.Run("the last device cannot be removed", func(t *testing.T) {
		b.t = t
		b.get("/console/security-credentials")
		ask := b.submit("/console/mfa/remove", url.Values{"serial": {serial[1]}})
		if ask.status != http.StatusOK || !strings.Contains(ask.body, "Remove this MFA device?") || !strings.Contains(ask.body, serial[1]) {
			t.Fatalf("the removal does not ask again naming the device: %d\n%.1500s", ask.status, ask.body)
		}
		p := b.submit("/console/mfa/remove", url.Values{"serial": {serial[1]}, "confirm": {serial[1]}})
		if p.status != http.StatusBadRequest {
			t.Fatalf("status %d\n%.1500s", p.status, p.body)
		}
	})
}

var serialOption = regexp.MustCompile(`<option value="([^"]+)">`)

// signedInRoot signs the root user in with its virtual device.
func (e *env) signedInRoot(seed string) *browser {
	e.t.Helper()
	b := e.browser()
	p := b.signInRootPassword(rootEmail, rootPw)
	serial := serialOption.FindStringSubmatch(p.body)
	if serial == nil {
		e.t.Fatalf("no MFA step:\n%.2000s", p.body)
	}
	if ok := b.submit("/console/signin/mfa", url.Values{"device": {serial[1]}, "code": {totpCode(e.t, seed, e.clock.Now())}}); ok.status != http.StatusSeeOther {
		e.t.Fatalf("MFA: %d\n%.1500s", ok.status, ok.body)
	}
	e.clock.Advance(30 * time.Second) // the code is spent
	return b
}

func TestRootAccessKeyConfirmationAndBanner(t *testing.T) {
	e := newEnv(t).withRootPassword()
	_, seed := e.enableVirtualMFA("", "root-phone")
	e.userWithPassword("admin", userPw, adminPolicy, false)
	e.userWithPassword("intern", userPw, "", false)
	const banner = "The root user of this account has an access key"

	b := e.signedInRoot(seed)
	creds := b.get("/console/security-credentials")
	if strings.Contains(creds.body, banner) || !strings.Contains(creds.body, rootuser.RootAccessKeyRisk) {
		t.Fatalf("credentials page before any key:\n%.3000s", creds.body)
	}
	if p := b.submit("/console/access-keys/create", nil); p.status != http.StatusBadRequest || !strings.Contains(p.body, "explicit confirmation") {
		t.Fatalf("without confirmation: %d\n%.1500s", p.status, p.body)
	}
	if p := b.submit("/console/access-keys/create", url.Values{"confirm": {"yes"}}); p.status != http.StatusBadRequest {
		t.Fatalf("with a wrong confirmation: %d", p.status)
	}
	creds = b.get("/console/security-credentials")
	posted := b.submit("/console/access-keys/create", url.Values{"confirm": {rootuser.RootAccessKeyRisk}})
	created := b.follow(posted)
	created.body = html.UnescapeString(created.body)
	keyID := regexp.MustCompile(`id="new-key-id">(AKIA[A-Z0-9]+)<`).FindStringSubmatch(created.body)
	if created.status != http.StatusOK || keyID == nil || !regexp.MustCompile(`id="new-key-secret" class="secret">[A-Za-z0-9/+]{40}<`).MatchString(created.body) {
		t.Fatalf("created: %d\n%.2000s", created.status, created.body)
	}

	pagesWithBanner := []struct {
		name string
		b    *browser
		path string
		want bool
	}{
		{"root home", b, "/console/home", true},
		{"root credentials", b, "/console/security-credentials", true},
		{"admin user home", e.signedInUser("admin"), "/console/home", true},
		{"user who may not read the account summary", e.signedInUser("intern"), "/console/home", false},
	}
	for _, tc := range pagesWithBanner {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.b.get(tc.path)
			if p.status != http.StatusOK || strings.Contains(p.body, banner) != tc.want {
				t.Fatalf("%s: status %d, banner %t, want %t", tc.path, p.status, strings.Contains(p.body, banner), tc.want)
			}
		})
	}
	e.trail.Flush()
	pg, err := trail.List(context.Background(), e.st, trail.Query{Account: e.account.ID, Match: func(ev *trail.Event) bool {
		return ev.EventName == "CreateAccessKey" && ev.ErrorCode == "" && ev.ErrorMessage == ""
	}})
	if err != nil || len(pg.Events) != 1 || pg.Events[0].AdditionalEventData["Severity"] != rootuser.SeverityHigh {
		t.Fatalf("high-severity event: %+v %v", pg.Events, err)
	}

	b.get("/console/security-credentials")
	if p := b.submit("/console/access-keys/status", url.Values{"id": {keyID[1]}, "status": {"Inactive"}}); p.status != http.StatusSeeOther {
		t.Fatalf("deactivate: %d\n%.1500s", p.status, p.body)
	}
	if p := b.get("/console/security-credentials"); !strings.Contains(p.body, "Inactive") || !strings.Contains(p.body, banner) {
		t.Fatal("an inactive root key is still a root key: the banner stays")
	}
	if p := b.submit("/console/access-keys/delete", url.Values{"id": {keyID[1]}, "confirm_id": {keyID[1]}}); p.status != http.StatusSeeOther {
		t.Fatalf("delete: %d\n%.1500s", p.status, p.body)
	}
	if p := b.get("/console/home"); strings.Contains(p.body, banner) {
		t.Fatal("banner after the key was deleted")
	}
}

// signedInUser signs an IAM user (without MFA) in.
func (e *env) signedInUser(user string) *browser {
	e.t.Helper()
	b := e.browser()
	if p := b.signInUser(e.account.ID, user, userPw); p.status != http.StatusSeeOther {
		e.t.Fatalf("sign-in %s: %d", user, p.status)
	}
	return b
}

func TestRootPasswordChangeEndsOtherSessions(t *testing.T) {
	e := newEnv(t).withRootPassword()
	_, seed := e.enableVirtualMFA("", "root-phone")
	laptop, phone := e.signedInRoot(seed), e.signedInRoot(seed)
	laptop.get("/console/security-credentials")
	form := url.Values{"old_password": {rootPw}, "new_password": {"Marmalade-Otter-77"}, "confirm_password": {"Marmalade-Otter-77"}}
	bad := url.Values{"old_password": {"Not-The-Password-1"}, "new_password": {"Marmalade-Otter-77"}, "confirm_password": {"Marmalade-Otter-77"}}
	if p := laptop.submit("/console/security-credentials/password", bad); p.status != http.StatusBadRequest || !strings.Contains(p.body, "current password is incorrect") {
		t.Fatalf("wrong current password: %d\n%.1500s", p.status, p.body)
	}
	changed := laptop.submit("/console/security-credentials/password", form)
	if changed.status != http.StatusSeeOther {
		t.Fatalf("change: %d\n%.1500s", changed.status, changed.body)
	}
	if p := laptop.follow(changed); p.status != http.StatusOK || !strings.Contains(p.body, "other sessions were signed out") {
		t.Fatalf("the changing session ended: %d", p.status)
	}
	if p := phone.get("/console/home"); p.status != http.StatusSeeOther {
		t.Fatalf("the other session survived the password change: %d", p.status)
	}
}

// outboxLink finds the newest console link of a purpose in the outbox.
func (e *env) outboxLink(to, purpose string) string {
	e.t.Helper()
	e.root.Drain()
	entries, err := e.notify.Outbox(context.Background(), notify.Query{To: to, Purpose: purpose})
	if err != nil || len(entries) == 0 {
		e.t.Fatalf("no %s message to %s: %v", purpose, to, err)
	}
	m := regexp.MustCompile(regexp.QuoteMeta(e.url) + `(/console/\S+)`).FindStringSubmatch(entries[len(entries)-1].Body)
	if m == nil {
		e.t.Fatalf("no console link in:\n%s", entries[len(entries)-1].Body)
	}
	return m[1]
}

func TestRootPasswordRecovery(t *testing.T) {
	e := newEnv(t).withRootPassword()
	_, seed := e.enableVirtualMFA("", "root-phone")
	old := e.signedInRoot(seed)

	b := e.browser()
	b.get("/console/recover/password")
	unknown := b.submit("/console/recover/password", url.Values{"email": {"nobody@acme.example"}})
	b.get("/console/recover/password")
	known := b.submit("/console/recover/password", url.Values{"email": {rootEmail}})
	if unknown.status != http.StatusOK || known.status != http.StatusOK || !strings.Contains(known.body, "Check your email") {
		t.Fatalf("request: %d %d", unknown.status, known.status)
	}
	if unknown.body != known.body {
		t.Error("the answer differs for known and unknown emails")
	}
	link := e.outboxLink(rootEmail, rootuser.PurposePasswordReset)
	if p := b.get(link); p.status != http.StatusOK || !strings.Contains(p.body, rootEmail) {
		t.Fatalf("reset page: %d\n%.1500s", p.status, p.body)
	} else if !strings.Contains(p.body, "Root password rules") {
		t.Fatalf("the reset page does not list the root password rules:\n%.3000s", p.body)
	}
	tok := strings.TrimPrefix(link, "/console/recover/password?token=")
	weak := b.submit("/console/recover/password/complete", url.Values{"token": {tok}, "password": {"password"}, "confirm_password": {"password"}})
	if weak.status != http.StatusBadRequest {
		t.Fatalf("weak password: %d", weak.status)
	}
	guessable := b.submit("/console/recover/password/complete", url.Values{"token": {tok}, "password": {"Summer2024!"}, "confirm_password": {"Summer2024!"}})
	if guessable.status != http.StatusBadRequest || !strings.Contains(guessable.body, "too easy to guess") {
		t.Fatalf("guessable password: %d\n%.1500s", guessable.status, guessable.body)
	}
	done := b.submit("/console/recover/password/complete", url.Values{"token": {tok}, "password": {"Marmalade-Otter-77"}, "confirm_password": {"Marmalade-Otter-77"}})
	if done.status != http.StatusOK || !strings.Contains(done.body, "every root session was signed out") {
		t.Fatalf("complete: %d\n%.1500s", done.status, done.body)
	}
	if p := old.get("/console/home"); p.status != http.StatusSeeOther {
		t.Fatalf("a session from before the reset survived: %d", p.status)
	}
	if p := e.browser().get(link); p.status == http.StatusOK {
		t.Fatal("the reset link works twice")
	}
	if p := e.browser().signInRootPassword(rootEmail, "Marmalade-Otter-77"); p.status != http.StatusOK {
		t.Fatalf("sign-in with the new password: %d", p.status)
	}
}

func TestLostMFARecovery(t *testing.T) {
	e := newEnv(t).withRootPassword()
	_, seed := e.enableVirtualMFA("", "root-phone")
	b := e.signedInRoot(seed)
	b.get("/console/security-credentials")
	if p := b.submit("/console/security-credentials/contacts", url.Values{"phone": {"+15555550100"}, "contact_email": {"security@acme.example"}, "contact_name": {"Sec Team"}}); p.status != http.StatusSeeOther {
		t.Fatalf("contacts: %d\n%.1500s", p.status, p.body)
	}

	// The phone with the authenticator app is lost.
	r := e.browser()
	r.signInRootPassword(rootEmail, rootPw)
	started := r.submit("/console/recover/mfa/begin", nil)
	if started.status != http.StatusOK || !strings.Contains(started.body, "verifying") {
		t.Fatalf("begin: %d\n%.1500s", started.status, started.body)
	}
	emailed := r.get(e.outboxLink(rootEmail, rootuser.PurposeMFARecoveryEmail))
	if emailed.status != http.StatusOK || !strings.Contains(emailed.body, "Email address confirmed") {
		t.Fatalf("email link: %d\n%.1500s", emailed.status, emailed.body)
	}
	status := r.get("/console/recover/mfa")
	if sent := r.submit("/console/recover/mfa/send", url.Values{"channel": {"sms"}}); sent.status != http.StatusOK {
		t.Fatalf("send code: %d\n%.1500s (status page %.500s)", sent.status, sent.body, status.body)
	}
	entries, err := e.notify.Outbox(context.Background(), notify.Query{To: "+15555550100", Purpose: rootuser.PurposeMFARecoveryPhone})
	if err != nil || len(entries) == 0 {
		t.Fatalf("no SMS: %v", err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(entries[len(entries)-1].Body)
	if wrong := r.submit("/console/recover/mfa/phone", url.Values{"code": {wrongCode(code)}}); wrong.status != http.StatusBadRequest {
		t.Fatalf("wrong phone code: %d", wrong.status)
	}
	cooling := r.submit("/console/recover/mfa/phone", url.Values{"code": {code}})
	if cooling.status != http.StatusOK || !strings.Contains(cooling.body, "cooling") {
		t.Fatalf("phone code: %d\n%.1500s", cooling.status, cooling.body)
	}
	if cancel := e.outboxLink("security@acme.example", rootuser.PurposeMFARecoveryCooling); !strings.Contains(cancel, "/console/recover/mfa/cancel?token=") {
		t.Fatalf("security contact's cancel link = %q", cancel)
	}

	e.clock.Advance(rootuser.DefaultCoolingOff + time.Minute)
	after := e.browser()
	p := after.signInRootPassword(rootEmail, rootPw)
	if p.status != http.StatusOK || !strings.Contains(p.body, "must register an MFA device") {
		t.Fatalf("sign-in after the cooling-off: want registration\n%.2000s", p.body)
	}
	devices, err := e.svc.ListMFADevices(context.Background(), e.account.ID, "", iam.ListOpts{})
	if err != nil || len(devices.Items) != 0 {
		t.Fatalf("devices after recovery: %+v %v", devices.Items, err)
	}
}

// startRecovery runs a lost-MFA recovery into its cooling-off from a fresh browser (the root's
// phone and a security contact set by b, a signed-in root browser), the phone code sent by
// channel, "sms" or "voice" (which spells the digits out: "1 2 3 4 5 6").
func (e *env) startRecovery(b *browser, channel string) {
	e.t.Helper()
	b.get("/console/security-credentials")
	b.submit("/console/security-credentials/contacts", url.Values{"phone": {"+15555550100"}, "contact_email": {"security@acme.example"}, "contact_name": {"Sec Team"}})
	r := e.browser()
	r.signInRootPassword(rootEmail, rootPw)
	r.submit("/console/recover/mfa/begin", nil)
	r.get(e.outboxLink(rootEmail, rootuser.PurposeMFARecoveryEmail))
	r.get("/console/recover/mfa")
	r.submit("/console/recover/mfa/send", url.Values{"channel": {channel}})
	entries, _ := e.notify.Outbox(context.Background(), notify.Query{To: "+15555550100", Purpose: rootuser.PurposeMFARecoveryPhone})
	if len(entries) == 0 {
		e.t.Fatalf("no %s message", channel)
	}
	code := strings.ReplaceAll(regexp.MustCompile(`\b\d(?: ?\d){5}\b`).FindString(entries[len(entries)-1].Body), " ", "")
	if p := r.submit("/console/recover/mfa/phone", url.Values{"code": {code}}); p.status != http.StatusOK || !strings.Contains(p.body, "cooling") {
		e.t.Fatalf("phone code %q by %s: %d", code, channel, p.status)
	}
}

// A signed-in root user sees a recovery in progress on every page and cancels it there; the
// contacts' cancel link works in a browser that is signed in too (it answered 403).
func TestRecoveryInProgressShownAndCancellable(t *testing.T) {
	t.Run("banner", func(t *testing.T) {
		e := newEnv(t).withRootPassword()
		_, seed := e.enableVirtualMFA("", "root-phone")
		b := e.signedInRoot(seed)
		e.startRecovery(b, "sms")
		for _, path := range []string{"/console/home", "/console/security-credentials"} {
			if p := b.get(path); !strings.Contains(p.body, `id="recovery-banner"`) {
				t.Fatalf("%s shows no recovery in progress", path)
			}
		}
		done := b.submit("/console/recover/mfa/cancel-mine", nil)
		if p := b.follow(done); !strings.Contains(p.body, "recovery was cancelled") || strings.Contains(p.body, `id="recovery-banner"`) {
			t.Fatalf("after cancelling: %d\n%.2000s", done.status, p.body)
		}
		if m := e.outboxLink("security@acme.example", rootuser.PurposeMFARecoveryCooling); m == "" {
			t.Fatal("no cooling-off message")
		}
		if got, _ := e.notify.Outbox(context.Background(), notify.Query{To: "security@acme.example", Purpose: rootuser.PurposeMFARecoveryCancel}); len(got) != 1 {
			t.Fatalf("contact told of the cancellation %d times, want 1", len(got))
		}
		e.clock.Advance(rootuser.DefaultCoolingOff + time.Minute)
		if p := e.browser().signInRootPassword(rootEmail, rootPw); !serialOption.MatchString(p.body) {
			t.Fatal("the devices went although the recovery was cancelled")
		}
	})
	t.Run("cancel link while signed in", func(t *testing.T) {
		e := newEnv(t).withRootPassword()
		_, seed := e.enableVirtualMFA("", "root-phone")
		b := e.signedInRoot(seed)
		e.startRecovery(b, "sms")
		link := e.outboxLink("security@acme.example", rootuser.PurposeMFARecoveryCooling)
		tok, _ := url.QueryUnescape(strings.TrimPrefix(link, "/console/recover/mfa/cancel?token="))
		if p := b.get(link); p.status != http.StatusOK {
			t.Fatalf("cancel page while signed in: %d", p.status)
		}
		if p := b.submit("/console/recover/mfa/cancel", url.Values{"token": {tok}}); p.status != http.StatusOK || !strings.Contains(p.body, "Recovery cancelled") {
			t.Fatalf("cancel while signed in: %d\n%.1500s", p.status, p.body)
		}
	})
}

func TestLostMFARecoveryCancelledByContact(t *testing.T) {
	e := newEnv(t).withRootPassword()
	_, seed := e.enableVirtualMFA("", "root-phone")
	b := e.signedInRoot(seed)
	b.get("/console/security-credentials")
	if p := b.submit("/console/security-credentials/contacts", url.Values{"phone": {"+15555550100"}, "contact_email": {"security@acme.example"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "name") {
		t.Fatalf("a security contact without a name: %d", p.status)
	}
	e.startRecovery(b, "voice")

	sec := e.browser()
	link := e.outboxLink("security@acme.example", rootuser.PurposeMFARecoveryCooling)
	if p := sec.get(link); p.status != http.StatusOK || !strings.Contains(p.body, "Cancel the recovery") {
		t.Fatalf("cancel page: %d", p.status)
	}
	tok := strings.TrimPrefix(link, "/console/recover/mfa/cancel?token=")
	if tok, _ = url.QueryUnescape(tok); tok == "" {
		t.Fatal("no token")
	}
	if p := sec.submit("/console/recover/mfa/cancel", url.Values{"token": {tok}}); p.status != http.StatusOK || !strings.Contains(p.body, "Recovery cancelled") {
		t.Fatalf("cancel: %d\n%.1500s", p.status, p.body)
	}
	e.clock.Advance(rootuser.DefaultCoolingOff + time.Minute)
	if p := e.browser().signInRootPassword(rootEmail, rootPw); !serialOption.MatchString(p.body) {
		t.Fatalf("after a cancelled recovery the device must still be asked for:\n%.1500s", p.body)
	}
}

func TestRootSignInThrottling(t *testing.T) {
	e := newEnv(t).withRootPassword()
	b := e.browser()
	var last page
	for i := 0; i < 12; i++ {
		last = b.signInRootPassword(rootEmail, "Wrong-Walrus-42")
		if last.status == http.StatusTooManyRequests {
			break
		}
		if last.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, last.status)
		}
	}
	if last.status != http.StatusTooManyRequests {
		t.Fatalf("no throttling after 12 wrong passwords")
	}
	// Throttled, even the right password is refused until the back-off has passed.
	if p := e.browser().signInRootPassword(rootEmail, rootPw); p.status != http.StatusTooManyRequests {
		t.Fatalf("right password while throttled: %d", p.status)
	}
	e.clock.Advance(time.Hour)
	if p := e.browser().signInRootPassword(rootEmail, rootPw); p.status != http.StatusOK {
		t.Fatalf("right password after the back-off: %d\n%.1000s", p.status, p.body)
	}
}

// A root email change takes effect only when the new address confirms it, once; a newer request
// replaces the older link; an address another root user has is refused.
func TestRootEmailChangeNeedsVerification(t *testing.T) {
	e := newEnv(t).withRootPassword()
	ctx := context.Background()
	const newEmail = "platform-root@acme.example"
	if err := e.root.RequestRootEmailChange(ctx, e.account.ID, "older@acme.example", rootuser.Client{}); err != nil {
		t.Fatal(err)
	}
	older := e.outboxLink("older@acme.example", rootuser.PurposeEmailChange)
	if err := e.root.RequestRootEmailChange(ctx, e.account.ID, newEmail, rootuser.Client{}); err != nil {
		t.Fatal(err)
	}
	if err := e.root.RequestRootEmailChange(ctx, e.account.ID, "OWNER@acme.example", rootuser.Client{}); !awserr.IsCode(err, awserr.InvalidInput) {
		t.Fatalf("the current address: %v, want InvalidInput", err)
	}
	if _, err := e.svc.CreateAccount(ctx, "other", "taken@acme.example", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.root.RequestRootEmailChange(ctx, e.account.ID, "taken@acme.example", rootuser.Client{}); !awserr.IsCode(err, awserr.EntityAlreadyExists) {
		t.Fatalf("a taken address: %v, want EntityAlreadyExists", err)
	}
	link := e.outboxLink(newEmail, rootuser.PurposeEmailChange)
	b := e.browser()
	if p := b.get(older); p.status == http.StatusOK {
		t.Fatal("the replaced link still works")
	}
	page := b.get(link)
	if page.status != http.StatusOK || !strings.Contains(page.body, newEmail) {
		t.Fatalf("verification page: %d\n%.1500s", page.status, page.body)
	}
	// Opening the link changes nothing.
	if a, _ := e.svc.GetAccount(ctx, e.account.ID); a.Email != rootEmail {
		t.Fatalf("email after opening the link = %s, want %s", a.Email, rootEmail)
	}
	tok := strings.TrimPrefix(link, "/console/verify-email?token=")
	done := b.submit("/console/verify-email", url.Values{"token": {tok}})
	if done.status != http.StatusOK || !strings.Contains(done.body, "Root email changed") {
		t.Fatalf("confirm: %d\n%.1500s", done.status, done.body)
	}
	if a, _ := e.svc.GetAccount(ctx, e.account.ID); a.Email != newEmail {
		t.Fatalf("email after confirming = %s, want %s", a.Email, newEmail)
	}
	if p := b.get(link); p.status == http.StatusOK {
		t.Fatal("the used link still shows its page")
	}
	b.get("/console/signin") // a page with a form token, to replay the confirmation
	if again := b.submit("/console/verify-email", url.Values{"token": {tok}}); again.status == http.StatusOK {
		t.Fatal("the link confirmed twice")
	}
	if p := e.browser().signInRootPassword(newEmail, rootPw); p.status != http.StatusOK {
		t.Fatalf("sign-in with the new email: %d", p.status)
	}
}

// Creating and deleting answer with redirects, and a form sent again acts once: reloading the page
// that shows a new root access key creates no other key and shows the secret no more; a key is
// deleted only once deactivated and its ID typed.
func TestAccessKeyFormsActOnce(t *testing.T) {
	e := newEnv(t).withRootPassword()
	_, seed := e.enableVirtualMFA("", "root-phone")
	b := e.signedInRoot(seed)
	rootKeys := func() []string {
		t.Helper()
		keys, err := e.svc.ListAccessKeys(context.Background(), e.account.ID, "", iam.ListOpts{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, k := range keys.Items {
			ids = append(ids, k.AccessKeyID+"/"+k.Status)
		}
		return ids
	}
	b.get("/console/security-credentials")
	once := oncePattern.FindStringSubmatch(b.last)[1]
	form := url.Values{"confirm": {rootuser.RootAccessKeyRisk}, "once": {once}}
	posted := b.submit("/console/access-keys/create", form)
	if posted.status != http.StatusSeeOther || !strings.HasPrefix(posted.location, "/console/access-keys/created?") {
		t.Fatalf("create answers %d %q, want a redirect to the page that shows the secret", posted.status, posted.location)
	}
	shown := b.get(posted.location)
	if shown.status != http.StatusOK || !strings.Contains(shown.body, "new-key-secret") {
		t.Fatalf("the secret page: %d", shown.status)
	}
	reload := b.get(posted.location)
	if reload.status != http.StatusSeeOther || strings.Contains(reload.body, "new-key-secret") {
		t.Fatalf("reloading the secret page: %d, want a redirect and no secret", reload.status)
	}
	if p := b.follow(reload); !strings.Contains(html.UnescapeString(p.body), "shown once and cannot be shown again") {
		t.Fatalf("after the reload:\n%.2000s", p.body)
	}
	// The browser's "resend": the same form, token and all.
	b.get("/console/security-credentials")
	again := b.submit("/console/access-keys/create", form)
	if again.status != http.StatusSeeOther || !strings.Contains(html.UnescapeString(b.follow(again).body), "already sent") {
		t.Fatalf("resent form: %d %q", again.status, again.location)
	}
	if ids := rootKeys(); len(ids) != 1 {
		t.Fatalf("root access keys = %v, want exactly one", ids)
	}
	// Another session cannot take the secret of this one.
	b.get("/console/security-credentials")
	second := b.submit("/console/access-keys/create", url.Values{"confirm": {rootuser.RootAccessKeyRisk}})
	other := e.signedInRoot(seed)
	if p := other.get(second.location); p.status != http.StatusSeeOther {
		t.Fatalf("another session reads the secret: %d", p.status)
	}
	ids := rootKeys()
	if len(ids) != 2 {
		t.Fatalf("root access keys = %v, want two", ids)
	}
	id := strings.Split(ids[0], "/")[0]
	page := b.get("/console/security-credentials")
	if strings.Contains(page.body, `action="/console/access-keys/delete"`) {
		t.Fatal("an active key offers deletion")
	}
	if p := b.submit("/console/access-keys/delete", url.Values{"id": {id}, "confirm_id": {id}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "Deactivate") {
		t.Fatalf("deleting an active key: %d", p.status)
	}
	b.get("/console/security-credentials")
	if p := b.submit("/console/access-keys/status", url.Values{"id": {id}, "status": {"Inactive"}}); p.status != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", p.status)
	}
	b.get("/console/security-credentials")
	if p := b.submit("/console/access-keys/delete", url.Values{"id": {id}, "confirm_id": {"AKIAWRONG"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "type its ID") {
		t.Fatalf("deleting without typing the ID: %d", p.status)
	}
	b.get("/console/security-credentials")
	if p := b.submit("/console/access-keys/delete", url.Values{"id": {id}, "confirm_id": {id}}); p.status != http.StatusSeeOther {
		t.Fatalf("delete: %d\n%.1500s", p.status, p.body)
	}
	if ids := rootKeys(); len(ids) != 1 || strings.HasPrefix(ids[0], id) {
		t.Fatalf("after the deletion: %v", ids)
	}
}

// TestTOTPCodeAlreadyUsed: a code refused because it was already accepted says so, apart from a
// wrong code, at the sign-in MFA step and when registering an authenticator app.
func TestTOTPCodeAlreadyUsed(t *testing.T) {
	const used = "This code was already used; wait for the next one."
	const wrong = "The code is not valid for this device."
	e := newEnv(t).withRootPassword()
	serial, seed := e.enableVirtualMFA("", "root-phone")

	// Sign in with the current code, then sign out.
	b := e.browser()
	b.signInRootPassword(rootEmail, rootPw)
	good := totpCode(t, seed, e.clock.Now())
	if ok := b.submit("/console/signin/mfa", url.Values{"device": {serial}, "code": {good}}); ok.status != http.StatusSeeOther {
		t.Fatalf("first use of the code: %d\n%.1500s", ok.status, ok.body)
	}
	b.get("/console/home")
	if p := b.submit("/console/signout", nil); p.status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", p.status)
	}
	e.clock.Advance(10 * time.Second) // still the same 30-second step

	for _, tc := range []struct {
		name, code, want, notWant string
	}{
		{"the same code again", good, used, wrong},
		{"a wrong code", wrongCode(good), wrong, used},
	} {
		t.Run("sign-in "+tc.name, func(t *testing.T) {
			b := e.browser()
			b.t = t
			b.signInRootPassword(rootEmail, rootPw)
			p := b.submit("/console/signin/mfa", url.Values{"device": {serial}, "code": {tc.code}})
			if p.status != http.StatusUnauthorized || !strings.Contains(p.body, tc.want) || strings.Contains(p.body, tc.notWant) {
				t.Fatalf("status %d, want 401 saying %q and not %q\n%.2000s", p.status, tc.want, tc.notWant, p.body)
			}
		})
	}

	// Registering a second authenticator app with one code typed in both boxes: the second box
	// needs the next code.
	e.clock.Advance(30 * time.Second)
	s := e.signedInRoot(seed)
	s.get("/console/security-credentials")
	setup := s.follow(s.submit("/console/mfa/totp", url.Values{"name": {"root-tablet"}}))
	newSeed, newSerial := seedPattern.FindStringSubmatch(setup.body), serialPattern.FindStringSubmatch(setup.body)
	if newSeed == nil || newSerial == nil {
		t.Fatalf("TOTP page: %d\n%.2000s", setup.status, setup.body)
	}
	now := totpCode(t, newSeed[1], e.clock.Now())
	for _, tc := range []struct {
		name, code1, code2, want, notWant string
	}{
		{"one code twice", now, now, used, "The codes were not accepted"},
		{"wrong codes", wrongCode(now), now, "The codes were not accepted", used},
	} {
		t.Run("registration "+tc.name, func(t *testing.T) {
			p := s.submit("/console/mfa/totp/enable", url.Values{"serial": {newSerial[1]}, "code1": {tc.code1}, "code2": {tc.code2}})
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, tc.want) || strings.Contains(p.body, tc.notWant) {
				t.Fatalf("status %d, want 400 saying %q and not %q\n%.2000s", p.status, tc.want, tc.notWant, p.body)
			}
		})
	}
	done := s.submit("/console/mfa/totp/enable", url.Values{"serial": {newSerial[1]},
		"code1": {totpCode(t, newSeed[1], e.clock.Now().Add(-30*time.Second))}, "code2": {now}})
	if done.status != http.StatusSeeOther {
		t.Fatalf("consecutive codes: %d\n%.2000s", done.status, done.body)
	}

	// A hardware token's registration with one code typed twice says the same.
	const hwSeed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	s.get("/console/security-credentials")
	hw := totpCode(t, hwSeed, e.clock.Now())
	p := s.submit("/console/mfa/hardware", url.Values{"serial": {"GAHT00000042"}, "seed": {hwSeed}, "code1": {hw}, "code2": {hw}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, used) {
		t.Fatalf("hardware token, one code twice: status %d, want 400 saying %q\n%.2000s", p.status, used, p.body)
	}
}

// TestOutboxNotes: the pages that say a message was sent say, when no transport is configured for
// its channel, that it is kept in the server's outbox and how to read it; with a mail server or an
// SMS webhook configured they do not.
func TestOutboxNotes(t *testing.T) {
	const mailNote = "No mail server is configured: the message is kept in the server&#39;s outbox. On the server, run: rootward outbox --data DIR"
	const smsNote = "No SMS webhook is configured: the code is kept in the server&#39;s outbox. On the server, run: rootward outbox --data DIR"
	// An SMS webhook that takes every message.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(hook.Close)
	withNotify := func(c notify.Config) func(*envOpts) { return func(o *envOpts) { o.notify = c } }
	// An SMTP server that is never reached: a port nothing listens on, so the mail fails quickly
	// in the background while the page answers as it would with a working server.
	smtp := notify.Config{SMTPHost: "127.0.0.1", SMTPPort: 1, SMTPTLS: "none", SMTPFrom: "rootward@acme.example"}
	webhook := notify.Config{WebhookURL: hook.URL, WebhookSecret: "s3cret"}

	for _, tc := range []struct {
		name              string
		cfg               notify.Config
		wantMail, wantSMS bool
	}{
		{"nothing configured", notify.Config{}, true, true},
		{"mail server configured", smtp, false, true},
		{"SMS webhook configured", webhook, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, withNotify(tc.cfg)).withRootPassword()
			check := func(what string, p page, note string, want bool) {
				t.Helper()
				if p.status != http.StatusOK || strings.Contains(p.body, note) != want {
					t.Fatalf("%s: status %d, note %q shown %t, want %t\n%.2500s", what, p.status, note, !want, want, p.body)
				}
				if strings.Contains(p.body, "`") {
					t.Fatalf("%s shows a Markdown backtick", what)
				}
			}
			b := e.browser()
			b.get("/console/recover/password")
			check("password reset request", b.submit("/console/recover/password", url.Values{"email": {rootEmail}}), mailNote, tc.wantMail)
			e.root.Drain()

			if tc.cfg.SMTPHost != "" {
				return // the lost-MFA recovery needs its email delivered
			}
			_, seed := e.enableVirtualMFA("", "root-phone")
			s := e.signedInRoot(seed)
			s.get("/console/security-credentials")
			s.submit("/console/security-credentials/contacts", url.Values{"phone": {"+15555550100"}, "contact_email": {"security@acme.example"}, "contact_name": {"Sec Team"}})
			r := e.browser()
			r.signInRootPassword(rootEmail, rootPw)
			check("lost-MFA recovery, email step", r.submit("/console/recover/mfa/begin", nil), mailNote, tc.wantMail)
			check("lost-MFA recovery page before the email link", r.get("/console/recover/mfa"), mailNote, tc.wantMail)
			r.get(e.outboxLink(rootEmail, rootuser.PurposeMFARecoveryEmail))
			check("lost-MFA recovery page after the email link", r.get("/console/recover/mfa"), mailNote, false)
			check("lost-MFA recovery, text message sent", r.submit("/console/recover/mfa/send", url.Values{"channel": {"sms"}}), smsNote, tc.wantSMS)
		})
	}
}

// Sweep forgets spent form tokens after a day (longer than any session, whose CSRF token a form
// also needs) and secrets nobody came to see, and keeps what is still live.
func TestSweepForgetsSpentFormsAndUnseenSecrets(t *testing.T) {
	e := newEnv(t).withRootPassword()
	_, seed := e.enableVirtualMFA("", "root-phone")
	b := e.signedInRoot(seed)
	count := func(kind string) int {
		t.Helper()
		var n int
		if err := e.st.View(context.Background(), func(tx store.Tx) (err error) {
			n, err = tx.Count(kind, "", "")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	b.get("/console/security-credentials")
	posted := b.submit("/console/access-keys/create", url.Values{"confirm": {rootuser.RootAccessKeyRisk}})
	if posted.status != http.StatusSeeOther || count("console.form") != 1 || count("console.reveal") != 1 {
		t.Fatalf("after creating a key: %d, %d spent forms, %d secrets waiting", posted.status, count("console.form"), count("console.reveal"))
	}
	if n, err := e.console.Sweep(context.Background()); err != nil || n != 0 {
		t.Fatalf("a fresh sweep removed %d (%v), want 0", n, err)
	}
	e.clock.Advance(25 * time.Hour)
	if n, err := e.console.Sweep(context.Background()); err != nil || n != 2 {
		t.Fatalf("a sweep a day later removed %d (%v), want 2", n, err)
	}
	if count("console.form") != 0 || count("console.reveal") != 0 {
		t.Fatal("records left after the sweep")
	}
}
