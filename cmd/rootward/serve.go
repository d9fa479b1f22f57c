package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/trail"
	"github.com/spf13/cobra"
)

func serveCmd() *cobra.Command {
	var (
		d    dataFlags
		addr string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve IAM and STS (and the health endpoint) on one address",
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := slog.New(slog.NewTextHandler(os.Stderr, nil))
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
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
			first, err := svc.ClaimInstallation(ctx)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if first {
				acct, _, k, err := bootstrap(ctx, svc, "rootward", "root@rootward.invalid", "", "admin")
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
				fmt.Fprintf(out, "Give the root user a password:\n  rootward root set-password --data %s\n", dataAbs)
			} else {
				accts, err := svc.Accounts(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "Rootward serving %d account(s) at %s\n", len(accts), endpoint)
			}
			rec := trail.NewRecorder(st, log)
			// Closed after the HTTP server has drained, and before the store (deferred earlier), so
			// every event of a finished request is written.
			defer rec.Close()
			srv := &http.Server{
				Handler:           server.New(server.Config{IAM: svc, Logger: log, Trail: rec}),
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
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:4599", "listen address")
	return cmd
}
