package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootward/rootward/internal/api/stsapi"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/trail"
)

// orgCmd is `rootward org`: the organization-wide root credential inventory and its one action.
func orgCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "Organizations: root credential inventory of member accounts"}
	var (
		d       dataFlags
		account string
		asJSON  bool
	)
	status := &cobra.Command{
		Use:   "root-status",
		Short: "Show, for every account of the organization, which root credentials exist and when root was last used",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			svc, st, err := d.open(ctx, false)
			if err != nil {
				return err
			}
			defer st.Close()
			o := orgs.New(svc)
			mgmt, err := managementAccount(ctx, o, account)
			if err != nil {
				return err
			}
			inv, err := o.RootInventory(ctx, mgmt)
			if err != nil {
				return err
			}
			if asJSON {
				return writeInventoryJSON(cmd.OutOrStdout(), inv)
			}
			return writeInventoryTable(cmd.OutOrStdout(), inv)
		},
	}
	d.register(status.Flags())
	status.Flags().StringVar(&account, "account", "", "management account ID (default: the first account that manages an organization)")
	status.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")

	var (
		dd      dataFlags
		mgmtAcc string
		member  string
		as      string
	)
	del := &cobra.Command{
		Use:   "delete-root-credentials",
		Short: "Delete a member account's root credentials through a privileged root session (sts:AssumeRoot)",
		Long: "Acts as the IAM user --as of the management account: its policies must allow sts:AssumeRoot, and the " +
			"organization must have the RootSessions feature. Every step is recorded in CloudTrail format like any " +
			"privileged task.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if member == "" || as == "" {
				return &exitCode{2, errors.New("--member and --as are required")}
			}
			svc, st, err := dd.open(ctx, false)
			if err != nil {
				return err
			}
			defer st.Close()
			o := orgs.New(svc)
			mgmt, err := managementAccount(ctx, o, mgmtAcc)
			if err != nil {
				return err
			}
			rec := trail.NewRecorder(st, slog.New(slog.NewTextHandler(os.Stderr, nil)))
			defer rec.Close()
			srv := server.New(server.Config{IAM: svc, Orgs: o, Trail: rec})
			r, err := http.NewRequestWithContext(ctx, http.MethodPost, "/cli/org/delete-root-credentials", nil)
			if err != nil {
				return err
			}
			r.RemoteAddr = "127.0.0.1:0"
			r.Header.Set("User-Agent", "rootward-cli")
			now := time.Now()
			p := authz.Principal{Account: mgmt, UserName: as, SessionID: "cli-" + now.UTC().Format("20060102T150405Z"), IssuedAt: now}
			out, err := stsapi.DeleteRootCredentials(srv.Runner(), r, p, member)
			if err != nil {
				return &exitCode{1, err}
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "Root credentials of account %s deleted in privileged session %s:\n", out.Account, out.SessionKeyID)
			fmt.Fprintf(w, "  password:             %s\n", yesNo(out.LoginProfile))
			fmt.Fprintf(w, "  access keys:          %s\n", joinOrNone(out.AccessKeys))
			fmt.Fprintf(w, "  signing certificates: %s\n", joinOrNone(out.SigningCertificates))
			fmt.Fprintf(w, "  MFA devices:          %s\n", joinOrNone(out.MFADevices))
			return nil
		},
	}
	dd.register(del.Flags())
	del.Flags().StringVar(&mgmtAcc, "account", "", "management account ID (default: the first account that manages an organization)")
	del.Flags().StringVar(&member, "member", "", "member account ID whose root credentials to delete")
	del.Flags().StringVar(&as, "as", "", "IAM user of the management account to act as")
	cmd.AddCommand(status, del)
	return cmd
}

// managementAccount returns account after checking it manages an organization, or, when account
// is empty, the first account (in ID order) that does.
func managementAccount(ctx context.Context, o *orgs.Service, account string) (string, error) {
	if account != "" {
		org, err := o.OrganizationOf(ctx, account)
		if err != nil {
			return "", err
		}
		if org == nil || org.MasterAccountID != account {
			return "", &exitCode{2, fmt.Errorf("account %s is not the management account of an organization", account)}
		}
		return account, nil
	}
	// Organizations are few; accounts may be many.
	first, err := o.ManagementAccount(ctx)
	if err != nil || first != "" {
		return first, err
	}
	return "", &exitCode{2, errors.New("no organization: create one with organizations create-organization first")}
}

func writeInventoryJSON(w io.Writer, inv *orgs.RootInventory) error {
	features := inv.Features
	if features == nil {
		features = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		OrganizationID string            `json:"organizationId"`
		Features       []string          `json:"enabledFeatures"`
		Accounts       []orgs.RootStatus `json:"accounts"`
	}{inv.OrganizationID, features, inv.Accounts})
}

func writeInventoryTable(w io.Writer, inv *orgs.RootInventory) error {
	features := "none"
	if len(inv.Features) > 0 {
		features = strings.Join(inv.Features, ", ")
	}
	fmt.Fprintf(w, "Organization %s — centralized root access: %s\n\n", inv.OrganizationID, features)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tNAME\tPASSWORD\tMFA\tACCESS KEYS\tCERTIFICATES\tLAST USED")
	for _, a := range inv.Accounts {
		name := a.Name
		if a.Management {
			name += " (management)"
		}
		pw := yesNo(a.Password)
		if !a.Password && a.RecoveryAllowed {
			pw = "recovery allowed"
		}
		var mfa []string
		for _, d := range a.MFADevices {
			mfa = append(mfa, d.Kind)
		}
		keys := "0"
		if n := len(a.AccessKeys); n > 0 {
			active := 0
			for _, k := range a.AccessKeys {
				if k.Status == "Active" {
					active++
				}
			}
			keys = fmt.Sprintf("%d (%d active)", n, active)
		}
		// As the console's organization page says it: older CloudTrail records are not searched.
		last := fmt.Sprintf("not in the last %d days", int(orgs.LastUseWindow/(24*time.Hour)))
		if a.LastUsed != nil {
			last = a.LastUsed.UTC().Format(time.RFC3339) + " (" + a.LastUsedBy + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", a.AccountID, name, pw, joinOrNone(mfa), keys, len(a.SigningCertificates), last)
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func joinOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}
