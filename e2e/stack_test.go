package e2e_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/httpmux"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/portal"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/signin"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// stack is an in-process Rootward for the Identity Center and Multi-party approval browser tests:
// IAM, Organizations, Identity Center, the access portal, Multi-party approval (which the root
// console sign-in asks), the API server and the console, on one started httptest server whose URL
// names localhost (WebAuthn needs a host name).
type stack struct {
	url       string
	st        store.Store
	svc       *iam.Service
	org       *orgs.Service
	ic        *identitycenter.Service
	portal    *portal.Service
	approvals *mpa.Service
}

// newStack starts a stack on the test's backend; portalNow, when set, is the access portal's clock.
func newStack(t *testing.T, portalNow func() time.Time) *stack {
	t.Helper()
	st := testbackend.Open(t)
	sealer := testutil.Sealer(t)
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cheap := password.Params{Memory: 64, Time: 1, Threads: 1}
	s := &stack{st: st, svc: iam.New(st, sealer, iam.WithPasswordCost(cheap))}
	rec := trail.NewRecorder(st, log)
	t.Cleanup(rec.Close)
	s.org = orgs.New(s.svc)
	s.ic = identitycenter.New(s.svc, s.org, identitycenter.WithPasswordCost(cheap))
	t.Cleanup(s.ic.Wait)

	var mux http.Handler // set before the server starts
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { mux.ServeHTTP(w, r) }))
	s.url = "http://localhost:" + strings.TrimPrefix(hs.Listener.Addr().String(), "127.0.0.1:")
	n, err := notify.New(st, sealer, notify.Config{}, notify.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	root, err := rootuser.New(rootuser.Config{IAM: s.svc, Notifier: n, Trail: rec, ConsoleURL: s.url + "/console"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(root.Drain)
	if s.portal, err = portal.New(portal.Config{Store: st, Trail: rec, Counters: root.Counters(), IC: s.ic, IAM: s.svc, Notifier: n,
		PublicURL: s.url, Now: portalNow}); err != nil {
		t.Fatal(err)
	}
	s.approvals = mpa.New(mpa.Config{Store: st, Directory: mpa.ICDirectory{IC: s.ic, Region: "us-east-1"}, Orgs: s.org, Trail: rec,
		Notifier: n, IAM: s.svc, Sealer: sealer, PortalURL: s.url + "/approvals", ConsoleURL: s.url + "/console", Log: log})
	api := server.New(server.Config{IAM: s.svc, Orgs: s.org, Trail: rec, Logger: log, Root: root, IdentityCenter: s.ic, Portal: s.portal,
		MPA: s.approvals})
	si, err := signin.New(signin.Config{IAM: s.svc, Root: root, Trail: rec, Approvals: s.approvals})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := console.New(console.Config{IAM: s.svc, Root: root, SignIn: si, Orgs: s.org, Runner: api.Runner(), Logger: log,
		PublicURL: s.url, Portal: s.portal, MPA: s.approvals})
	if err != nil {
		t.Fatal(err)
	}
	mux = httpmux.New(httpmux.Config{API: api, Metrics: api.Metrics(), Console: ch})
	hs.Start()
	t.Cleanup(hs.Close)
	return s
}
