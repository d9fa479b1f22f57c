package httpmux_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/clientaddr"
	"github.com/rootward/rootward/internal/httpmux"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestConsoleRouting sends requests to an address serving a stand-in console beside the real API
// server: the console gets /console and below, a browser's bare GET of / is sent there, and
// everything else — whatever its path — is an API call answered in the API's protocol.
func TestConsoleRouting(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	console := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("console:" + r.URL.Path))
	})
	sns := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("sns:" + r.URL.Path))
	})
	issuers := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("oidc:" + r.URL.Path))
	})
	hs := httptest.NewServer(httpmux.New(httpmux.Config{API: e.Server, Console: console, Metrics: e.Server.Metrics(), SNS: sns, Issuers: issuers}))
	defer hs.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		name       string
		method     string
		path       string
		header     string
		wantStatus int
		wantBody   string // prefix
		wantLoc    string
	}{
		{"bare GET of / goes to the console", http.MethodGet, "/", "", http.StatusFound, "", "/console/"},
		{"console root", http.MethodGet, "/console", "", http.StatusOK, "console:/console", ""},
		{"console page", http.MethodGet, "/console/signin", "", http.StatusOK, "console:/console/signin", ""},
		{"a path that merely starts with console is not the console", http.MethodGet, "/consoleX", "", http.StatusForbidden, "<ErrorResponse", ""},
		{"GET / with a query is an API call", http.MethodGet, "/?Action=ListUsers&Version=2010-05-08", "", http.StatusForbidden, "<ErrorResponse", ""},
		{"GET / with SigV4 is an API call", http.MethodGet, "/", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00", http.StatusBadRequest, "<ErrorResponse", ""},
		{"POST / is an API call", http.MethodPost, "/", "", http.StatusForbidden, "<ErrorResponse", ""},
		{"a path not in canonical form is an API call, not a redirect", http.MethodPost, "/a//b/../c", "", http.StatusForbidden, "<ErrorResponse", ""},
		{"health", http.MethodGet, "/healthz", "", http.StatusOK, "ok\n", ""},
		{"metrics", http.MethodGet, "/metrics", "", http.StatusOK, "# HELP", ""},
		{"SNS signing certificate", http.MethodGet, "/sns/SimpleNotificationService-1.pem", "", http.StatusOK, "sns:/sns/SimpleNotificationService-1.pem", ""},
		{"POST under /sns/ is an API call", http.MethodPost, "/sns/x", "", http.StatusForbidden, "<ErrorResponse", ""},
		{"/sns alone is an API call", http.MethodGet, "/sns", "", http.StatusForbidden, "<ErrorResponse", ""},
		{"an outbound federation issuer's JWKS", http.MethodGet, "/oidc/x/.well-known/jwks.json", "", http.StatusOK, "oidc:/oidc/x/.well-known/jwks.json", ""},
		{"POST under /oidc/ is an API call", http.MethodPost, "/oidc/x", "", http.StatusForbidden, "<ErrorResponse", ""},
		{"POST /metrics is an API call", http.MethodPost, "/metrics", "", http.StatusForbidden, "<ErrorResponse", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, hs.URL+tc.path, nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b strings.Builder
			_, _ = io.Copy(&b, resp.Body)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d (body %.200s)", resp.StatusCode, tc.wantStatus, b.String())
			}
			if !strings.HasPrefix(b.String(), tc.wantBody) {
				t.Errorf("body = %.200q, want prefix %q", b.String(), tc.wantBody)
			}
			if loc := resp.Header.Get("Location"); loc != tc.wantLoc {
				t.Errorf("Location = %q, want %q", loc, tc.wantLoc)
			}
		})
	}
}

// TestWithoutConsole: an address serving the API alone sends a browser's GET of / to the API.
func TestWithoutConsole(t *testing.T) {
	t.Parallel()
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("api:" + r.URL.Path))
	})
	for _, path := range []string{"/", "/console/", "/metrics"} {
		rec := httptest.NewRecorder()
		httpmux.New(httpmux.Config{API: api}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if got, want := rec.Body.String(), "api:"+path; rec.Code != http.StatusOK || got != want {
			t.Errorf("GET %s = %d %q, want 200 %q", path, rec.Code, got, want)
		}
	}
}

// TestClientAddress: the console and the API see the client address a trusted proxy gives, and
// the peer's when anyone else sends X-Forwarded-For.
func TestClientAddress(t *testing.T) {
	t.Parallel()
	seen := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(clientaddr.From(r)))
	})
	tests := []struct {
		name    string
		trusted []netip.Prefix
		path    string
		want    string
	}{
		{"console behind a trusted proxy", []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, "/console/signin", "198.51.100.7"},
		{"API behind a trusted proxy", []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, "/", "198.51.100.7"},
		{"console, header from an untrusted peer", nil, "/console/signin", "192.0.2.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := httpmux.New(httpmux.Config{API: seen, Console: seen, TrustedProxies: tc.trusted})
			req := httptest.NewRequest(http.MethodPost, tc.path, nil)
			req.RemoteAddr = "192.0.2.1:4000"
			req.Header.Set("X-Forwarded-For", "198.51.100.7")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if got := rec.Body.String(); got != tc.want {
				t.Errorf("client address = %q, want %q", got, tc.want)
			}
		})
	}
}
