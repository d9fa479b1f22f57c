package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rootward/rootward/internal/accessadvisor"
	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/clientaddr"
	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/httpmux"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/portal"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/signin"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
	"github.com/spf13/cobra"
)

func serveCmd() *cobra.Command {
	var (
		d          dataFlags
		addr       string
		publicURL  string
		consoleURL string
		tlsCert    string
		tlsKey     string
		proxies    []string
		nf         notify.Flags
		retention  time.Duration
		tf         trailFlags
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve IAM, STS and the web console (and the health endpoint) on one address",
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := slog.New(slog.NewTextHandler(os.Stderr, nil))
			gcPace()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			trusted, err := clientaddr.ParsePrefixes(proxies)
			if err != nil {
				return fmt.Errorf("--trusted-proxy: %w", err)
			}
			if publicURL == "" {
				publicURL = consoleURL
			}
			// Every flag is checked before the data directory is touched.
			tlsConf, err := loadTLS(tlsCert, tlsKey)
			if err != nil {
				return &exitCode{2, err}
			}
			if err := checkRetention(retention); err != nil {
				return &exitCode{2, err}
			}
			if err := tf.check(); err != nil {
				return &exitCode{2, err}
			}
			if publicURL != "" {
				if _, err := publicOrigin(publicURL, tlsConf != nil); err != nil {
					return &exitCode{2, err}
				}
			}
			svc, st, err := d.open(ctx, true)
			if err != nil {
				return err
			}
			defer st.Close()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			// One URL everywhere: the console, the claim link and the AWS CLI's endpoint (the API
			// answers on any host name, and SigV4 signs the one the client used).
			base, err := consoleBase(publicURL, ln.Addr(), tlsConf != nil)
			if err != nil {
				return &exitCode{2, err}
			}
			endpoint := base
			first, err := svc.ClaimInstallation(ctx)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if first {
				acct, _, k, err := bootstrap(ctx, svc, "rootward", iam.PlaceholderRootEmail, "", "admin")
				if err != nil {
					return err
				}
				credPath, _ := filepath.Abs(filepath.Join(d.dir, "credentials"))
				if err := writeCredentials(credPath, k.AccessKeyID, k.Secret); err != nil {
					return err
				}
				dataAbs, _ := filepath.Abs(d.dir)
				fmt.Fprintf(out, "Rootward initialised a new data directory.\n")
				fmt.Fprintf(out, "  Account ID:   %s\n  Endpoint:     %s\n  Credentials:  %s (profile rootward, user admin, AdministratorAccess)\n", acct.ID, endpoint, credPath)
				fmt.Fprintf(out, "Try it:\n  %sAWS_SHARED_CREDENTIALS_FILE=%s aws --profile rootward --region us-east-1 --endpoint-url %s sts get-caller-identity\n",
					caBundleHint(tlsConf, tlsCert, base), shellQuote(credPath), endpoint)
				// First-run claim: whoever opens this link first, within 24 hours, sets the root
				// user's email and password in the console.
				tok, err := console.CreateClaim(ctx, st, acct.ID, time.Now())
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "Claim the root user (set its email and password; one-time link, valid 24 hours):\n  %s%s\n", base, console.ClaimPath(tok))
				fmt.Fprintf(out, "Or give the root user a password here:\n  %s root set-password --data %s\n", cli, shellQuote(dataAbs))
			} else {
				n, err := svc.AccountCount(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "Rootward serving %d account(s) at %s\n", n, endpoint)
				// The first-run link may have expired or been lost: say how to get another.
				if a, err := svc.UnclaimedAccount(ctx); err != nil {
					return err
				} else if a != nil {
					dataAbs, _ := filepath.Abs(d.dir)
					fmt.Fprintf(out, "The root user of account %s is not claimed yet. For a new one-time claim link:\n  %s root claim-link --data %s --public-url %s\n", a.ID, cli, shellQuote(dataAbs), base)
				}
			}
			fmt.Fprintf(out, "Console: %s/console/\n", base)
			// Only a loopback listener's clients are known to reach it as localhost; on another
			// address, without --public-url, the console serves every host name rather than send
			// a remote browser to its own localhost.
			redirect := publicURL != "" || loopback(ln.Addr())
			if !redirect {
				fmt.Fprintf(out, "Passkeys work only at %s: pass --public-url with the name browsers use for this server.\n", base)
			}
			rec := trail.NewRecorder(st, log)
			// Closed after the HTTP server has drained, and before the store (deferred earlier), so
			// every event of a finished request is written.
			defer rec.Close()
			handler, root, si, con, w, err := consoleServices(&d, &nf, svc, st, rec, log, base, redirect, trusted)
			if err != nil {
				return err
			}
			// The watchers stop before the recorder closes (deferred above): what the trail
			// handed them is delivered or left queued in the store.
			defer w.start(ctx, log)()
			// Background mail (password-reset links) is sent before the recorder closes.
			defer root.Drain()
			go root.Run(ctx, time.Minute, log, si.Sweep, w.rootSignIns, w.portal)
			go sweepConsole(ctx, con, time.Hour, log)
			stopDelivery, err := startTrailDelivery(ctx, &d, &tf, svc, st, log)
			if err != nil {
				return err
			}
			defer stopDelivery()
			if retention > 0 {
				hourly := time.NewTicker(time.Hour)
				defer hourly.Stop()
				go expireTrail(ctx, rec, retention, hourly.C, time.Now, log)
			}
			srv := &http.Server{
				Handler:           handler,
				TLSConfig:         tlsConf,
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       30 * time.Second,
				WriteTimeout:      60 * time.Second,
				IdleTimeout:       120 * time.Second,
			}
			// On shutdown the listener stops accepting, connections without a request close at
			// once, and in-flight requests finish within the grace period below.
			new(quietConns).install(srv)
			errc := make(chan error, 1)
			go func() {
				if tlsConf != nil {
					// The certificate is in TLSConfig, loaded before anything was written.
					errc <- srv.ServeTLS(ln, "", "")
					return
				}
				errc <- srv.Serve(ln)
			}()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			// Finish in-flight requests before the store closes (deferred above).
			log.Info("shutting down")
			shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	d.register(cmd.Flags())
	nf.RegisterFlags(cmd.Flags())
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:4599", "listen address")
	cmd.Flags().StringSliceVar(&proxies, "trusted-proxy", nil, "a reverse proxy's address or CIDR range (repeatable, or a comma-separated list): only requests from it have their client address taken from X-Forwarded-For (the right-most entry outside the trusted ranges)")
	cmd.Flags().StringVar(&publicURL, "public-url", "", "the URL people and clients reach this server at, e.g. https://rootward.example.com (default: http(s)://localhost:PORT for a loopback or unspecified address): the banner prints it, the console redirects other host names to it, and its host is the WebAuthn relying party")
	cmd.Flags().StringVar(&consoleURL, "console-url", "", "the former name of --public-url")
	_ = cmd.Flags().MarkHidden("console-url")
	_ = cmd.Flags().MarkDeprecated("console-url", "use --public-url")
	cmd.Flags().StringVar(&tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; requires --tls-key")
	cmd.Flags().StringVar(&tlsKey, "tls-key", "", "the PEM private key of --tls-cert")
	tf.register(cmd)
	cmd.Flags().DurationVar(&retention, "trail-retention", defaultTrailRetention, "how long to keep event-history records (e.g. 2160h for 90 days; at least 24h), deleted hourly in the background once older; 0 keeps them forever")
	return cmd
}

// loadTLS loads the serving certificate of --tls-cert and --tls-key (both or neither); nil
// without them.
func loadTLS(certFile, keyFile string) (*tls.Config, error) {
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither for HTTP")
	}
	if certFile == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// caBundleHint is what the printed AWS CLI command needs before it to trust the server's
// certificate: nothing over HTTP or when this machine's roots verify it for the public host, and
// AWS_CA_BUNDLE naming the certificate file when it is self-signed (a certificate from a private
// CA needs that CA's file instead, which the note says).
func caBundleHint(conf *tls.Config, certFile, base string) string {
	if conf == nil || len(conf.Certificates) == 0 || conf.Certificates[0].Leaf == nil {
		return ""
	}
	c := conf.Certificates[0]
	inter := x509.NewCertPool()
	for _, der := range c.Certificate[1:] {
		if ic, err := x509.ParseCertificate(der); err == nil {
			inter.AddCert(ic)
		}
	}
	u, _ := url.Parse(base)
	leaf := c.Leaf
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: u.Hostname(), Intermediates: inter}); err == nil {
		return ""
	}
	if bytes.Equal(leaf.RawIssuer, leaf.RawSubject) && leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil {
		abs, err := filepath.Abs(certFile)
		if err != nil {
			abs = certFile
		}
		return "AWS_CA_BUNDLE=" + shellQuote(abs) + " "
	}
	return "AWS_CA_BUNDLE=<your CA's certificate file> "
}

