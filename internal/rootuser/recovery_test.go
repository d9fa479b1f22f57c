package rootuser

import (
	"context"
	"encoding/json"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/testutil"
)

// inbox is where a test reads what the notifier sent: the outbox, or a real SMTP server and SMS
// webhook on loopback.
type inbox interface {
	// last returns the body of the newest message to an address or phone number.
	last(t *testing.T, e *env, to string) string
	// count returns how many messages went to an address or phone number.
	count(t *testing.T, e *env, to string) int
}

type outboxInbox struct{}

func (outboxInbox) last(t *testing.T, e *env, to string) string {
	t.Helper()
	msgs, err := e.notify.Outbox(e.ctx, notify.Query{To: to})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no message to %s in the outbox (%v)", to, err)
	}
	if msgs[len(msgs)-1].Transport != notify.TransportOutbox {
		t.Fatalf("message to %s went by %s", to, msgs[len(msgs)-1].Transport)
	}
	return msgs[len(msgs)-1].Body
}

func (outboxInbox) count(t *testing.T, e *env, to string) int {
	msgs, err := e.notify.Outbox(e.ctx, notify.Query{To: to})
	if err != nil {
		t.Fatal(err)
	}
	return len(msgs)
}

// mailServer is an SMTP server on loopback (emersion/go-smtp) plus an SMS webhook receiver.
type mailServer struct {
	mu   sync.Mutex
	mail map[string][]string // recipient → decoded bodies
	sms  map[string][]string
}

func (m *mailServer) last(t *testing.T, _ *env, to string) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	box := m.mail[strings.ToLower(to)]
	if strings.HasPrefix(to, "+") {
		box = m.sms[to]
	}
	if len(box) == 0 {
		t.Fatalf("nothing delivered to %s", to)
	}
	return box[len(box)-1]
}

func (m *mailServer) count(_ *testing.T, _ *env, to string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if strings.HasPrefix(to, "+") {
		return len(m.sms[to])
	}
	return len(m.mail[strings.ToLower(to)])
}

func (m *mailServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{srv: m}, nil }

type mailSession struct {
	srv *mailServer
	to  []string
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, strings.ToLower(to))
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	for _, to := range s.to {
		s.srv.mail[to] = append(s.srv.mail[to], msg.Header.Get("Subject")+"\n"+string(b))
	}
	s.srv.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        { s.to = nil }
func (s *mailSession) Logout() error { return nil }

// withMailServer starts the SMTP server and the webhook and configures the notifier to use them.
func withMailServer(t *testing.T) (*mailServer, func(*envOpt)) {
	m := &mailServer{mail: map[string][]string{}, sms: map[string][]string{}}
	srv := smtp.NewServer(m)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	secret := []byte("webhook-secret")
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		// The webhook's own clock is real time; the service's clock is the injected one.
		if r.Header.Get(notify.HeaderSignature) != notify.Sign(secret, r.Header.Get(notify.HeaderTimestamp), body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p notify.WebhookPayload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		m.mu.Lock()
		m.sms[p.To] = append(m.sms[p.To], p.Body)
		m.mu.Unlock()
	}))
	t.Cleanup(hook.Close)
	return m, func(o *envOpt) {
		o.notify = notify.Config{SMTPHost: "127.0.0.1", SMTPPort: ln.Addr().(*net.TCPAddr).Port, SMTPTLS: "none",
			SMTPFrom: "rootward@example.net", WebhookURL: hook.URL, WebhookSecret: string(secret)}
	}
}

func linkToken(t *testing.T, body, path string) string {
	t.Helper()
	i := strings.Index(body, consoleURL+path+"?token=")
	if i < 0 {
		t.Fatalf("no %s link in %q", path, body)
	}
	return tokenInLink.FindStringSubmatch(body[i:])[1]
}

func phoneCode(t *testing.T, body string) string {
	t.Helper()
	sub := sixDigitCode.FindStringSubmatch(body)
	if sub == nil {
		t.Fatalf("no code in %q", body)
	}
	if sub[1] != "" {
		return sub[1]
	}
	return strings.Join(sub[2:8], "")
}

