// Package console is Rootward's web console: server-rendered HTML pages (templates and assets
// embedded in the binary) for signing in as an account's root user or as an IAM user, for the first-run
// claim of a new installation, for the root user's "Security credentials" page, for recovery, for
// the organization's root credential inventory (management and delegated administrator accounts),
// for the account's CloudTrail event history (the Events page), and for the compliance checks of
// the account and the organization with the credential report (the Compliance pages).
//
// It is a thin layer. The sign-in state machines, MFA, recovery and throttling are the rootuser
// service's; AWS operations a page shows or changes are typed operations of internal/api's services
// (iamapi, stsapi, orgsapi, cloudtrailapi), invoked through the API's Runner as the signed-in
// principal (api.Invoke, and api.Allowed to ask whether an action is allowed), so a console session
// can do exactly what the same principal could do with the AWS CLI, under the same policies, and
// leaves the same CloudTrail records. The few authorized actions the rootuser and signin services
// perform instead of an API operation are reachable only through guarded (guard.go), which decides
// each with api.Allowed first. The console does not know the HTTP API server: internal/httpmux
// mounts both on one address.
//
// Browser security, decided here once for every page:
//   - pages work without JavaScript; the only script is WebAuthn's, which cannot work without it;
//   - a Content-Security-Policy allows only this origin's script and style (no inline script), no
//     framing, and forms that post only back to this origin;
//   - every POST carries a CSRF token compared in constant time: bound to the session once signed in,
//     a double-submit cookie before;
//   - session cookies are HttpOnly and SameSite=Strict, Secure under TLS; sessions live in the store
//     (so several nodes share them and "sign out everywhere" reaches all), keyed by the SHA-256 of
//     the cookie, and end after an idle and an absolute timeout.
package console

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/alerts"
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/clientaddr"
	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/portal"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/signin"
	"github.com/rootward/rootward/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config configures the console.
type Config struct {
	IAM *iam.Service
	// Root runs the root user's MFA, recovery and root-credential flows.
	Root *rootuser.Service
	// SignIn runs console sign-in: root user and IAM users, their MFA step and pending sign-ins.
	SignIn *signin.Service
	// Store keeps console sessions and first-run claims; IAM's store when nil. The organization
	// page reads the CloudTrail records from it too, so it is the store the trail recorder writes.
	Store store.Store
	// Orgs serves the organization pages (the root credential inventory); without it they answer
	// that Organizations is not configured.
	Orgs *orgs.Service
	// Runner runs AWS operations as the signed-in principal (server.Server.Runner): the API's own
	// authorization, CloudTrail records and metrics.
	Runner *api.Runner
	Logger *slog.Logger
	// Now is the clock (time.Now when nil); tests inject one to cross timeouts without sleeping.
	Now func() time.Time
	// IdleTimeout ends a session nobody used for this long (default 15 minutes). AWS documents no
	// idle timeout for its console; Rootward adds one because a forgotten root session is the
	// costliest session there is.
	IdleTimeout time.Duration
	// RootSessionLifetime and UserSessionLifetime are the absolute timeouts. AWS's console signs
	// IAM users out after 12 hours by default; Rootward keeps root sessions to one hour, as AWS
	// does for root sign-ins [U: AWS's root figure is from its sign-in documentation, not an API].
	RootSessionLifetime time.Duration
	UserSessionLifetime time.Duration
	// SecureCookies forces the Secure attribute (behind a TLS-terminating proxy); cookies are
	// Secure anyway when the request came over TLS.
	SecureCookies bool
	// PublicURL is the console's origin ("https://rootward.example.com", no path), the one the
	// WebAuthn relying party is set up for. A page asked for under another host name (127.0.0.1,
	// an internal name) is redirected to the same path there, where passkeys work and the
	// cookies belong; a form posted to another host name is refused. Empty: every host is served
	// (tests). The API on the same listener answers on any host, since SigV4 signs the client's.
	PublicURL string
	// CLI is how the rootward commands that pages print start ("rootward", or
	// "go run ./cmd/rootward" while serve runs from go run); "rootward" when empty.
	CLI string
	// Alerts serves the root-activity alert's page (alerts.go); without it the page says so.
	Alerts *alerts.Service
	// Portal is IAM Identity Center's access portal (portal.go, at /start and /device); without
	// it those pages say it is not configured.
	Portal *portal.Service
	// MPA is Multi-party approval: the approval portal at /approvals and the requester's session
	// page (approvals.go); the root sign-in with password shares, the custodians' and the MFA
	// group's portal pages, and the cancel links of emergency sign-ins (rootapproval.go,
	// custody.go). Without it those pages say it is not configured.
	MPA *mpa.Service
}

// Handler serves the console under /console/.
type Handler struct {
	cfg Config
	// The services, narrowed to what is not an authorized action (guard.go says which and why);
	// the authorized actions are guard's. orgs is nil without Organizations.
	iam    iamFacts
	root   rootFlows
	signin signinFlows
	orgs   orgFacts
	guard  guarded
	st     store.Store
	run    *api.Runner
	log    *slog.Logger
	now    func() time.Time
	mux    *http.ServeMux
	pages  map[string]*template.Template
	// public is Config.PublicURL parsed; nil when every host is served.
	public *url.URL
	// alerts is the root-activity alert's page; nil without Config.Alerts.
	alerts *alertsPage
	// compliance reads the facts the Compliance pages evaluate.
	compliance complianceFacts
}

