package main

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/trail"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func rootCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "root", Short: "Administer account root users"}
	var (
		d            dataFlags
		passwordFile string
		account      string
	)
	set := &cobra.Command{
		Use:   "set-password",
		Short: "Set the root user's password (prompts on a terminal, or reads --password-file)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			svc, st, err := d.open(ctx, false)
			if err != nil {
				return err
			}
			defer st.Close()
			if account == "" {
				accts, err := svc.Accounts(ctx)
				if err != nil {
					return err
				}
				if len(accts) == 0 {
					return errors.New("no account yet: run " + cli + " serve or " + cli + " init first")
				}
				account = accts[0].ID
			}
			pw, err := readPassword(passwordFile)
			if err != nil {
				return &exitCode{2, err}
			}
			if err := svc.SetRootPassword(ctx, account, pw); err != nil {
				return &exitCode{2, err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Root password of account %s set.\n", account)
			return nil
		},
	}
	d.register(set.Flags())
	set.Flags().StringVar(&passwordFile, "password-file", "", "file holding the new password")
	set.Flags().StringVar(&account, "account", "", "account ID (default: the first account)")
	cmd.AddCommand(set, claimLinkCmd(), resetMFACmd(), setEmailCmd())
	return cmd
}

// claimLinkCmd prints a fresh first-run claim link for the account whose root user nobody has
// claimed yet; earlier links stop working.
func claimLinkCmd() *cobra.Command {
	var (
		d         dataFlags
		publicURL string
	)
	cmd := &cobra.Command{
		Use:   "claim-link",
		Short: "Print a new one-time link (valid 24 hours) to claim the root user in the console; earlier links stop working",
		RunE: func(cmd *cobra.Command, _ []string) error {
			base, err := publicBase(publicURL)
			if err != nil {
				return &exitCode{2, err}
			}
			ctx := cmd.Context()
			svc, st, err := d.open(ctx, false)
			if err != nil {
				return err
			}
			defer st.Close()
			a, err := svc.UnclaimedAccount(ctx)
			if err != nil {
				return err
			}
			if a == nil {
				return &exitCode{2, errors.New("the root user is already claimed (it has an email and a password); to set its password run: " + cli + " root set-password --data " + shellQuote(d.dir))}
			}
			tok, err := console.CreateClaim(ctx, st, a.ID, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Claim the root user of account %s (set its email and password; one-time link, valid 24 hours):\n  %s%s\n",
				a.ID, base, console.ClaimPath(tok))
			return nil
		},
	}
	d.register(cmd.Flags())
	cmd.Flags().StringVar(&publicURL, "public-url", "http://localhost:4599", "the console's public base URL, as serve prints it")
	return cmd
}

func readPassword(file string) (string, error) {
	if file != "" {
		raw, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		return strings.TrimRight(string(raw), "\r\n"), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", errors.New("no password given: use --password-file or a terminal")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fmt.Fprint(os.Stderr, "New root password: ")
	a, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(os.Stderr, "Repeat: ")
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", err
	}
	if string(a) != string(b) {
		return "", errors.New("the passwords differ")
	}
	return string(a), nil
}

// resetMFACmd removes every MFA device of a root user, for the operator of a self-hosted
// installation whose root lost them all. It works only where the data directory and master key
// are, and says loudly what it did.
func resetMFACmd() *cobra.Command {
	var (
		d         dataFlags
		nf        notify.Flags
		account   string
		confirm   string
		publicURL string
	)
	cmd := &cobra.Command{
		Use:   "reset-mfa",
		Short: "Remove every MFA device of an account's root user (on the server machine; recorded as a high-severity event and mailed to the root email and security contacts)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if account == "" || confirm != account {
				return &exitCode{2, errors.New("reset-mfa needs --account ACCOUNT_ID and --confirm ACCOUNT_ID (the same ID, typed again): it removes every MFA device of that root user")}
			}
			ctx := cmd.Context()
			rc, err := openRootUser(cmd, &d, &nf, publicURL)
			if err != nil {
				return err
			}
			defer rc.close()
			op := rootuser.Operator{Host: "localhost"}
			if u, err := user.Current(); err == nil {
				op.User = u.Username
			}
			if h, err := os.Hostname(); err == nil {
				op.Host = h
			}
			serials, err := rc.root.ResetRootMFA(ctx, account, op)
			if err != nil {
				return &exitCode{2, err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Removed %d MFA device(s) of the root user of account %s; its console sessions ended.\nThe next root sign-in must register a new device. The root email and security contacts were told.\n", len(serials), account)
			return nil
		},
	}
	d.register(cmd.Flags())
	nf.RegisterFlags(cmd.Flags())
	cmd.Flags().StringVar(&account, "account", "", "the account whose root user lost its MFA devices")
	cmd.Flags().StringVar(&confirm, "confirm", "", "the same account ID again, to confirm")
	cmd.Flags().StringVar(&publicURL, "public-url", "http://localhost:4599", "the console's public base URL, for links in the messages")
	return cmd
}