// principal is the root user as a console session signed in now holds it.
func (e *env) principal() *Principal {
	e.t.Helper()
	epoch, err := e.svc.SessionEpoch(e.ctx, e.account, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return &Principal{Account: e.account, Root: true, ARN: arn.Root(e.account), UserID: e.account, AuthTime: e.svc.Now(), Epoch: epoch}
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	t.Run("outbox", func(t *testing.T) { passwordReset(t, newEnv(t), outboxInbox{}) })
	t.Run("smtp", func(t *testing.T) {
		m, opt := withMailServer(t)
		passwordReset(t, newEnv(t, opt), m)
	})
}

func passwordReset(t *testing.T, e *env, box inbox) {
	old := e.principal()
	// An unknown email gets the same answer and no message.
	testutil.WantCode(t, e.requestReset("nobody@example.com", e.client), "")
	if n := box.count(t, e, "nobody@example.com"); n != 0 {
		t.Fatalf("%d messages to an unknown email", n)
	}
	testutil.WantCode(t, e.requestReset("root@EXAMPLE.com", e.client), "")
	first := linkToken(t, box.last(t, e, rootEmail), PathPasswordReset)
	info, err := e.svc.CheckPasswordReset(e.ctx, first)
	if err != nil || info.Account != e.account || !info.ExpiresAt.Equal(e.clock.Now().Add(time.Hour)) {
		t.Fatalf("CheckPasswordReset = %+v, %v", info, err)
	}
	// Asking again invalidates the first link.
	e.clock.Advance(time.Minute)
	testutil.WantCode(t, e.requestReset(rootEmail, e.client), "")
	second := linkToken(t, box.last(t, e, rootEmail), PathPasswordReset)
	_, err = e.svc.CheckPasswordReset(e.ctx, first)
	testutil.WantCode(t, err, awserr.ExpiredToken)

	cases := []struct {
		name, pw string
		code     awserr.Code
	}{
		{"breached password", "Password1", awserr.PasswordPolicyViolation},
		{"too close to the email", "Root@Example.com#1", awserr.PasswordPolicyViolation},
		{"two character classes", "onlylowercase1", awserr.PasswordPolicyViolation},
		{"good password", "Quokka-Lantern-19", ""},
		{"link already used", "Quokka-Lantern-20", awserr.ExpiredToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testutil.WantCode(t, e.svc.CompletePasswordReset(e.ctx, second, tc.pw, e.client), tc.code)
		})
	}
	// Every session of the root user ended; the old password no longer works; the new one does.
	if ok, _ := e.svc.SessionValid(e.ctx, old); ok {
		t.Fatal("a session survived the password reset")
	}
	if e.rootPasswordIs(rootPass) || !e.rootPasswordIs("Quokka-Lantern-19") {
		t.Fatal("the reset did not replace the password")
	}
	if body := box.last(t, e, rootEmail); !strings.Contains(body, "was reset") {
		t.Fatalf("no notice of the reset: %q", body)
	}
	// A link lasts one hour.
	testutil.WantCode(t, e.requestReset(rootEmail, e.client), "")
	late := linkToken(t, box.last(t, e, rootEmail), PathPasswordReset)
	e.clock.Advance(time.Hour + time.Second)
	testutil.WantCode(t, e.svc.CompletePasswordReset(e.ctx, late, "Quokka-Lantern-21", e.client), awserr.ExpiredToken)

	if len(e.events("PasswordRecoveryRequested")) != 3 || len(e.events("PasswordRecoveryCompleted")) != 1 || len(e.events("PasswordUpdated")) != 1 {
		t.Fatalf("events: %d requested, %d completed, %d updated", len(e.events("PasswordRecoveryRequested")),
			len(e.events("PasswordRecoveryCompleted")), len(e.events("PasswordUpdated")))
	}
}

func TestPasswordResetLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 5 {
		testutil.WantCode(t, e.requestReset(rootEmail, Client{SourceIP: "192.0.2.1"}), "")
		_ = i
	}
	if !isThrottled(e.requestReset(rootEmail, Client{SourceIP: "192.0.2.2"})) {
		t.Fatal("a sixth reset mail within the hour was sent")
	}
	// Unknown emails are limited alike, so the limit tells nothing either.
	for range 5 {
		testutil.WantCode(t, e.requestReset("ghost@example.com", Client{SourceIP: "192.0.2.3"}), "")
	}
	if !isThrottled(e.requestReset("ghost@example.com", Client{SourceIP: "192.0.2.4"})) {
		t.Fatal("unknown email not limited")
	}
	e.clock.Advance(time.Hour)
	testutil.WantCode(t, e.requestReset(rootEmail, Client{SourceIP: "192.0.2.1"}), "")
}

// A mail relay that fails changes neither the answer nor its timing; the failure is in the outbox.
func TestPasswordResetDeliveryFailure(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close() // nothing listens there any more
	e := newEnv(t, func(o *envOpt) {
		o.notify = notify.Config{SMTPHost: "127.0.0.1", SMTPPort: port, SMTPTLS: "none", SMTPFrom: "rootward@example.net"}
	})
	testutil.WantCode(t, e.requestReset(rootEmail, e.client), "")
	msgs, err := e.notify.Outbox(e.ctx, notify.Query{To: rootEmail})
	if err != nil || len(msgs) != 1 || msgs[0].Error == "" || msgs[0].Transport != notify.TransportSMTP {
		t.Fatalf("outbox = %+v, %v", msgs, err)
	}
}

// Member accounts whose root credentials are centrally managed cannot recover unless allowed.
func TestRecoveryPolicy(t *testing.T) {
	t.Parallel()
	allowed := false
	e := newEnv(t, withOptions(WithRecoveryPolicy(func(_ context.Context, a *iam.Account) (bool, error) { return allowed, nil })))
	p := e.principal()
	testutil.WantCode(t, e.svc.SetPhone(e.ctx, p, "+15555550100", e.client), "")
	e.enrolTOTP(e.account, "", "")

	testutil.WantCode(t, e.requestReset(rootEmail, e.client), "")
	if body := e.lastMessage(rootEmail, PurposePasswordReset).Body; strings.Contains(body, "token=") || !strings.Contains(body, "managed centrally") {
		t.Fatalf("refusal mail = %q", body)
	}
	e.wantRootStep(stepMFA)
	_, err := e.svc.BeginMFARecoveryFor(e.ctx, e.account, e.client)
	testutil.WantCode(t, err, awserr.AccessDenied)

	allowed = true
	testutil.WantCode(t, e.requestReset(rootEmail, e.client), "")
	if body := e.lastMessage(rootEmail, PurposePasswordReset).Body; !strings.Contains(body, "token=") {
		t.Fatalf("reset mail = %q", body)
	}
	if _, err := e.svc.BeginMFARecoveryFor(e.ctx, e.account, e.client); err != nil {
		t.Fatal(err)
	}
}

// Without a contact phone number, lost-MFA recovery names the operator's command instead of
// ending at "contact your administrator", whom a self-hosted installation does not have.
func TestLostMFARecoveryWithoutPhone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.enrolTOTP(e.account, "", "")
	e.wantRootStep(stepMFA)
	_, err := e.svc.BeginMFARecoveryFor(e.ctx, e.account, e.client)
	testutil.WantCode(t, err, awserr.InvalidInput)
	want := "rootward root reset-mfa --data DIR --account " + e.account + " --confirm " + e.account
	if ae, _ := awserr.As(err); !strings.Contains(ae.Message, want) {
		t.Fatalf("message = %q, want it to name %q", ae.Message, want)
	}
}

const (
	phone        = "+15555550100"
	securityMail = "security@example.com"
	securitySMS  = "+15555550199"
)

// mfaRecoveryEnv is an account whose root user has a device, a phone and a security contact, at
// the MFA step of a sign-in.
func mfaRecoveryEnv(t *testing.T, opts ...func(*envOpt)) (*env, string) {
	e := newEnv(t, opts...)
	p := e.principal()
	testutil.WantCode(t, e.svc.SetPhone(e.ctx, p, phone, e.client), "")
	testutil.WantCode(t, e.svc.SetSecurityContact(e.ctx, p, &Contact{Name: "Sec Team", EmailAddress: securityMail, PhoneNumber: securitySMS}, e.client), "")
	seed, _ := e.enrolTOTP(e.account, "", "")
	e.clock.Advance(time.Minute)
	e.wantRootStep(stepMFA)
	return e, seed
}

