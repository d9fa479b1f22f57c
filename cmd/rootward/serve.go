package main

import (
	"context"
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

	"github.com/rootward/rootward/internal/clientaddr"
	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
	"github.com/spf13/cobra"
)

func serveCmd() *cobra.Command {
	var (
		d          dataFlags
		addr       string
		consoleURL string
		proxies    []string
		nf         notify.Flags
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve IAM, STS and the web console (and the health endpoint) on one address",
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := slog.New(slog.NewTextHandler(os.Stderr, nil))
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			trusted, err := clientaddr.ParsePrefixes(proxies)
			if err != nil {
				return fmt.Errorf("--trusted-proxy: %w", err)
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
			endpoint := "http://" + ln.Addr().String()
			base, err := consoleBase(consoleURL, ln.Addr())
			if err != nil {
				return err
			}
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
				fmt.Fprintf(out, "Try it:\n  AWS_SHARED_CREDENTIALS_FILE=%s aws --profile rootward --region us-east-1 --endpoint-url %s sts get-caller-identity\n", credPath, endpoint)
				// First-run claim: whoever opens this link first, within 24 hours, sets the root
				// user's email and password in the console.
				tok, err := console.CreateClaim(ctx, st, acct.ID, time.Now())
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "Claim the root user (set its email and password; one-time link, valid 24 hours):\n  %s%s\n", base, console.ClaimPath(tok))
				fmt.Fprintf(out, "Or give the root user a password here:\n  rootward root set-password --data %s\n", dataAbs)
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
					fmt.Fprintf(out, "The root user of account %s is not claimed yet. For a new one-time claim link:\n  rootward root claim-link --data %s --public-url %s\n", a.ID, dataAbs, base)
				}
			}
			fmt.Fprintf(out, "Console: %s/console/\n", base)
			rec := trail.NewRecorder(st, log)
			// Closed after the HTTP server has drained, and before the store (deferred earlier), so
			// every event of a finished request is written.
			defer rec.Close()
			api, root, err := consoleServices(&d, &nf, svc, st, rec, log, base, trusted)
			if err != nil {
				return err
			}
			// Background mail (password-reset links) is sent before the recorder closes.
			defer root.Drain()
			go root.Run(ctx, time.Minute, log)
			srv := &http.Server{
				Handler:           api,
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       30 * time.Second,
				WriteTimeout:      60 * time.Second,
				IdleTimeout:       120 * time.Second,
			}
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
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
	cmd.Flags().StringVar(&consoleURL, "console-url", "", "the console's public base URL, e.g. https://rootward.example.com (default: http://localhost:PORT for a loopback address); its host is the WebAuthn relying party")
	return cmd
}

// consoleBase is the scheme and host the console is reached at. WebAuthn needs a host name (an IP
// address is not a valid relying-party ID), so a loopback listener is named localhost, which
// browsers also treat as a secure context.
func consoleBase(flag string, addr net.Addr) (string, error) {
	if flag != "" {
		base, err := publicBase(flag)
		if err != nil {
			return "", fmt.Errorf("--console-url: %w", err)
		}
		return base, nil
	}
	tcp, ok := addr.(*net.TCPAddr)
	if ok && (tcp.IP.IsLoopback() || tcp.IP.IsUnspecified()) {
		return "http://localhost:" + strconv.Itoa(tcp.Port), nil
	}
	return "http://" + addr.String(), nil
}

// consoleServices builds the root-user service (with its notifier) and the API server with the
// console mounted on it. The console calls the API server as the signed-in principal, and the
// server routes /console to the console, hence the indirection.
func consoleServices(d *dataFlags, nf *notify.Flags, svc *iam.Service, st store.Store, rec *trail.Recorder, log *slog.Logger, base string, trusted []netip.Prefix) (http.Handler, *rootuser.Service, error) {
	root, org, err := rootUserService(d, nf, svc, st, rec, log, base)
	if err != nil {
		return nil, nil, err
	}
	var ch http.Handler
	api := server.New(server.Config{
		IAM: svc, Orgs: org, Logger: log, Trail: rec, RootMFAGuard: root.CheckRootDeviceRemoval, MFALocked: root.MFALocked,
		TrustedProxies: trusted,
		Console: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ch.ServeHTTP(w, r)
		}),
	})
	ch, err = console.New(console.Config{IAM: svc, Root: root, Orgs: org, API: api, Logger: log, SecureCookies: strings.HasPrefix(base, "https://")})
	if err != nil {
		return nil, nil, err
	}
	return api, root, nil
}

// rootUserService builds the root-user service (with its notifier) over Organizations, as serve and
// the root-user commands use it.
func rootUserService(d *dataFlags, nf *notify.Flags, svc *iam.Service, st store.Store, rec *trail.Recorder, log *slog.Logger, base string) (*rootuser.Service, *orgs.Service, error) {
	key, err := d.masterKey(false)
	if err != nil {
		return nil, nil, fmt.Errorf("master key: %w", err)
	}
	sealer, err := seal.New(key)
	if err != nil {
		return nil, nil, err
	}
	ncfg, err := nf.Config(nil)
	if err != nil {
		return nil, nil, err
	}
	n, err := notify.New(st, sealer, ncfg, notify.WithLogger(log))
	if err != nil {
		return nil, nil, err
	}
	org := orgs.New(svc)
	root, err := rootuser.New(rootuser.Config{IAM: svc, Notifier: n, Trail: rec, ConsoleURL: base + "/console"}, orgRootOptions(org)...)
	if err != nil {
		return nil, nil, err
	}
	return root, org, nil
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