// consoleBase is the scheme and host the server is reached at. WebAuthn needs a host name (an IP
// address is not a valid relying-party ID: Chromium answers "This is an invalid domain."), so a
// loopback or unspecified listener is named localhost, which browsers also treat as a secure
// context.
func consoleBase(flag string, addr net.Addr, tlsOn bool) (string, error) {
	if flag != "" {
		return publicOrigin(flag, tlsOn)
	}
	scheme := "http://"
	if tlsOn {
		scheme = "https://"
	}
	tcp, ok := addr.(*net.TCPAddr)
	if ok && (tcp.IP.IsLoopback() || tcp.IP.IsUnspecified()) {
		return scheme + "localhost:" + strconv.Itoa(tcp.Port), nil
	}
	return scheme + addr.String(), nil
}

// loopback reports whether a listener is reachable from this machine only.
func loopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// publicOrigin checks --public-url and returns it as the browser's origin spells it: scheme and
// host in lower case, without the scheme's default port, since the console's redirect, its Origin
// check and WebAuthn compare it with what the browser sends. The console lives at /console on
// that host, so a path is refused, and an http URL is refused when serve speaks HTTPS (the
// redirect would lead to a port that does not answer plain HTTP).
func publicOrigin(flag string, tlsOn bool) (string, error) {
	u, err := url.Parse(flag)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("--public-url %q must be a scheme and host such as https://rootward.example.com or http://localhost:4599, without a path", flag)
	}
	if tlsOn && u.Scheme == "http" {
		return "", fmt.Errorf("--public-url %q is http, but --tls-cert serves HTTPS: use https://%s", flag, u.Host)
	}
	host := strings.ToLower(u.Host)
	if port := u.Port(); (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		host = strings.ToLower(u.Hostname())
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
	}
	return u.Scheme + "://" + host, nil
}