func TestLostMFARecovery(t *testing.T) {
	t.Run("outbox", func(t *testing.T) {
		e, _ := mfaRecoveryEnv(t)
		lostMFA(t, e, outboxInbox{})
	})
	t.Run("smtp and webhook", func(t *testing.T) {
		m, opt := withMailServer(t)
		e, _ := mfaRecoveryEnv(t, opt)
		lostMFA(t, e, m)
	})
}

// proveBoth runs the email and phone steps and returns the recovery in its cooling-off.
func proveBoth(t *testing.T, e *env, box inbox, channel notify.Channel) *MFARecovery {
	t.Helper()
	rec, err := e.svc.BeginMFARecoveryFor(e.ctx, e.account, e.client)
	if err != nil || rec.State != RecoveryVerifying || rec.Token == "" || rec.PhoneHint != "…00" || !rec.Deadline.Equal(e.clock.Now().Add(30*time.Minute)) {
		t.Fatalf("BeginMFARecovery = %+v, %v", rec, err)
	}
	// The phone step needs the email proved first.
	testutil.WantCode(t, e.svc.SendMFARecoveryCode(e.ctx, rec.Token, channel, e.client), awserr.AccessDenied)
	emailTok := linkToken(t, box.last(t, e, rootEmail), PathMFARecoveryEmail)
	v, err := e.svc.VerifyMFARecoveryEmail(e.ctx, emailTok, e.client)
	if err != nil || !v.EmailVerified || v.PhoneVerified {
		t.Fatalf("VerifyMFARecoveryEmail = %+v, %v", v, err)
	}
	testutil.WantCode(t, e.svc.SendMFARecoveryCode(e.ctx, rec.Token, channel, e.client), "")
	code := phoneCode(t, box.last(t, e, phone))
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	_, err = e.svc.VerifyMFARecoveryPhone(e.ctx, rec.Token, wrong, e.client)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	v, err = e.svc.VerifyMFARecoveryPhone(e.ctx, rec.Token, code, e.client)
	if err != nil || v.State != RecoveryCooling || !v.CoolingOffEnds.Equal(e.clock.Now().Add(24*time.Hour)) {
		t.Fatalf("VerifyMFARecoveryPhone = %+v, %v", v, err)
	}
	rec.State = v.State
	return rec
}

func lostMFA(t *testing.T, e *env, box inbox) {
	// A console session open before the recovery.
	epoch, err := e.svc.SessionEpoch(e.ctx, e.account, "")
	if err != nil {
		t.Fatal(err)
	}
	before := &Principal{Account: e.account, Root: true, Epoch: epoch}
	rec := proveBoth(t, e, box, notify.SMS)
	// Every security contact heard of it, each with its own cancel link.
	links := map[string]bool{}
	for _, to := range []string{rootEmail, securityMail, securitySMS, phone} {
		links[linkToken(t, box.last(t, e, to), PathMFARecoveryCancel)] = true
	}
	if len(links) != 4 {
		t.Fatalf("%d distinct cancel links for 4 contacts", len(links))
	}
	// During the cooling-off the devices still work and sign-in still asks for them.
	e.clock.Advance(23 * time.Hour)
	e.wantRootStep(stepMFA)
	if st, _ := e.svc.MFARecoveryStatus(e.ctx, rec.Token); st.State != RecoveryCooling {
		t.Fatalf("status = %+v", st)
	}
	// When it ends, the devices are gone and sign-in goes straight to registration.
	e.clock.Advance(time.Hour)
	if e.wantRootStep(stepRegistration) {
		t.Fatal("registration after MFA recovery is optional")
	}
	if list, _ := e.iam.ListMFADevices(e.ctx, e.account, "", iam.ListOpts{}); len(list.Items) != 0 {
		t.Fatalf("devices left: %+v", list.Items)
	}
	if ok, _ := e.svc.SessionValid(e.ctx, before); ok {
		t.Fatal("a session opened before the recovery survived it")
	}
	if st, _ := e.svc.MFARecoveryStatus(e.ctx, rec.Token); st.State != RecoveryCompleted {
		t.Fatalf("status = %+v", st)
	}
	if body := box.last(t, e, securityMail); !strings.Contains(body, "deactivated") {
		t.Fatalf("completion notice = %q", body)
	}
	// A new device ends the forced registration.
	e.enrolTOTP(e.account, "", "new-phone")
	e.wantRootStep(stepMFA)
	for _, name := range []string{"MFARecoveryRequested", "MFARecoveryEmailVerified", "MFARecoveryVerified", "MFARecoveryCompleted"} {
		if len(e.events(name)) != 1 {
			t.Errorf("%s recorded %d times", name, len(e.events(name)))
		}
	}
	if evs := e.events("MFARecoveryPhoneVerified"); len(evs) != 2 || evs[0].ErrorMessage+evs[1].ErrorMessage != "Wrong code" {
		t.Errorf("phone events = %+v", evs)
	}
}

