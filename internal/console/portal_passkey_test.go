package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/portal"
	"github.com/rootward/rootward/internal/rootuser/webauthntest"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// TestPortalPasskey: at her first sign-in an Identity Center user registers a passkey instead of
// an authenticator app (RP ID: the public URL's host) and later signs in with it; a key that is not
// hers, an assertion answered for another sign-in, a replayed one and a cloned key (a signature
// counter that went back) are refused; each step recorded with credential type WEBAUTHN.
func TestPortalPasskey(t *testing.T) {
	pe := newPortalEnv(t)
	ctx := context.Background()
	call := portal.Call{SourceIP: "192.0.2.7", UserAgent: "test"}
	p, err := pe.portal.BeginSignIn(ctx, "", "alice", pe.otp, call)
	if err != nil || p.Next != portal.StepSetPassword {
		t.Fatalf("BeginSignIn = %+v, %v; want the new password step", p, err)
	}
	if p, err = pe.portal.CompleteSetPassword(ctx, p.Token, "Correct-Horse-Battery-9", call); err != nil || p.Next != portal.StepMFARegistration || !p.Passkey {
		t.Fatalf("CompleteSetPassword = %+v, %v; want the MFA registration offering a passkey", p, err)
	}
	key := webauthntest.New(t, portalURL)
	// An answer without a begun ceremony is refused.
	_, err = pe.portal.CompletePasskeyRegistration(ctx, p.Token, []byte(`{}`), call)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	creation, err := pe.portal.BeginPasskeyRegistration(ctx, p.Token)
	if err != nil {
		t.Fatal(err)
	}
	if creation.Response.RelyingParty.ID != "localhost" {
		t.Errorf("RP ID = %q, want localhost (the public URL's host)", creation.Response.RelyingParty.ID)
	}
	done, err := pe.portal.CompletePasskeyRegistration(ctx, p.Token, key.Create(creation), call)
	if err != nil || done.Next != portal.StepDone || done.Session == nil {
		t.Fatalf("CompletePasskeyRegistration = %+v, %v; want signed in", done, err)
	}

	signIn := func() *portal.Pending {
		t.Helper()
		p, err := pe.portal.BeginSignIn(ctx, "", "alice", "Correct-Horse-Battery-9", call)
		if err != nil || p.Next != portal.StepMFA || !p.Passkey {
			t.Fatalf("BeginSignIn = %+v, %v; want the MFA step offering a passkey", p, err)
		}
		return p
	}
	answer := func(p *portal.Pending, k *webauthntest.Key) (*portal.Pending, error) {
		t.Helper()
		a, err := pe.portal.BeginPasskeyMFA(ctx, p.Token, call)
		if err != nil {
			t.Fatal(err)
		}
		return pe.portal.CompletePasskeyMFA(ctx, p.Token, k.Get(a), call)
	}
	p = signIn()
	done, err = answer(p, key)
	if err != nil || done.Next != portal.StepDone || done.Session == nil || done.User.UserID != pe.alice {
		t.Fatalf("passkey sign-in = %+v, %v", done, err)
	}
	// The spent pending sign-in takes no second answer.
	_, err = pe.portal.CompletePasskeyMFA(ctx, p.Token, []byte(`{}`), call)
	testutil.WantCode(t, err, awserr.ExpiredToken)

	// An answer to one sign-in's challenge does not open another.
	p1 := signIn()
	a1, err := pe.portal.BeginPasskeyMFA(ctx, p1.Token, call)
	if err != nil {
		t.Fatal(err)
	}
	stale := key.Get(a1)
	p2 := signIn()
	if _, err := pe.portal.BeginPasskeyMFA(ctx, p2.Token, call); err != nil {
		t.Fatal(err)
	}
	_, err = pe.portal.CompletePasskeyMFA(ctx, p2.Token, stale, call)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	// The first sign-in takes its own answer; the second, whose challenge the refusal cleared,
	// takes no further answer to it.
	if _, err := pe.portal.CompletePasskeyMFA(ctx, p1.Token, stale, call); err != nil {
		t.Fatalf("the first sign-in's own answer = %v", err)
	}
	_, err = pe.portal.CompletePasskeyMFA(ctx, p2.Token, key.Get(a1), call)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)

	// A key that is not registered is refused.
	_, err = answer(signIn(), webauthntest.New(t, portalURL))
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	// A key answering for another origin is refused.
	_, err = answer(signIn(), webauthntest.New(t, "https://evil.example"))
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	// A signature counter that went back betrays a cloned key; the stored counter moved on.
	key.Counter = 0
	_, err = answer(signIn(), key)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	key.Counter = 100
	if _, err := answer(signIn(), key); err != nil {
		t.Fatalf("sign-in after the counter moved on: %v", err)
	}
	key.Counter = 50
	_, err = answer(signIn(), key)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)

	// CloudTrail: the passkey's challenge and verification are recorded as WEBAUTHN.
	pg, err := trail.List(ctx, pe.st, trail.Query{Account: pe.account.ID, EventSource: "signin.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range pg.Events {
		if toString(ev.AdditionalEventData["CredentialType"]) == "WEBAUTHN" {
			got = append(got, ev.EventName+":"+toString(ev.ServiceEventDetails[ev.EventName]))
		}
	}
	if joined := strings.Join(got, " "); !strings.Contains(joined, "CredentialChallenge:Success") ||
		!strings.Contains(joined, "CredentialVerification:Success") || !strings.Contains(joined, "CredentialVerification:Failure") {
		t.Errorf("WEBAUTHN events = %v, want challenges and verifications, successful and failed", got)
	}
	for _, ev := range pg.Events {
		if toString(ev.AdditionalEventData["CredentialType"]) == "TOTP" {
			t.Errorf("a TOTP event %s for a user without an authenticator app", ev.EventName)
		}
	}
}