// consoleServices builds the root-user service (with its notifier), the sign-in service over it,
// the API server and the console, and mounts both on one handler (internal/httpmux). The console
// calls operations through the API server's Runner, not over HTTP.
func consoleServices(d *dataFlags, nf *notify.Flags, svc *iam.Service, st store.Store, rec *trail.Recorder, log *slog.Logger, base string, redirect bool, trusted []netip.Prefix) (http.Handler, *rootuser.Service, *signin.Service, *console.Handler, *watchers, error) {
	rs, err := rootUserServices(d, nf, svc, st, rec, log, base)
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	root, org := rs.root, rs.org
	si, err := signin.New(signin.Config{IAM: svc, Root: root, Trail: rec, Approvals: rs.mpa})
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	w := newWatchers(st, rs, rec, log, base)
	w.rootSignIns = rs.mpa.SweepRootSignIns
	w.advisor = accessadvisor.New(accessadvisor.Config{Store: st, IAM: svc, Log: log})
	rec.Subscribe(w.advisor.Observe)
	if w.mon, err = newMonitoring(st, svc, rs, w.bus, rec, base, log); err != nil {
		return nil, nil, nil, nil, nil, err
	}
	// IAM Identity Center and its access portal (PUBLIC_URL/start, PUBLIC_URL/device, sso-oidc and
	// the portal API): one Identity Center service for the API and the portal.
	ic := rs.ic
	pt, err := portal.New(portal.Config{Store: st, Trail: rec, Counters: root.Counters(), IC: ic, IAM: svc, Notifier: rs.notifier, PublicURL: base})
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	w.portal = pt.Sweep
	srv := server.New(server.Config{
		IAM: svc, Orgs: org, Logger: log, Trail: rec, RootMFAGuard: root.CheckRootDeviceRemoval, MFALocked: root.MFALocked,
		TrustedProxies: trusted, EventBridge: w.bus, SNS: w.sns, GuardDuty: w.mon.guardDuty, AccessAdvisor: w.advisor, Root: root, AWSConfig: w.mon.config, SecurityHub: w.mon.securityHub, Advisor: w.mon.advisor,
		MPA:            rs.mpa,
		IdentityCenter: ic, Portal: pt,
	})
	if err := registerStoreMetrics(srv, st); err != nil {
		return nil, nil, nil, nil, nil, err
	}
	cc := console.Config{IAM: svc, Root: root, SignIn: si, Orgs: org, Runner: srv.Runner(), Logger: log,
		SecureCookies: strings.HasPrefix(base, "https://"), CLI: consoleCLI(), Alerts: w.mon.alerts, Portal: pt, MPA: rs.mpa}
	if redirect {
		cc.PublicURL = base
	}
	ch, err := console.New(cc)
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	// Outbound identity federation's issuers live at PUBLIC_URL/oidc/<uuid>.
	svc.SetPublicURL(base)
	mux := httpmux.New(httpmux.Config{API: srv, Console: ch, Metrics: srv.Metrics(), SNS: w.sns.CertHandler(), Issuers: iamapi.IssuerHandler(svc, log), TrustedProxies: trusted})
	return mux, root, si, ch, w, nil
}