func TestLostMFARecoveryCancelled(t *testing.T) {
	e, seed := mfaRecoveryEnv(t)
	rec := proveBoth(t, e, outboxInbox{}, notify.Voice)
	if body := e.lastMessage(phone, PurposeMFARecoveryPhone).Body; !strings.Contains(body, "Again:") {
		t.Fatalf("voice message = %q", body)
	}
	cancel := e.outboxToken(securityMail, PurposeMFARecoveryCooling)
	testutil.WantCode(t, e.svc.CancelMFARecovery(e.ctx, cancel, e.client), "")
	testutil.WantCode(t, e.svc.CancelMFARecovery(e.ctx, cancel, e.client), awserr.ExpiredToken)
	if st, _ := e.svc.MFARecoveryStatus(e.ctx, rec.Token); st.State != RecoveryCancelled {
		t.Fatalf("status = %+v", st)
	}
	e.clock.Advance(48 * time.Hour)
	e.wantRootStep(stepMFA)
	devices, _ := e.svc.Devices(e.ctx, e.account, "")
	if err := e.iam.VerifyMFACode(e.ctx, e.account, "", devices[0].Serial, testutil.TOTPCode(t, seed, e.clock.Now()), e.clock.Now()); err != nil {
		t.Fatalf("device after a cancelled recovery: %v", err)
	}
	if n, err := e.svc.CompleteDueRecoveries(e.ctx); n != 0 || err != nil {
		t.Fatalf("CompleteDueRecoveries = %d, %v", n, err)
	}
	if len(e.events("MFARecoveryCancelled")) != 1 {
		t.Fatal("cancellation not recorded")
	}
	if body := e.lastMessage(rootEmail, PurposeMFARecoveryCancel).Body; !strings.Contains(body, "cancelled") {
		t.Fatalf("cancel notice = %q", body)
	}
}

