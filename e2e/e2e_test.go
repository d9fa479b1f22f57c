// Package e2e runs the console's browser tests: an in-process Rootward (API server, console,
// root-user service) on a loopback port, and console.mjs driving Debian's headless Chromium through
// playwright-core against it. jssdk_test.go also runs the AWS SDK for JavaScript against the built
// rootward binary. The test skips, saying why, when /usr/bin/chromium, node or
// e2e/node_modules is missing, and fails instead under CI=true or ROOTWARD_REQUIRE_BROWSER (.ci/run
// installs them; `make test` runs npm ci when npm is there).
//
// go test ./e2e -screenshots refreshes docs/screenshots/ with the pages the run visits.
package e2e_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/httpmux"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/signin"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

var screenshots = flag.Bool("screenshots", false, "write the screenshots to docs/screenshots/ instead of a temporary directory")

const chromium = "/usr/bin/chromium"

// prerequisites returns why the browser test cannot run here, or "".
func prerequisites() string {
	if _, err := os.Stat(chromium); err != nil {
		return chromium + " is missing (apt-get install chromium)"
	}
	if _, err := exec.LookPath("node"); err != nil {
		return "node is missing (apt-get install nodejs)"
	}
	if _, err := os.Stat("node_modules/playwright-core/package.json"); err != nil {
		return "e2e/node_modules is missing (run npm ci in e2e/)"
	}
	return ""
}

// requireBrowser skips the test, saying why, when the browser cannot run here. CI installs
// everything (.ci/run sets CI=true): there, and under ROOTWARD_REQUIRE_BROWSER, a missing piece is
// a failure, not a reason to skip the tests that drive a real browser.
func requireBrowser(t *testing.T) {
	t.Helper()
	if why := prerequisites(); why != "" {
		if os.Getenv("CI") != "" || os.Getenv("ROOTWARD_REQUIRE_BROWSER") != "" {
			t.Fatal("browser test cannot run: " + why)
		}
		t.Skip("browser test skipped: " + why)
	}
}

