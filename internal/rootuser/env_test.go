package rootuser

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// openStore opens the backend under test: PostgreSQL when ROOTWARD_TEST_BACKEND=postgres and
// ROOTWARD_TEST_POSTGRES is set (as internal/server's tests do), SQLite otherwise.
func openStore(t testing.TB) store.Store { return testbackend.Open(t) }

const (
	consoleURL = "https://console.rootward.test"
	rootEmail  = "Root@Example.com"
	rootPass   = "Tangerine-Walrus-42"
)

// env is a root-user service over a fresh store with one account whose root user has a password.
type env struct {
	t       *testing.T
	ctx     context.Context
	clock   *testutil.Clock
	st      store.Store
	iam     *iam.Service
	notify  *notify.Notifier
	trail   *trail.Recorder
	svc     *Service
	account string
	client  Client
}

type envOpt struct {
	cost    *password.Params
	notify  notify.Config
	options []Option
	store   func(testing.TB) store.Store
	// eventLog is where the trail recorder writes; the store's own event log when nil.
	eventLog func(store.Store) store.EventLog
}

func newEnv(t *testing.T, opts ...func(*envOpt)) *env {
	t.Helper()
	var o envOpt
	for _, f := range opts {
		f(&o)
	}
	open := o.store
	if open == nil {
		open = openStore
	}
	st := open(t)
	sealer := testutil.Sealer(t)
	// The middle of a TOTP step, so codes of the neighbouring steps are unambiguous.
	clk := testutil.NewClock(time.Date(2026, 5, 4, 10, 0, 15, 0, time.UTC))
	cost := password.Params{Memory: 64, Time: 1, Threads: 1}
	if o.cost != nil {
		cost = *o.cost
	}
	is := iam.New(st, sealer, iam.WithClock(clk.Now), iam.WithPasswordCost(cost))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := notify.New(st, sealer, o.notify, notify.WithClock(clk.Now), notify.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	var log store.EventLog = st
	if o.eventLog != nil {
		log = o.eventLog(st)
	}
	rec := trail.NewRecorder(log, quiet)
	t.Cleanup(rec.Close)
	svc, err := New(Config{IAM: is, Notifier: n, Trail: rec, ConsoleURL: consoleURL}, append([]Option{WithClock(clk.Now), WithLogger(quiet)}, o.options...)...)
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last-in first-out: background mail finishes before the recorder and the store close.
	t.Cleanup(svc.Drain)
	ctx := context.Background()
	acct, err := is.CreateAccount(ctx, "Example Prod", rootEmail, rootPass)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, clock: clk, st: st, iam: is, notify: n, trail: rec, svc: svc, account: acct.ID,
		client: Client{SourceIP: "203.0.113.7", UserAgent: "test-browser"}}
}

func withOptions(opts ...Option) func(*envOpt) {
	return func(o *envOpt) { o.options = append(o.options, opts...) }
}

// enrolTOTP creates and enables a virtual device for the principal and returns its seed and serial.
func (e *env) enrolTOTP(account, user, name string) (seed, serial string) {
	e.t.Helper()
	enr, err := e.svc.CreateTOTPDevice(e.ctx, account, user, name, e.client)
	if err != nil {
		e.t.Fatal(err)
	}
	now := e.clock.Now()
	if err := e.svc.EnableTOTPDevice(e.ctx, account, user, enr.Serial, testutil.TOTPCode(e.t, enr.Seed, now.Add(-30*time.Second)), testutil.TOTPCode(e.t, enr.Seed, now), e.client); err != nil {
		e.t.Fatal(err)
	}
	return enr.Seed, enr.Serial
}

// requestReset asks for a reset link and waits for the background mail.
func (e *env) requestReset(email string, c Client) error {
	err := e.svc.RequestPasswordReset(e.ctx, email, c)
	e.svc.Drain()
	return err
}

// Steps of a root sign-in after its password, as this package's state decides them (sign-in
// itself is internal/signin's, whose tests run the whole flow).
const (
	stepMFA          = "mfa"
	stepRegistration = "mfa-registration"
)

// wantRootStep fails unless the root user's next sign-in, after the password, goes to step want,
// and returns whether an MFA registration there may be postponed. It asks what sign-in asks: a
// due recovery first, then the devices, then the 35-day window.
func (e *env) wantRootStep(want string) (optional bool) {
	e.t.Helper()
	if err := e.svc.CompleteDueRecovery(e.ctx, e.account); err != nil {
		e.t.Fatal(err)
	}
	devices, err := e.svc.Devices(e.ctx, e.account, "")
	if err != nil {
		e.t.Fatal(err)
	}
	got := stepMFA
	if len(devices) == 0 {
		got = stepRegistration
		if optional, _, err = e.svc.MFARegistrationWindow(e.ctx, e.account); err != nil {
			e.t.Fatal(err)
		}
	}
	if got != want {
		e.t.Fatalf("next step = %s, want %s", got, want)
	}
	return optional
}

// rootPasswordIs reports whether pw is the root user's password.
func (e *env) rootPasswordIs(pw string) bool {
	e.t.Helper()
	a, err := e.iam.GetAccount(e.ctx, e.account)
	if err != nil {
		e.t.Fatal(err)
	}
	ok, _ := password.Verify(pw, a.RootPasswordHash)
	return ok
}

var tokenInLink = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)
var sixDigitCode = regexp.MustCompile(`\b(\d{6})\b|(\d) (\d) (\d) (\d) (\d) (\d)`)

// outboxToken returns the token of the link in the newest outbox message of purpose to to.
func (e *env) outboxToken(to, purpose string) string {
	e.t.Helper()
	m := e.lastMessage(to, purpose)
	sub := tokenInLink.FindStringSubmatch(m.Body)
	if sub == nil {
		e.t.Fatalf("no link in %q", m.Body)
	}
	return sub[1]
}

func (e *env) lastMessage(to, purpose string) notify.Entry {
	e.t.Helper()
	msgs, err := e.notify.Outbox(e.ctx, notify.Query{To: to, Purpose: purpose})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(msgs) == 0 {
		e.t.Fatalf("no %s message to %s in the outbox", purpose, to)
	}
	return msgs[len(msgs)-1]
}

// events returns the account's events of name, oldest first.
func (e *env) events(name string) []trail.Event {
	e.t.Helper()
	e.trail.Flush()
	p, err := trail.List(e.ctx, e.st, trail.Query{Account: e.account, Match: func(ev *trail.Event) bool { return ev.EventName == name }})
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Events
}

func isThrottled(err error) bool {
	_, ok := RetryAfter(err)
	return ok
}
