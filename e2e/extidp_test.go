package e2e_test

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/httpmux"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/portal"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/signin"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/testidp"
	"github.com/rootward/rootward/internal/throttle"
	"github.com/rootward/rootward/internal/trail"
)

// TestExternalIdPInChromium: an Identity Center instance whose identity source is an external
// SAML identity provider — a tiny IdP page this test serves, which reads the AuthnRequest and
// answers it with testidp's signed response in an HTTP-POST form — and headless Chromium
// following the whole sign-in: PUBLIC_URL/start, the redirect to the IdP, its form posted to
// the ACS, on to the portal's account list (extidp.mjs).
func TestExternalIdPInChromium(t *testing.T) {
	requireBrowser(t)
	ctx := context.Background()
	st := testbackend.Open(t)
	sealer := testutil.Sealer(t)
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cost := password.Params{Memory: 64, Time: 1, Threads: 1}
	svc := iam.New(st, sealer, iam.WithPasswordCost(cost))
	rec := trail.NewRecorder(st, log)
	t.Cleanup(rec.Close)
	ic := identitycenter.New(svc, nil, identitycenter.WithPasswordCost(cost))

	var ch http.Handler
	var api *server.Server
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpmux.New(httpmux.Config{API: api, Metrics: api.Metrics(), Console: ch}).ServeHTTP(w, r)
	}))
	port := strings.TrimPrefix(hs.Listener.Addr().String(), "127.0.0.1:")
	base := "http://localhost:" + port
	p, err := portal.New(portal.Config{Store: st, Trail: rec, Counters: throttle.New(st, throttle.DefaultLimits, time.Now), IC: ic, IAM: svc, PublicURL: base})
	if err != nil {
		t.Fatal(err)
	}
	api = server.New(server.Config{IAM: svc, Trail: rec, Logger: log, Portal: p})
	n, err := notify.New(st, sealer, notify.Config{}, notify.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	root, err := rootuser.New(rootuser.Config{IAM: svc, Notifier: n, Trail: rec, ConsoleURL: base + "/console"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(root.Drain)
	si, err := signin.New(signin.Config{IAM: svc, Root: root, Trail: rec})
	if err != nil {
		t.Fatal(err)
	}
	if ch, err = console.New(console.Config{IAM: svc, Root: root, SignIn: si, Runner: api.Runner(), Logger: log, PublicURL: base, Portal: p}); err != nil {
		t.Fatal(err)
	}
	hs.Start()
	t.Cleanup(hs.Close)

	// Identity Center: alice, assigned ReadOnly in the account.
	acct, err := svc.CreateAccount(ctx, "extidp-test", "owner@extidp.example", "Tangerine-Walrus-42")
	if err != nil {
		t.Fatal(err)
	}
	in, err := ic.CreateInstance(ctx, acct.ID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := ic.CreateUser(ctx, acct.ID, in.IdentityStoreID, "test", identitycenter.UserAttributes{UserName: "alice", DisplayName: "Alice",
		Emails: []identitycenter.Email{{Value: "alice@extidp.example", Primary: true}}, Name: &identitycenter.Name{GivenName: "Alice", FamilyName: "Liddell"}})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := ic.CreatePermissionSet(ctx, acct.ID, in.ARN, "ReadOnly", identitycenter.PermissionSetInput{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ic.AttachManagedPolicy(ctx, acct.ID, in.ARN, ps.ARN, "arn:aws:iam::aws:policy/ReadOnlyAccess"); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.CreateAccountAssignment(ctx, acct.ID, in.ARN, ps.ARN, identitycenter.TargetAccount,
		identitycenter.Assignment{AccountID: acct.ID, PermissionSetARN: ps.ARN, PrincipalType: identitycenter.PrincipalUser, PrincipalID: u.UserID}); err != nil {
		t.Fatal(err)
	}
	ic.Wait()

	// The IdP's page, on localhost too (another port of the same site, so that the request's
	// browser cookie, SameSite=Lax over plain HTTP, comes back with the post).
	idp := testidp.New(t, "")
	idpSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/sso" {
			http.NotFound(w, r) // the browser's favicon
			return
		}
		req := testidp.ReadAuthnRequest(t, r.URL.String())
		resp := idp.SPResponse(t, testidp.Assertion{Subject: "alice", Audience: req.Issuer, Recipient: req.ACS, Destination: req.ACS,
			NameIDFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"}, req.ID, false)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Test IdP</title><h1>Test identity provider</h1>
<form method="post" action="%s"><input type="hidden" name="SAMLResponse" value="%s"><input type="hidden" name="RelayState" value="%s">
<button type="submit" id="idp-signin">Sign in as alice</button></form>`, html.EscapeString(req.ACS), html.EscapeString(resp), html.EscapeString(req.RelayState))
	}))
	t.Cleanup(idpSrv.Close)
	idpURL := "http://localhost:" + strings.TrimPrefix(idpSrv.Listener.Addr().String(), "127.0.0.1:") + "/sso"
	if _, err := ic.IdentitySource(ctx, acct.ID, in.ID); err != nil { // the SP key
		t.Fatal(err)
	}
	if _, err := ic.SetExternalIdP(ctx, acct.ID, in.ID, idp.MetadataAt(idpURL), "test"); err != nil {
		t.Fatal(err)
	}

	runCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, "node", "extidp.mjs")
	cmd.Env = append(os.Environ(), "ROOTWARD_URL="+base, "ROOTWARD_IDP_URL="+idpURL, "ROOTWARD_ACCOUNT="+acct.ID)
	out, err := cmd.CombinedOutput()
	t.Logf("extidp.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
}
