package console_test

import (
	"context"
	"github.com/rootward/rootward/internal/testutil"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/httpmux"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/signin"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/trail"
)

// env is an in-process Rootward serving the API and the console.
type env struct {
	t       *testing.T
	clock   *testutil.Clock
	st      store.Store
	svc     *iam.Service
	root    *rootuser.Service
	signin  *signin.Service
	notify  *notify.Notifier
	trail   *trail.Recorder
	url     string
	account *iam.Account
	console *console.Handler
}

func openStore(t testing.TB) store.Store { return testbackend.Open(t) }

// envOpts tune an env.
type envOpts struct {
	// notify configures the transports; the zero Config keeps every message in the outbox.
	notify   notify.Config
	console  []func(*console.Config)
	server   []func(*server.Config)
	rootOpts []rootuser.Option
	// publicURL serves the console at the env's URL only, as serve does with --public-url.
	publicURL bool
	// eventLog is where the trail recorder writes; the store's own event log when nil.
	eventLog func(store.Store) store.EventLog
	// signin tunes the sign-in service's configuration.
	signin []func(*signin.Config)
}

func newEnv(t *testing.T, opts ...func(*envOpts)) *env {
	t.Helper()
	var o envOpts
	for _, f := range opts {
		f(&o)
	}
	// The middle of a TOTP step, so codes of neighbouring steps are unambiguous.
	e := &env{t: t, clock: testutil.NewClock(time.Date(2026, 3, 2, 9, 0, 15, 0, time.UTC))}
	e.st = openStore(t)
	sealer := testutil.Sealer(t)
	e.svc = iam.New(e.st, sealer, iam.WithClock(e.clock.Now), iam.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1}))
	var log store.EventLog = e.st
	if o.eventLog != nil {
		log = o.eventLog(e.st)
	}
	e.trail = trail.NewRecorder(log, nil)
	t.Cleanup(e.trail.Close)
	var h http.Handler
	scfg := server.Config{IAM: e.svc, Trail: e.trail, Now: e.clock.Now}
	for _, f := range o.server {
		f(&scfg)
	}
	api := server.New(scfg)
	// The console and the API on one address, as serve mounts them.
	hs := httptest.NewUnstartedServer(httpmux.New(httpmux.Config{API: api, Metrics: api.Metrics(), TrustedProxies: scfg.TrustedProxies,
		Console: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) })}))
	// WebAuthn needs a host name for its relying party ID, not an IP address.
	e.url = "http://localhost:" + strings.TrimPrefix(hs.Listener.Addr().String(), "127.0.0.1:")
	quiet := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var err error
	e.notify, err = notify.New(e.st, sealer, o.notify, notify.WithClock(e.clock.Now), notify.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	e.root, err = rootuser.New(rootuser.Config{IAM: e.svc, Notifier: e.notify, Trail: e.trail, ConsoleURL: e.url + "/console"},
		append([]rootuser.Option{rootuser.WithClock(e.clock.Now)}, o.rootOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last-in first-out: background mail finishes before the trail recorder closes.
	t.Cleanup(e.root.Drain)
	sicfg := signin.Config{IAM: e.svc, Root: e.root, Trail: e.trail}
	for _, f := range o.signin {
		f(&sicfg)
	}
	e.signin, err = signin.New(sicfg, signin.WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	cfg := console.Config{IAM: e.svc, Root: e.root, SignIn: e.signin, Runner: api.Runner(), Now: e.clock.Now, Logger: quiet}
	if o.publicURL {
		cfg.PublicURL = e.url
	}
	for _, f := range o.console {
		f(&cfg)
	}
	ch, err := console.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h, e.console = ch, ch
	hs.Start()
	t.Cleanup(hs.Close)
	e.account, err = e.svc.CreateAccount(context.Background(), "acme", "owner@acme.example", "")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// testWriter sends the console's log to the test's.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// browser is an HTTP client with a cookie jar that does not follow redirects, so tests see each
// step.
type browser struct {
	t    *testing.T
	e    *env
	c    *http.Client
	last string // body of the last page
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// page is one answer.
type page struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := page{status: resp.StatusCode, body: string(body), location: resp.Header.Get("Location"), header: resp.Header}
	if strings.Contains(p.header.Get("Content-Type"), "text/html") && p.location == "" {
		b.last = p.body
	}
	return p
}

func (b *browser) get(path string) page {
	req, _ := http.NewRequest(http.MethodGet, b.e.url+path, nil)
	return b.do(req)
}

var (
	csrfPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	oncePattern = regexp.MustCompile(`name="once" value="([^"]+)"`)
)

// csrf is the token of the forms on the last page shown.
func (b *browser) csrf() string {
	m := csrfPattern.FindStringSubmatch(b.last)
	if m == nil {
		b.t.Fatalf("no CSRF token on the last page:\n%.2000s", b.last)
	}
	return m[1]
}

// submit posts a form with the last page's CSRF token.
func (b *browser) submit(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf") {
		form.Set("csrf", b.csrf())
	}
	// A form's one-time token, as the last page's forms carry it.
	if m := oncePattern.FindStringSubmatch(b.last); m != nil && !form.Has("once") {
		form.Set("once", m[1])
	}
	return b.postRaw(path, form, nil)
}

func (b *browser) postRaw(path string, form url.Values, header http.Header) page {
	req, _ := http.NewRequest(http.MethodPost, b.e.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	return b.do(req)
}

// follow gets the page a redirect points to.
func (b *browser) follow(p page) page {
	b.t.Helper()
	if p.status != http.StatusSeeOther && p.status != http.StatusFound {
		b.t.Fatalf("status %d, want a redirect; body:\n%.1500s", p.status, p.body)
	}
	return b.get(p.location)
}

// totpCode is the RFC 6238 code of seed at t (SHA-1, 6 digits, 30 s), computed independently of
// the server.
func totpCode(t *testing.T, seed string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(seed, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// userWithPassword creates an IAM user with a console password and an inline policy.
func (e *env) userWithPassword(name, pw, policy string, resetRequired bool) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.svc.CreateUser(ctx, e.account.ID, iam.CreateUserInput{UserName: name}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.CreateLoginProfile(ctx, e.account.ID, name, pw, resetRequired); err != nil {
		e.t.Fatal(err)
	}
	if policy != "" {
		if err := e.svc.PutInlinePolicy(ctx, e.account.ID, "user", name, "inline", policy); err != nil {
			e.t.Fatal(err)
		}
	}
}

// enableVirtualMFA gives a user ("" = root) a virtual MFA device and returns its serial and seed.
// The clock moves two steps so the enabling codes are not reused by the test that follows.
func (e *env) enableVirtualMFA(user, name string) (serial, seed string) {
	e.t.Helper()
	ctx := context.Background()
	d, err := e.svc.CreateVirtualMFADevice(ctx, e.account.ID, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: name})
	if err != nil {
		e.t.Fatal(err)
	}
	now := e.clock.Now()
	c1, c2 := totpCode(e.t, d.Base32StringSeed, now.Add(-30*time.Second)), totpCode(e.t, d.Base32StringSeed, now)
	if err := e.svc.EnableMFADevice(ctx, e.account.ID, user, d.SerialNumber, c1, c2); err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(60 * time.Second)
	return d.SerialNumber, d.Base32StringSeed
}

const adminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
