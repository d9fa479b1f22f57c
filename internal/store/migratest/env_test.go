package migratest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// The fixture files under testdata.
const (
	sqliteFixture   = "testdata/rootward.db"
	postgresFixture = "testdata/postgres.sql"
	handlesFile     = "testdata/handles.json"
	masterKeyFile   = "testdata/master.key"
	goldenDir       = "testdata/golden"
)

// consoleURL is the console's address the fixture's root-user service ran at; WebAuthn credentials
// are bound to its host.
const consoleURL = "https://console.fixture.test"

// handles are what the generator wrote and the test needs to name entities with: random IDs, and
// the tokens that stand for secrets the store keeps only hashed. It is written by the generator
// beside the fixtures (testdata/handles.json).
type handles struct {
	// Now is the generator's clock when it finished; the test reads at the same instant, so that
	// expiries and "last used" ages read the same.
	Now time.Time

	Management, Member, Invited, Standalone string // account IDs
	Organization, Root                      string
	OUs                                     []string
	SCPs                                    []string
	Handshakes                              []string
	CreateAccountRequest                    string

	AccessKeys []string // IAM users' and the root user's access key IDs
	Sessions   []session
	Policies   []string // customer managed policy ARNs

	PasswordResetToken string
	EmailChangeToken   string
	ClaimToken         string
	MFARecoveryToken   string
}

// session is an STS session's key ID and its token (kept hashed in the store).
type session struct{ ID, Token string }

// services are the domain services over one store, as serve wires them, on a fixed clock.
type services struct {
	st     store.Store
	clock  *testutil.Clock
	iam    *iam.Service
	orgs   *orgs.Service
	root   *rootuser.Service
	notify *notify.Notifier
	trail  *trail.Recorder
}

// newServices builds the domain services over st with the fixture's master key and the clock at
// now. The recorder and background mail are drained when the test ends.
func newServices(t testing.TB, st store.Store, now time.Time) *services {
	t.Helper()
	raw, err := os.ReadFile(masterKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	key, err := seal.DecodeKey(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	clk := testutil.NewClock(now)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	is := iam.New(st, sealer, iam.WithClock(clk.Now), iam.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1}))
	n, err := notify.New(st, sealer, notify.Config{}, notify.WithClock(clk.Now), notify.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	rec := trail.NewRecorder(st, quiet)
	t.Cleanup(rec.Close)
	org := orgs.New(is, orgs.WithClock(clk.Now))
	root, err := rootuser.New(rootuser.Config{IAM: is, Notifier: n, Trail: rec, ConsoleURL: consoleURL},
		rootuser.WithClock(clk.Now), rootuser.WithLogger(quiet),
		rootuser.WithRecoveryPolicy(func(ctx context.Context, a *iam.Account) (bool, error) {
			return org.RootRecoveryAllowed(ctx, a.ID)
		}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(root.Drain)
	return &services{st: st, clock: clk, iam: is, orgs: org, root: root, notify: n, trail: rec}
}

func readHandles(t testing.TB) *handles {
	t.Helper()
	b, err := os.ReadFile(handlesFile)
	if err != nil {
		t.Fatal(err)
	}
	var h handles
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return &h
}