// sweepConsole runs the console's housekeeping (console.Handler.Sweep) every interval until ctx ends.
func sweepConsole(ctx context.Context, con *console.Handler, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if n, err := con.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Error("console housekeeping", "err", err)
		} else if n > 0 {
			log.Info("console housekeeping", "removed", n)
		}
	}
}

// defaultTrailRetention is how long serve keeps event-history records: 90 days, as CloudTrail's
// event history does (CloudTrail User Guide, "Working with CloudTrail event history",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events.html).
const defaultTrailRetention = 90 * 24 * time.Hour

// trailExpireBatch bounds the events one retention transaction deletes, so a trail write waits at
// most for one batch.
const trailExpireBatch = 500

// checkRetention refuses a negative --trail-retention, and one under a day: a slip such as 90m for
// 90 days would delete the audit trail.
func checkRetention(d time.Duration) error {
	if d < 0 || (d > 0 && d < 24*time.Hour) {
		return fmt.Errorf("--trail-retention %s must be 0 (keep every record) or at least 24h (e.g. 2160h for 90 days)", d)
	}
	return nil
}

// expireTrail deletes the event-history records older than retention now and then at every tick
// until ctx ends, in transactions of trailExpireBatch deletions each (trail.Recorder.Expire).
func expireTrail(ctx context.Context, rec *trail.Recorder, retention time.Duration, tick <-chan time.Time, now func() time.Time, log *slog.Logger) {
	for {
		n, err := rec.Expire(ctx, now().Add(-retention), trailExpireBatch)
		if err != nil && ctx.Err() == nil {
			log.Error("event history retention", "deleted", n, "err", err)
		} else if n > 0 {
			log.Info("event history retention", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}

// rootServices are the root-user service, Organizations over IAM, and the sealer and notifier they
// use, which the watchers (watchers.go) share.
type rootServices struct {
	root     *rootuser.Service
	org      *orgs.Service
	sealer   *seal.Sealer
	notifier *notify.Notifier
	// mpa is Multi-party approval, which the root user's protected console operations and the API
	// server's protected operations ask; its approvers are users of ic.
	mpa *mpa.Service
	// ic is IAM Identity Center, one service for the API, the access portal and mpa's directory.
	ic *identitycenter.Service
}

// rootUserServices builds the root-user service (with its notifier) over Organizations, as serve and
// the root-user commands use it.
func rootUserServices(d *dataFlags, nf *notify.Flags, svc *iam.Service, st store.Store, rec *trail.Recorder, log *slog.Logger, base string) (*rootServices, error) {
	key, err := d.masterKey(false)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	sealer, err := seal.New(key)
	if err != nil {
		return nil, err
	}
	ncfg, err := nf.Config(nil)
	if err != nil {
		return nil, err
	}
	n, err := notify.New(st, sealer, ncfg, notify.WithLogger(log))
	if err != nil {
		return nil, err
	}
	org := orgs.New(svc)
	ic := identitycenter.New(svc, org)
	var root *rootuser.Service
	approvals := mpa.New(mpa.Config{Store: st, Orgs: org, Trail: rec, Notifier: n, IAM: svc, Sealer: sealer, PortalURL: base + "/approvals", Log: log,
		Directory: mpa.ICDirectory{IC: ic, Region: mpaRegion}, ConsoleURL: base + "/console",
		Contacts: func(ctx context.Context, account string) ([]string, error) {
			return breakGlassContacts(ctx, svc, root, account)
		}})
	root, err = rootuser.New(rootuser.Config{IAM: svc, Notifier: n, Trail: rec, ConsoleURL: base + "/console", CLI: consoleCLI()},
		append(orgRootOptions(org), rootuser.WithApproval(approvals.RootApproval))...)
	if err != nil {
		return nil, err
	}
	return &rootServices{root: root, org: org, sealer: sealer, notifier: n, mpa: approvals, ic: ic}, nil
}

// orgRootOptions ties the root-user service to Organizations: a member whose root credentials are
// centrally managed cannot recover its root unless the management account allowed it.
func orgRootOptions(o *orgs.Service) []rootuser.Option {
	return []rootuser.Option{
		rootuser.WithRecoveryPolicy(func(ctx context.Context, a *iam.Account) (bool, error) {
			return o.RootRecoveryAllowed(ctx, a.ID)
		}),
	}
}

// publicBase checks a public base URL flag (scheme and host, an optional path) and returns it
// without a trailing slash.
func publicBase(flag string) (string, error) {
	u, err := url.Parse(flag)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q must be an absolute http(s) URL such as https://rootward.example.com", flag)
	}
	return strings.TrimSuffix(u.Scheme+"://"+u.Host+u.Path, "/"), nil
}