func TestLostMFARecoveryLimits(t *testing.T) {
	t.Parallel()
	t.Run("30 minutes for both proofs", func(t *testing.T) {
		e, _ := mfaRecoveryEnv(t)
		rec, err := e.svc.BeginMFARecoveryFor(e.ctx, e.account, e.client)
		if err != nil {
			t.Fatal(err)
		}
		emailTok := e.outboxToken(rootEmail, PurposeMFARecoveryEmail)
		e.clock.Advance(30*time.Minute + time.Second)
		_, err = e.svc.VerifyMFARecoveryEmail(e.ctx, emailTok, e.client)
		testutil.WantCode(t, err, awserr.ExpiredToken)
		if st, _ := e.svc.MFARecoveryStatus(e.ctx, rec.Token); st.State != RecoveryExpired {
			t.Fatalf("status = %+v", st)
		}
	})
	t.Run("five wrong phone codes", func(t *testing.T) {
		e, _ := mfaRecoveryEnv(t)
		rec, _ := e.svc.BeginMFARecoveryFor(e.ctx, e.account, e.client)
		if _, err := e.svc.VerifyMFARecoveryEmail(e.ctx, e.outboxToken(rootEmail, PurposeMFARecoveryEmail), e.client); err != nil {
			t.Fatal(err)
		}
		testutil.WantCode(t, e.svc.SendMFARecoveryCode(e.ctx, rec.Token, notify.SMS, e.client), "")
		// A second code within 30 seconds is refused.
		if !isThrottled(e.svc.SendMFARecoveryCode(e.ctx, rec.Token, notify.SMS, e.client)) {
			t.Fatal("codes sent back to back")
		}
		good := phoneCode(t, e.lastMessage(phone, PurposeMFARecoveryPhone).Body)
		for i := range 5 {
			bad := "00000" + string(rune('0'+i))
			if bad == good {
				bad = "99999" + string(rune('0'+i))
			}
			_, err := e.svc.VerifyMFARecoveryPhone(e.ctx, rec.Token, bad, e.client)
			testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
		}
		_, err := e.svc.VerifyMFARecoveryPhone(e.ctx, rec.Token, good, e.client)
		testutil.WantCode(t, err, awserr.ExpiredToken)
		if st, _ := e.svc.MFARecoveryStatus(e.ctx, rec.Token); st.State != RecoveryFailed {
			t.Fatalf("status = %+v", st)
		}
	})
	t.Run("no phone number", func(t *testing.T) {
		e := newEnv(t)
		e.enrolTOTP(e.account, "", "")
		e.wantRootStep(stepMFA)
		_, err := e.svc.BeginMFARecoveryFor(e.ctx, e.account, e.client)
		testutil.WantCode(t, err, awserr.InvalidInput)
	})
	t.Run("a periodic sweep completes due recoveries", func(t *testing.T) {
		e, _ := mfaRecoveryEnv(t)
		proveBoth(t, e, outboxInbox{}, notify.SMS)
		if n, _ := e.svc.CompleteDueRecoveries(e.ctx); n != 0 {
			t.Fatalf("completed %d before the end of the cooling-off", n)
		}
		e.clock.Advance(24 * time.Hour)
		if n, err := e.svc.CompleteDueRecoveries(e.ctx); n != 1 || err != nil {
			t.Fatalf("CompleteDueRecoveries = %d, %v", n, err)
		}
		if list, _ := e.iam.ListMFADevices(e.ctx, e.account, "", iam.ListOpts{}); len(list.Items) != 0 {
			t.Fatal("devices left after the sweep")
		}
	})
}

// The operator's reset removes every device, forces a new registration at the next sign-in, ends
// the root's sessions, and is recorded and mailed to the root email and the security contacts.
func TestResetRootMFA(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.principal()
	testutil.WantCode(t, e.svc.SetSecurityContact(e.ctx, root, &Contact{Name: "Sec", EmailAddress: securityMail}, e.client), "")
	_, s1 := e.enrolTOTP(e.account, "", "phone")
	_, s2 := e.enrolTOTP(e.account, "", "tablet")
	signedIn := root

	got, err := e.svc.ResetRootMFA(e.ctx, e.account, Operator{User: "ops", Host: "vault-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !slices.Contains(got, s1) || !slices.Contains(got, s2) {
		t.Fatalf("removed %v, want %s and %s", got, s1, s2)
	}
	if ds, err := e.svc.Devices(e.ctx, e.account, ""); err != nil || len(ds) != 0 {
		t.Fatalf("devices after reset = %v, %v; want none", ds, err)
	}
	if ok, _ := e.svc.SessionValid(e.ctx, signedIn); ok {
		t.Fatal("a root session survived the reset")
	}
	if e.wantRootStep(stepRegistration) {
		t.Fatal("after a reset the MFA registration is optional; want it required")
	}
	evs := e.events("ResetRootMFA")
	if len(evs) != 1 || evs[0].AdditionalEventData["Severity"] != SeverityHigh || evs[0].UserIdentity.UserName != "ops" {
		t.Fatalf("events = %+v, want one high-severity ResetRootMFA by ops", evs)
	}
	for _, to := range []string{rootEmail, securityMail} {
		if m := e.lastMessage(to, PurposeMFAReset); !strings.Contains(m.Body, "reset-mfa") || !strings.Contains(m.Body, "vault-1") {
			t.Fatalf("message to %s = %q", to, m.Body)
		}
	}
	_, err = e.svc.ResetRootMFA(e.ctx, "999999999999", Operator{})
	testutil.WantCode(t, err, awserr.NoSuchEntity)
}