// New returns the console handler.
func New(cfg Config) (*Handler, error) {
	if cfg.IAM == nil || cfg.Root == nil || cfg.SignIn == nil || cfg.Runner == nil {
		return nil, errors.New("console: IAM, Root, SignIn and Runner are required")
	}
	h := &Handler{cfg: cfg, iam: cfg.IAM, root: cfg.Root, signin: cfg.SignIn, st: cfg.Store, run: cfg.Runner, log: cfg.Logger, now: cfg.Now,
		guard: guarded{run: cfg.Runner, root: cfg.Root, signin: cfg.SignIn}}
	if cfg.Orgs != nil {
		h.orgs = cfg.Orgs // a nil *orgs.Service in the interface would not compare equal to nil
	}
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("console: public URL %q must be a scheme and host such as https://rootward.example.com", cfg.PublicURL)
		}
		h.public = u
	}
	if h.cfg.CLI == "" {
		h.cfg.CLI = "rootward"
	}
	if h.st == nil {
		h.st = cfg.IAM.Store()
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.cfg.IdleTimeout == 0 {
		h.cfg.IdleTimeout = 15 * time.Minute
	}
	if h.cfg.RootSessionLifetime == 0 {
		h.cfg.RootSessionLifetime = time.Hour
	}
	if h.cfg.UserSessionLifetime == 0 {
		h.cfg.UserSessionLifetime = 12 * time.Hour
	}
	h.alerts = newAlertsPage(h, cfg.Alerts)
	g := compliance.NewGatherer(cfg.IAM, cfg.Root, cfg.Orgs)
	if cfg.MPA != nil {
		g.WithApproval(cfg.MPA.RootSignInProtection)
	}
	h.compliance = g
	var err error
	if h.pages, err = parsePages(); err != nil {
		return nil, err
	}
	h.routes()
	return h, nil
}

// csp is the Content-Security-Policy of every answer. img-src allows data: for the QR code of a new
// virtual MFA device, which is rendered inline so that its seed never sits at a URL.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", csp)
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	// Pages show secrets once (a new access key, an MFA seed): nothing may be cached.
	hd.Set("Cache-Control", "no-store")
	// Not for localhost or an IP address: a browser applies HSTS to every port of the host, and
	// would then refuse the plain-HTTP servers a developer runs there for a year.
	if h.secure(r) && !localHost(r.Host) {
		hd.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if h.public != nil && !sameHost(r.Host, h.public) {
		h.toPublicURL(w, r)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// toPublicURL sends a request made under another host name to the public URL. A GET or HEAD goes
// to the same path and query there with 302 Found: temporary, so that a browser does not keep the
// redirect after the operator changes --public-url. Anything else is refused, not redirected: a
// form posted here came from a page served under the wrong host, and re-posting it elsewhere
// would act without the user seeing where.
func (h *Handler) toPublicURL(w http.ResponseWriter, r *http.Request) {
	target := h.public.Scheme + "://" + h.public.Host + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	h.renderError(w, r, http.StatusMisdirectedRequest, "The console is served at "+h.public.Scheme+"://"+h.public.Host+"/console/: open it there and try again.")
}

// localHost reports whether a Host header names localhost or an IP address.
func localHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || net.ParseIP(host) != nil
}

// sameHost reports whether a request's Host header names the public URL's host and port; host
// names compare without case, and a missing port is the scheme's default.
func sameHost(reqHost string, public *url.URL) bool {
	port := public.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[public.Scheme]
	}
	rh, rp, err := net.SplitHostPort(reqHost)
	if err != nil {
		rh, rp = strings.Trim(reqHost, "[]"), map[string]string{"http": "80", "https": "443"}[public.Scheme]
	}
	return strings.EqualFold(rh, public.Hostname()) && rp == port
}

func (h *Handler) secure(r *http.Request) bool { return r.TLS != nil || h.cfg.SecureCookies }

func (h *Handler) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/", http.StatusFound)
	})
	m.HandleFunc("GET /console/{$}", h.index)
	h.signinRoutes(m)
	h.accountRoutes(m)
	h.organizationRoutes(m)
	h.alertsRoutes(m)
	h.eventsRoutes(m)
	h.complianceRoutes(m)
	h.portalRoutes(m)
	h.icUsersRoutes(m)
	h.identitySourceRoutes(m)
	m.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, http.StatusNotFound, "This page does not exist.")
	})
	h.mux = m
}

// index sends a signed-in person to the home page and anyone else to sign-in.
func (h *Handler) index(w http.ResponseWriter, r *http.Request) {
	if s, _ := h.session(r); s != nil {
		http.Redirect(w, r, "/console/home", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
}

// sourceIP is the browser's address: the connection's peer, or what a trusted reverse proxy says
// (internal/clientaddr; internal/httpmux resolves it before handing the request to the console).
// X-Forwarded-For from anyone else is ignored, since the client could set it.
func sourceIP(r *http.Request) string { return clientaddr.From(r) }
