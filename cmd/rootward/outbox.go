package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/seal"
)

// outboxCmd lists the messages Rootward kept in its outbox: every email, SMS and voice message when
// no SMTP relay or SMS webhook is configured (reset links and recovery codes included, so reading it
// needs the master key), and delivery records of those sent by a transport.
func outboxCmd() *cobra.Command {
	var (
		d      dataFlags
		q      notify.Query
		since  time.Duration
		asJSON bool
		noBody bool
	)
	cmd := &cobra.Command{
		Use:   "outbox",
		Short: "List the messages Rootward sent or kept in its local outbox (newest last)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			_, st, err := d.open(ctx, false)
			if err != nil {
				return err
			}
			defer st.Close()
			key, err := d.masterKey(false)
			if err != nil {
				return fmt.Errorf("master key: %w", err)
			}
			sealer, err := seal.New(key)
			if err != nil {
				return err
			}
			n, err := notify.New(st, sealer, notify.Config{})
			if err != nil {
				return err
			}
			if since > 0 {
				q.Since = time.Now().Add(-since)
			}
			entries, err := n.Outbox(ctx, q)
			if err != nil {
				return err
			}
			if noBody {
				for i := range entries {
					entries[i].Body = ""
				}
			}
			out := cmd.OutOrStdout()
			if asJSON {
				type entryJSON struct {
					notify.Entry
					Body string `json:"body,omitempty"`
				}
				list := make([]entryJSON, len(entries))
				for i, e := range entries {
					list[i] = entryJSON{e, e.Body}
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			if len(entries) == 0 {
				fmt.Fprintln(out, "The outbox is empty.")
				return nil
			}
			for _, e := range entries {
				tw := tabwriter.NewWriter(out, 0, 0, 1, ' ', 0)
				fmt.Fprintf(tw, "Time:\t%s\n", e.Time.Format(time.RFC3339))
				fmt.Fprintf(tw, "Channel:\t%s (%s)\n", e.Channel, e.Transport)
				fmt.Fprintf(tw, "To:\t%s\n", e.To)
				if e.Account != "" {
					fmt.Fprintf(tw, "Account:\t%s\n", e.Account)
				}
				if e.Purpose != "" {
					fmt.Fprintf(tw, "Purpose:\t%s\n", e.Purpose)
				}
				if e.Subject != "" {
					fmt.Fprintf(tw, "Subject:\t%s\n", e.Subject)
				}
				if e.Error != "" {
					fmt.Fprintf(tw, "Error:\t%s\n", e.Error)
				}
				_ = tw.Flush()
				switch {
				case e.Body != "":
					fmt.Fprintf(out, "\n%s\n", e.Body)
				case e.Transport != notify.TransportOutbox:
					fmt.Fprintf(out, "\n(sent by %s; the body is not kept)\n", e.Transport)
				}
				fmt.Fprintln(out, "----")
			}
			return nil
		},
	}
	d.register(cmd.Flags())
	cmd.Flags().StringVar(&q.Account, "account", "", "only messages about this account ID")
	cmd.Flags().StringVar(&q.To, "to", "", "only messages to this address or phone number")
	cmd.Flags().StringVar(&q.Purpose, "purpose", "", "only messages of this purpose (password-reset, mfa-recovery-email, mfa-recovery-phone, …)")
	cmd.Flags().DurationVar(&since, "since", 0, "only messages of the last DURATION (e.g. 1h)")
	cmd.Flags().IntVar(&q.Limit, "limit", 0, "only the newest N messages")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&noBody, "no-body", false, "leave out message bodies (they hold one-time links and codes)")
	return cmd
}