// postJSON posts body as webauthn.js does: JSON, the last page's CSRF token in X-CSRF-Token.
func (b *browser) postJSON(path string, body []byte, csrf string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.e.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	return b.do(req)
}

// TestPortalPasskeyPages drives the pages and webauthn.js's endpoints as a browser with a passkey
// would: the registration step offers a passkey, registering one signs in, the MFA step offers
// it, its assertion signs in; a JSON call without the CSRF token and a replayed assertion are
// refused.
func TestPortalPasskeyPages(t *testing.T) {
	pe := newPortalEnv(t)
	key := webauthntest.New(t, portalURL)
	b := pe.browser()
	b.get("/start")
	b.submit("/start/signin", url.Values{"username": {"alice"}, "password": {pe.otp}})
	p := b.submit("/start/password", url.Values{"new_password": {"Correct-Horse-Battery-9"}, "confirm_password": {"Correct-Horse-Battery-9"}})
	if p.status != 200 || !strings.Contains(p.body, `data-options="/start/passkey/register/begin"`) || !strings.Contains(p.body, "/console/static/webauthn.js") {
		t.Fatalf("registration step = %d, want a passkey button and webauthn.js:\n%.2000s", p.status, p.body)
	}
	tok := b.csrf()
	if p := b.postJSON("/start/passkey/register/begin", []byte(`{}`), ""); p.status != 403 {
		t.Errorf("begin without the CSRF token = %d, want 403", p.status)
	}
	begin := b.postJSON("/start/passkey/register/begin", []byte(`{"name":""}`), tok)
	var opts struct {
		Options protocol.CredentialCreation `json:"options"`
	}
	if begin.status != 200 || json.Unmarshal([]byte(begin.body), &opts) != nil {
		t.Fatalf("begin = %d %s", begin.status, begin.body)
	}
	fin, _ := json.Marshal(map[string]json.RawMessage{"credential": key.Create(&opts.Options)})
	done := b.postJSON("/start/passkey/register/finish", fin, tok)
	if done.status != 200 || !strings.Contains(done.body, `"redirect":"/start"`) {
		t.Fatalf("finish = %d %s, want the redirect to /start", done.status, done.body)
	}
	if home := b.get("/start"); !strings.Contains(home.body, pe.account.ID) {
		t.Fatalf("not signed in after registering a passkey:\n%.1500s", home.body)
	}

	// A later sign-in, in another browser.
	b = pe.browser()
	b.get("/start")
	p = b.submit("/start/signin", url.Values{"username": {"alice"}, "password": {"Correct-Horse-Battery-9"}})
	if p.status != 200 || !strings.Contains(p.body, `data-finish="/start/passkey"`) {
		t.Fatalf("MFA step = %d, want a passkey button:\n%.2000s", p.status, p.body)
	}
	// Her only MFA is the passkey: the page asks for no code.
	if strings.Contains(p.body, `action="/start/mfa"`) || strings.Contains(p.body, `name="code"`) {
		t.Fatalf("MFA step of a user with only a passkey shows the code field:\n%.2000s", p.body)
	}
	tok = b.csrf()
	o := b.postJSON("/start/passkey/options", []byte(`{}`), tok)
	var a protocol.CredentialAssertion
	if o.status != 200 || json.Unmarshal([]byte(o.body), &a) != nil {
		t.Fatalf("options = %d %s", o.status, o.body)
	}
	answer := key.Get(&a)
	if p := b.postJSON("/start/passkey", answer, ""); p.status != 403 {
		t.Errorf("assertion without the CSRF token = %d, want 403", p.status)
	}
	if p := b.postJSON("/start/passkey", answer, tok); p.status != 200 || !strings.Contains(p.body, `"redirect":"/start"`) {
		t.Fatalf("assertion = %d %s, want the redirect", p.status, p.body)
	}
	if home := b.get("/start"); !strings.Contains(home.body, pe.account.ID) {
		t.Fatalf("not signed in after the passkey:\n%.1500s", home.body)
	}
	// The same assertion, replayed from another browser at its own MFA step, is refused.
	c := pe.browser()
	c.get("/start")
	c.submit("/start/signin", url.Values{"username": {"alice"}, "password": {"Correct-Horse-Battery-9"}})
	tok = c.csrf()
	if p := c.postJSON("/start/passkey/options", []byte(`{}`), tok); p.status != 200 {
		t.Fatalf("options = %d %s", p.status, p.body)
	}
	if p := c.postJSON("/start/passkey", answer, tok); p.status != 403 || !strings.Contains(p.body, "InvalidAuthenticationCode") {
		t.Errorf("replayed assertion = %d %s, want 403 InvalidAuthenticationCode", p.status, p.body)
	}
	if home := c.get("/start"); strings.Contains(home.body, pe.account.ID) {
		t.Error("signed in with a replayed assertion")
	}
}
