package signin

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/postgres"
	"github.com/rootward/rootward/internal/store/postgres/pgtest"
	"github.com/rootward/rootward/internal/store/sqlite"
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

// env is a sign-in service over a fresh store with one account whose root user has a password.
type env struct {
	t       *testing.T
	ctx     context.Context
	clock   *testutil.Clock
	st      store.Store
	iam     *iam.Service
	notify  *notify.Notifier
	trail   *trail.Recorder
	svc     *Service
	root    *rootuser.Service
	account string
	client  Client
}

type envOpt struct {
	cost    *password.Params
	notify  notify.Config
	options []rootuser.Option
	store   func(testing.TB) store.Store
	// eventLog is where the trail recorder writes; the store's own event log when nil.
	eventLog func(store.Store) store.EventLog
}

// backend is a store to run a test on.
type backend struct {
	name string
	open func(testing.TB) store.Store
}

// backends are SQLite, and PostgreSQL when ROOTWARD_TEST_POSTGRES is set: the concurrency tests
// run on both whatever ROOTWARD_TEST_BACKEND says, because atomic counters are the point of them.
func backends() []backend {
	out := []backend{{"sqlite", func(t testing.TB) store.Store {
		st, err := sqlite.Open(filepath.Join(t.TempDir(), "rootward.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}}}
	if dsn := os.Getenv("ROOTWARD_TEST_POSTGRES"); dsn != "" {
		out = append(out, backend{"postgres", func(t testing.TB) store.Store {
			st, err := postgres.Open(context.Background(), pgtest.FreshSchema(t, dsn))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			return st
		}})
	}
	return out
}

func onBackend(b backend) func(*envOpt) { return func(o *envOpt) { o.store = b.open } }

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
	root, err := rootuser.New(rootuser.Config{IAM: is, Notifier: n, Trail: rec, ConsoleURL: consoleURL},
		append([]rootuser.Option{rootuser.WithClock(clk.Now), rootuser.WithLogger(quiet)}, o.options...)...)
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last-in first-out: background mail finishes before the recorder and the store close.
	t.Cleanup(root.Drain)
	svc, err := New(Config{IAM: is, Root: root, Trail: rec}, WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	acct, err := is.CreateAccount(ctx, "Example Prod", rootEmail, rootPass)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, clock: clk, st: st, iam: is, notify: n, trail: rec, svc: svc, root: root, account: acct.ID,
		client: Client{SourceIP: "203.0.113.7", UserAgent: "test-browser"}}
}

// enrolTOTP creates and enables a virtual device for the principal and returns its seed and serial.
func (e *env) enrolTOTP(account, user, name string) (seed, serial string) {
	e.t.Helper()
	enr, err := e.root.CreateTOTPDevice(e.ctx, account, user, name, e.client)
	if err != nil {
		e.t.Fatal(err)
	}
	now := e.clock.Now()
	if err := e.root.EnableTOTPDevice(e.ctx, account, user, enr.Serial, testutil.TOTPCode(e.t, enr.Seed, now.Add(-30*time.Second)), testutil.TOTPCode(e.t, enr.Seed, now), e.client); err != nil {
		e.t.Fatal(err)
	}
	return enr.Seed, enr.Serial
}

// signInRoot signs in with the root password and expects step want.
func (e *env) signInRoot(want Step) *Pending {
	e.t.Helper()
	p, err := e.svc.BeginRootSignIn(e.ctx, rootEmail, rootPass, e.client)
	if err != nil {
		e.t.Fatal(err)
	}
	if p.Next != want {
		e.t.Fatalf("next step = %s, want %s", p.Next, want)
	}
	return p
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
	_, ok := rootuser.RetryAfter(err)
	return ok
}

// principal signs the root user in (postponing MFA registration) and returns the principal.
func (e *env) principal() *Principal {
	e.t.Helper()
	p := e.signInRoot(StepMFARegistration)
	done, err := e.svc.SkipMFARegistration(e.ctx, p.Token, e.client)
	if err != nil {
		e.t.Fatal(err)
	}
	return done.Principal
}
