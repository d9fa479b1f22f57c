package e2e_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/testutil/testidp"
)

// TestExternalIdPInChromium: deviceEnv's organization instance, its identity source an external
// SAML identity provider — a tiny IdP page this test serves, which reads the AuthnRequest and
// answers it with testidp's signed response in an HTTP-POST form — and headless Chromium
// following the whole sign-in: PUBLIC_URL/start, the redirect to the IdP, its form posted to the
// ACS, on to the portal's account list with the member account's role (extidp.mjs).
func TestExternalIdPInChromium(t *testing.T) {
	requireBrowser(t)
	ctx := context.Background()
	e := newDeviceEnv(t)
	base := e.url

	// The IdP's page, on localhost too (another port of the same site, so that the request's
	// browser cookie, SameSite=Lax over plain HTTP, comes back with the post).
	idp := testidp.New(t, "")
	idpSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/sso" {
			http.NotFound(w, r) // the browser's favicon
			return
		}
		req := testidp.ReadAuthnRequest(t, r.URL.String())
		resp := idp.SPResponse(t, testidp.Assertion{Subject: e.userName, Audience: req.Issuer, Recipient: req.ACS, Destination: req.ACS,
			NameIDFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"}, req.ID, false)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Test IdP</title><h1>Test identity provider</h1>
<form method="post" action="%s"><input type="hidden" name="SAMLResponse" value="%s"><input type="hidden" name="RelayState" value="%s">
<button type="submit" id="idp-signin">Sign in</button></form>`, html.EscapeString(req.ACS), html.EscapeString(resp), html.EscapeString(req.RelayState))
	}))
	t.Cleanup(idpSrv.Close)
	idpURL := "http://localhost:" + strings.TrimPrefix(idpSrv.Listener.Addr().String(), "127.0.0.1:") + "/sso"
	if _, err := e.ic.IdentitySource(ctx, e.mgmt, e.instance); err != nil { // the SP key
		t.Fatal(err)
	}
	if _, err := e.ic.SetExternalIdP(ctx, e.mgmt, e.instance, idp.MetadataAt(idpURL), "test"); err != nil {
		t.Fatal(err)
	}

	runCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, "node", "extidp.mjs")
	cmd.Env = append(os.Environ(), "ROOTWARD_URL="+base, "ROOTWARD_IDP_URL="+idpURL, "ROOTWARD_ACCOUNT="+e.member, "ROOTWARD_USER="+e.userName)
	out, err := cmd.CombinedOutput()
	t.Logf("extidp.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
}
