package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/orgs"
)

// custodyCmd groups the commands about who holds and uses the root user: multi-party approval's
// custody report.
func custodyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "custody", Short: "Reports on who requested, approved and used root (multi-party approval)"}
	cmd.AddCommand(custodyReportCmd())
	return cmd
}

// custodyReportCmd prints the custody report (mpa.Report; its JSON is documented in
// docs/custody-report.md), read from the data directory.
func custodyReportCmd() *cobra.Command {
	var (
		d       dataFlags
		account string
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Print who requested each protected root operation, who approved it, and when root was used and for what",
		Long: "Prints every request of a protected root operation (multi-party approval's sessions): the requester and reason, " +
			"the approvers' votes, the outcome and when the approved operation ran; and every emergency (break-glass) root sign-in. " +
			"With --account, that account's report: an organization's management account gets every account of its organization. " +
			"--json prints one JSON document (docs/custody-report.md).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			svc, st, err := d.open(ctx, false)
			if err != nil {
				return err
			}
			defer st.Close()
			if account != "" {
				if _, err := svc.GetAccount(ctx, account); awserr.IsCode(err, awserr.NoSuchEntity) {
					return &exitCode{2, fmt.Errorf("--account %s: no such account in this data directory", account)}
				} else if err != nil {
					return err
				}
			}
			org := orgs.New(svc)
			m := mpa.New(mpa.Config{Store: st, Orgs: org, Region: mpaRegion,
				Directory: mpa.ICDirectory{IC: identitycenter.New(svc, org), Region: mpaRegion}})
			rep, err := m.ReportOf(ctx, account)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "REQUESTED (UTC)\tACCOUNT\tOPERATION\tREQUESTER\tSTATUS\tVOTES\tROOT USED (UTC)")
			for _, s := range rep.Sessions {
				status := s.Status
				if s.StatusCode != "" {
					status += " " + s.StatusCode
				}
				used := "-"
				if s.ExecutedAt != nil {
					used = s.ExecutedAt.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.RequestedAt.UTC().Format(time.RFC3339), s.Account, s.Operation,
					s.Requester, status, s.Voters(), used)
			}
			for _, b := range rep.BreakGlass {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", b.StartedAt.UTC().Format(time.RFC3339), b.Account, "BreakGlass",
					b.Requester, b.Status, "-", "-")
			}
			return tw.Flush()
		},
	}
	d.register(cmd.Flags())
	cmd.Flags().StringVar(&account, "account", "", "this account's report (a management account's covers its organization; default: every account)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as one JSON document (docs/custody-report.md)")
	return cmd
}
