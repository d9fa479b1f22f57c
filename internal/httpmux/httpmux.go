// Package httpmux is what one Rootward address serves: the web console under /console, the health
// and metrics endpoints, and the AWS APIs for everything else. It routes handlers it is given and
// knows neither the console nor the API server, which never know each other either: the console
// calls operations through internal/api, not over HTTP.
package httpmux

import (
	"io"
	"net/http"
	"net/netip"
	"strings"

	"github.com/rootward/rootward/internal/clientaddr"
)

// Config is what the address serves.
type Config struct {
	// API answers every request no other route takes: the AWS APIs, whose clients sign any path
	// and method they like (required).
	API http.Handler
	// Console, when set, serves /console and everything under it; a browser's plain GET of / is
	// then redirected there.
	Console http.Handler
	// Metrics, when set, answers GET /metrics (Prometheus).
	Metrics http.Handler
	// SNS, when set, answers GET and HEAD under /sns/: the SNS signing certificate a message's
	// SigningCertURL names, and the SubscribeURL and UnsubscribeURL links (internal/sns). They
	// carry no SigV4, so they cannot be API calls; every other method there goes to the API.
	SNS http.Handler
	// Issuers, when set, answers GET and HEAD under /oidc/: the discovery documents and JWKS of
	// the accounts' outbound identity federation issuers (internal/iam/outbound.go), which the
	// external services that verify GetWebIdentityToken's tokens fetch unsigned.
	Issuers http.Handler
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is believed (internal/clientaddr);
	// the client address is resolved once here, for the console and the API alike.
	TrustedProxies []netip.Prefix
}

// New returns the handler of one address.
//
// It is a switch on the path rather than an http.ServeMux on purpose: a ServeMux answers every
// path that is not in canonical form ("//x", "/a/../b") with a redirect of its own, and the API's
// clients must get the API's answer (an AWS error in their protocol) whatever path they signed.
func New(cfg Config) http.Handler {
	addrs := clientaddr.New(cfg.TrustedProxies)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = addrs.With(r)
		path := r.URL.Path
		switch {
		case path == "/healthz":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "ok\n")
		case path == "/metrics" && r.Method == http.MethodGet && cfg.Metrics != nil:
			cfg.Metrics.ServeHTTP(w, r)
		case cfg.Console != nil && (path == "/console" || strings.HasPrefix(path, "/console/")):
			cfg.Console.ServeHTTP(w, r)
		case cfg.Console != nil && portalPage(path) && r.Header.Get("Authorization") == "":
			// IAM Identity Center's access portal: the start URL, the device verification page and
			// the approval portal.
			cfg.Console.ServeHTTP(w, r)
		case cfg.SNS != nil && strings.HasPrefix(path, "/sns/") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			cfg.SNS.ServeHTTP(w, r)
		case cfg.Issuers != nil && strings.HasPrefix(path, "/oidc/") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			cfg.Issuers.ServeHTTP(w, r)
		case cfg.Console != nil && path == "/" && browserVisit(r):
			http.Redirect(w, r, "/console/", http.StatusFound)
		default:
			cfg.API.ServeHTTP(w, r)
		}
	})
}

// browserVisit reports whether a request for / is a person's: API calls to / always carry SigV4,
// in the Authorization header or a presigned query, so only a bare GET is a browser's.
func browserVisit(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.RawQuery == "" && r.Header.Get("Authorization") == ""
}

// portalPage reports whether path is one of the access portal's pages, which the console serves:
// PUBLIC_URL/start and below, PUBLIC_URL/device, and Multi-party approval's approval portal,
// PUBLIC_URL/approvals and below (no API Rootward serves has such a path; a
// signed request for one goes to the API).
func portalPage(path string) bool {
	return path == "/start" || strings.HasPrefix(path, "/start/") || path == "/device" ||
		path == "/approvals" || strings.HasPrefix(path, "/approvals/")
}