func TestConsoleInChromium(t *testing.T) {
	requireBrowser(t)
	ctx := context.Background()
	// SQLite, or PostgreSQL under ROOTWARD_TEST_BACKEND=postgres, as the other suites.
	st := testbackend.Open(t)
	sealer := testutil.Sealer(t)
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := iam.New(st, sealer, iam.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1}))
	rec := trail.NewRecorder(st, log)
	t.Cleanup(rec.Close)

	org := orgs.New(svc)
	var ch http.Handler
	api := server.New(server.Config{IAM: svc, Orgs: org, Trail: rec, Logger: log})
	// The console and the API on one address, as serve mounts them.
	hs := httptest.NewUnstartedServer(httpmux.New(httpmux.Config{API: api, Metrics: api.Metrics(),
		Console: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ch.ServeHTTP(w, r) })}))
	// WebAuthn's relying party ID must be a host name: the browser uses localhost, not 127.0.0.1,
	// and the console sends a browser that came by 127.0.0.1 there, as serve --public-url does.
	port := strings.TrimPrefix(hs.Listener.Addr().String(), "127.0.0.1:")
	url := "http://localhost:" + port
	n, err := notify.New(st, sealer, notify.Config{}, notify.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	root, err := rootuser.New(rootuser.Config{IAM: svc, Notifier: n, Trail: rec, ConsoleURL: url + "/console"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(root.Drain)
	si, err := signin.New(signin.Config{IAM: svc, Root: root, Trail: rec})
	if err != nil {
		t.Fatal(err)
	}
	if ch, err = console.New(console.Config{IAM: svc, Root: root, SignIn: si, Orgs: org, Runner: api.Runner(), Logger: log, PublicURL: url}); err != nil {
		t.Fatal(err)
	}
	hs.Start()
	t.Cleanup(hs.Close)

	const email, pw = "owner@browser.example", "Tangerine-Walrus-42"
	acct, err := svc.CreateAccount(ctx, "browser-test", email, pw)
	if err != nil {
		t.Fatal(err)
	}
	manageOrganization(t, svc, org, acct.ID)
	// A second account as `rootward serve` creates it, unclaimed: the browser claims it.
	unclaimed, err := svc.CreateAccount(ctx, "claim-test", "root@rootward.invalid", "")
	if err != nil {
		t.Fatal(err)
	}
	claim, err := console.CreateClaim(ctx, st, unclaimed.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	// The script reads the messages Rootward "sent" (no mail server or SMS webhook here: they stay
	// in the outbox) through this loopback endpoint: the newest message to an address for a purpose.
	outbox := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		root.Drain()
		got, err := n.Outbox(r.Context(), notify.Query{To: r.URL.Query().Get("to"), Purpose: r.URL.Query().Get("purpose")})
		if err != nil || len(got) == 0 {
			http.Error(w, "no such message", http.StatusNotFound)
			return
		}
		_, _ = io.WriteString(w, got[len(got)-1].Body)
	}))
	t.Cleanup(outbox.Close)

	dir := t.TempDir()
	if *screenshots {
		if dir, err = filepath.Abs("../docs/screenshots"); err != nil {
			t.Fatal(err)
		}
	}
	runCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, "node", "console.mjs")
	cmd.Env = append(os.Environ(), "ROOTWARD_URL="+url, "ROOTWARD_IP_URL=http://127.0.0.1:"+port, "ROOTWARD_ROOT_EMAIL="+email, "ROOTWARD_ROOT_PASSWORD="+pw,
		"ROOTWARD_SCREENSHOTS="+dir, "ROOTWARD_CLAIM_URL="+url+console.ClaimPath(claim), "ROOTWARD_OUTBOX_URL="+outbox.URL)
	out, err := cmd.CombinedOutput()
	t.Logf("console.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
	if d, err := root.AccountDetails(ctx, unclaimed.ID); err != nil || d.Email != "ops@claim.example" || d.Phone != "+15555550123" {
		t.Errorf("claimed account: %+v, %v; want email ops@claim.example and phone +15555550123", d, err)
	}
	for _, name := range []string{"01-signin", "04-totp-qr", "07-security-credentials", "09-home-root-key-banner", "11-organization-root-access", "14-recovery-in-progress-banner", "17-compliance", "18-compliance-organization"} {
		if fi, err := os.Stat(filepath.Join(dir, name+".png")); err != nil || fi.Size() < 1000 {
			t.Errorf("screenshot %s missing or empty: %v", name, err)
		}
	}
}

// manageOrganization makes the browser's account the management account of an organization with
// centralized root access, and one member whose root user still has a password and an access key,
// for the organization's root access page.
func manageOrganization(t *testing.T, svc *iam.Service, org *orgs.Service, mgmt string) {
	t.Helper()
	ctx := context.Background()
	if _, err := org.CreateOrganization(ctx, mgmt, orgs.FeatureSetAll); err != nil {
		t.Fatal(err)
	}
	if err := org.EnableAWSServiceAccess(ctx, mgmt, orgs.IAMService); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{orgs.FeatureRootCredentialsManagement, orgs.FeatureRootSessions} {
		if _, err := org.SetRootAccessFeature(ctx, mgmt, f, true); err != nil {
			t.Fatal(err)
		}
	}
	st, err := org.CreateAccount(ctx, mgmt, orgs.CreateAccountInput{Email: "legacy@browser.example", AccountName: "legacy"})
	if err == nil {
		st, err = org.DescribeCreateAccountStatus(ctx, mgmt, st.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetRootPassword(ctx, st.AccountID, "Zq7!vR2#kLp9@wX4"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateRootAccessKey(ctx, st.AccountID); err != nil {
		t.Fatal(err)
	}
}

// testWriter sends the server's log to the test's.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
