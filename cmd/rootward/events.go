package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/trail"
	"github.com/spf13/cobra"
)

// eventsCmd prints the trail: every recorded API call, sign-in and security change, oldest first.
func eventsCmd() *cobra.Command {
	var (
		d                   dataFlags
		account, name, user string
		since               string
		rootOnly, asJSON    bool
		limit               int
	)
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Print the trail of API calls, sign-ins and security changes (CloudTrail records), oldest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			start, err := parseSince(since, time.Now())
			if err != nil {
				return &exitCode{2, err}
			}
			if limit < 1 || limit > 100_000 {
				return &exitCode{2, errors.New("--limit must be between 1 and 100000")}
			}
			ctx := cmd.Context()
			svc, st, err := d.open(ctx, false)
			if err != nil {
				return err
			}
			defer st.Close()
			accounts := []string{account}
			if account != "" {
				// An account this data directory does not hold has no events: say so rather than
				// print an empty trail, which would read as "nothing happened".
				if _, err := svc.GetAccount(ctx, account); awserr.IsCode(err, awserr.NoSuchEntity) {
					return &exitCode{2, fmt.Errorf("--account %s: no such account in this data directory", account)}
				} else if err != nil {
					return err
				}
			} else {
				all, err := svc.Accounts(ctx)
				if err != nil {
					return err
				}
				accounts = accounts[:0]
				for _, a := range all {
					accounts = append(accounts, a.ID)
				}
			}
			match := func(e *trail.Event) bool {
				return (!rootOnly || e.UserIdentity.Type == "Root") &&
					(name == "" || strings.EqualFold(e.EventName, name)) &&
					(user == "" || strings.EqualFold(e.UserIdentity.UserName, user) || e.UserIdentity.ARN == user)
			}
			var events []trail.Event
			for _, a := range accounts {
				// Newest first, so that the read stops at the limit however long the trail is.
				q := trail.Query{Account: a, Start: start, Match: match, Newest: true, Limit: min(limit, 1000)}
				var mine []trail.Event
				for len(mine) < limit {
					p, err := trail.List(ctx, st, q)
					if err != nil {
						return err
					}
					mine = append(mine, p.Events...)
					if p.Next == "" {
						break
					}
					q.After = p.Next
				}
				slices.Reverse(mine)
				events = append(events, mine...)
				if len(events) > limit {
					sortOldestFirst(events)
					events = events[len(events)-limit:]
				}
			}
			sortOldestFirst(events)
			if len(events) > limit {
				events = events[len(events)-limit:]
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				for i := range events {
					if err := enc.Encode(&events[i]); err != nil {
						return err
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "TIME (UTC)\tACCOUNT\tEVENT\tWHO\tSOURCE IP\tRESULT")
			for _, e := range events {
				who := e.UserIdentity.ARN
				if who == "" {
					who = e.UserIdentity.Type + ":" + e.UserIdentity.UserName
				}
				if e.UserIdentity.Type == "Root" {
					who = "ROOT " + who
				}
				result := "ok"
				if e.ErrorCode != "" || e.ErrorMessage != "" {
					result = strings.TrimSpace(e.ErrorCode + " " + e.ErrorMessage)
				} else if v, ok := e.ResponseElements["ConsoleLogin"].(string); ok {
					result = v
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.EventTime.UTC().Format(time.RFC3339), e.RecipientAccountID,
					e.EventSource+" "+e.EventName, who, e.SourceIPAddress, result)
			}
			return tw.Flush()
		},
	}
	d.register(cmd.Flags())
	cmd.Flags().StringVar(&account, "account", "", "only this account's events (default: every account)")
	cmd.Flags().BoolVar(&rootOnly, "root", false, "only root activity: events whose userIdentity.type is Root (sign-ins, API calls, privileged root sessions)")
	cmd.Flags().StringVar(&since, "since", "", "only events since this time: a duration back from now (24h, 90m) or an RFC 3339 time")
	cmd.Flags().StringVar(&name, "name", "", "only events with this name (for example ConsoleLogin)")
	cmd.Flags().StringVar(&user, "user", "", "only events of this IAM user name or principal ARN")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print each CloudTrail record as one JSON line")
	cmd.Flags().IntVar(&limit, "limit", 100, "at most this many events, the newest")
	return cmd
}

// sortOldestFirst orders events by time, keeping the order of events of one time.
func sortOldestFirst(events []trail.Event) {
	sort.SliceStable(events, func(i, j int) bool { return events[i].EventTime.Before(events[j].EventTime) })
}

// parseSince reads --since: empty (no bound), a duration back from now, or an RFC 3339 time.
func parseSince(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--since %q: give a positive duration", v)
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since %q: want a duration such as 24h or an RFC 3339 time such as 2026-12-01T00:00:00Z", v)
	}
	return t, nil
}