// setEmailCmd starts a root email change: the new address gets a verification link, and the
// change happens when it is confirmed in the console.
func setEmailCmd() *cobra.Command {
	var (
		d                         dataFlags
		nf                        notify.Flags
		account, email, publicURL string
	)
	cmd := &cobra.Command{
		Use:   "set-email",
		Short: "Change a root user's email: mails a verification link to the new address; the change happens when it is confirmed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if email == "" {
				return &exitCode{2, errors.New("set-email needs --email NEW_ADDRESS")}
			}
			ctx := cmd.Context()
			rc, err := openRootUser(cmd, &d, &nf, publicURL)
			if err != nil {
				return err
			}
			defer rc.close()
			if account == "" {
				if account, err = onlyAccount(cmd, rc.svc); err != nil {
					return err
				}
			}
			if err := rc.root.RequestRootEmailChange(ctx, account, email, rootuser.Client{SourceIP: "127.0.0.1", UserAgent: "rootward-cli"}); err != nil {
				return &exitCode{2, inputError(err)}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "A verification link went to %s (valid 24 hours); the root email of account %s changes when it is confirmed.\nWithout an SMTP server the message is in the outbox: %s outbox --data %s\n", email, account, cli, shellQuote(d.dir))
			return nil
		},
	}
	d.register(cmd.Flags())
	nf.RegisterFlags(cmd.Flags())
	cmd.Flags().StringVar(&account, "account", "", "account ID (default: the only account)")
	cmd.Flags().StringVar(&email, "email", "", "the new root email address")
	cmd.Flags().StringVar(&publicURL, "public-url", "http://localhost:4599", "the console's public base URL, for the verification link")
	return cmd
}

// rootUserCLI is what the root-user commands work with: the IAM service and the root-user service
// over the data directory's store, with a trail recorder for their events.
type rootUserCLI struct {
	svc  *iam.Service
	root *rootuser.Service
	// mpa is Multi-party approval, with the same notifier and trail.
	mpa   *mpa.Service
	close func()
}

// openRootUser opens the data directory for a root-user command whose messages link to the console
// at publicURL; close drains background mail, writes the trail and closes the store, in that order.
func openRootUser(cmd *cobra.Command, d *dataFlags, nf *notify.Flags, publicURL string) (*rootUserCLI, error) {
	base, err := publicBase(publicURL)
	if err != nil {
		return nil, &exitCode{2, err}
	}
	svc, st, err := d.open(cmd.Context(), false)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	rec := trail.NewRecorder(st, log)
	rs, err := rootUserServices(d, nf, svc, st, rec, log, base)
	if err != nil {
		rec.Close()
		st.Close()
		return nil, err
	}
	root := rs.root
	return &rootUserCLI{svc: svc, root: root, mpa: rs.mpa, close: func() {
		root.Drain()
		rec.Close()
		st.Close()
	}}, nil
}

// onlyAccount returns the installation's account when there is exactly one; otherwise it asks for
// --account.
func onlyAccount(cmd *cobra.Command, svc *iam.Service) (string, error) {
	n, err := svc.AccountCount(cmd.Context())
	if err != nil {
		return "", err
	}
	if n != 1 {
		return "", &exitCode{2, fmt.Errorf("this installation has %d accounts: pass --account ACCOUNT_ID", n)}
	}
	accts, err := svc.Accounts(cmd.Context())
	if err != nil {
		return "", err
	}
	return accts[0].ID, nil
}
