package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/notify"
)

// breakGlassCmd groups the commands about the emergency (break-glass) root sign-in.
func breakGlassCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "breakglass", Short: "Settings of the emergency (break-glass) root sign-in"}
	cmd.AddCommand(coolingOffCmd())
	return cmd
}

// Exit codes of `rootward breakglass cooling-off --set` besides 0 (applied) and 1 (error).
const exitWaitingForApproval = 3

// coolingOffCmd is `rootward breakglass cooling-off`: it shows an account's emergency sign-in wait,
// or asks for another through the approval team protecting the root sign-in (mpa.ChangeCoolingOff),
// as the console's page /console/approvals/breakglass does. The requester is the account's root
// user: whoever holds the data directory and its master key stands for it.
func coolingOffCmd() *cobra.Command {
	var (
		d                 dataFlags
		nf                notify.Flags
		account, set, url string
	)
	cmd := &cobra.Command{
		Use:   "cooling-off",
		Short: "Show an account's break-glass cooling-off period, or change it through an approved change",
		Long: "Without --set, prints the account's emergency sign-in wait and where it comes from (an approved change, or the default), " +
			"and any change waiting for approval.\n\n" +
			"With --set DURATION (1h to 720h, e.g. 36h or 90m), asks for that period as the account's root user. A change needs the " +
			"approval team that protects the account's root sign-in: the first request opens an approval session and prints it; once " +
			"the team approved it, the same command with the same DURATION applies it, once. Another DURATION needs a new session.\n\n" +
			"Exit status: 0 when the period was printed or the change applied; 3 when the change waits for approval (the session is " +
			"printed); 1 on any error (a period out of bounds, no team protecting the root sign-in, an unknown account).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			err := coolingOff(cmd, &d, &nf, account, set, url)
			var ec *exitCode
			if err != nil && (!errors.As(err, &ec) || ec.code != exitWaitingForApproval) {
				return &exitCode{1, err} // every failure is 1, as the help says
			}
			return err
		},
	}
	d.register(cmd.Flags())
	nf.RegisterFlags(cmd.Flags())
	cmd.Flags().StringVar(&account, "account", "", "the account (required)")
	cmd.Flags().StringVar(&set, "set", "", "ask for this cooling-off period (e.g. 36h), applied once the approval team approves")
	cmd.Flags().StringVar(&url, "public-url", "http://localhost:4599", "the console's public base URL, for links in the messages")
	return cmd
}

func coolingOff(cmd *cobra.Command, d *dataFlags, nf *notify.Flags, account, set, publicURL string) error {
	if account == "" {
		return errors.New("cooling-off needs --account ACCOUNT_ID")
	}
	var period time.Duration
	if set != "" {
		var err error
		if period, err = time.ParseDuration(set); err != nil {
			return fmt.Errorf("--set %q: a cooling-off period is a duration such as 24h, 36h or 90m", set)
		}
	}
	rc, err := openRootUser(cmd, d, nf, publicURL)
	if err != nil {
		return err
	}
	defer rc.close()
	ctx := cmd.Context()
	if _, err := rc.svc.GetAccount(ctx, account); awserr.IsCode(err, awserr.NoSuchEntity) {
		return fmt.Errorf("--account %s: no such account in this data directory", account)
	} else if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if set == "" {
		c, err := rc.mpa.CoolingOffSettingOf(ctx, account)
		if err != nil {
			return err
		}
		printCoolingOff(out, c)
		return nil
	}
	requester := mpa.Requester{Account: account, ARN: arn.Root(account), Region: mpaRegion, Comment: "rootward breakglass cooling-off --set " + set}
	c, err := rc.mpa.ChangeCoolingOff(ctx, account, period, requester)
	if c != nil && !c.Applied {
		sess, serr := rc.mpa.SessionOf(ctx, sessionAccount(rc.mpa, c.Session), c.Session)
		if serr != nil {
			return serr
		}
		fmt.Fprintf(out, "Cooling-off period %s of account %s waits for approval.\n", mpa.FormatPeriod(period), account)
		printSession(out, sess)
		return &exitCode{exitWaitingForApproval, fmt.Errorf("the change waits for approval session %s; run the same command again once it is APPROVED", c.Session)}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Cooling-off period of account %s is now %s (it was %s).\nSession: %s\nState: APPROVED, EXECUTED\n",
		account, mpa.FormatPeriod(c.Period), mpa.FormatPeriod(c.Previous), c.Session)
	return nil
}

// sessionAccount is the account of a session ARN (the team's: a member's change may wait on its
// management account's team).
func sessionAccount(m *mpa.Service, a string) string {
	res, _ := m.ParseARN(a)
	return res.Account
}

func printCoolingOff(w io.Writer, c *mpa.CoolingOffSetting) {
	fmt.Fprintf(w, "Cooling-off period: %s\nOrigin: %s\n", mpa.FormatPeriod(c.Period), c.Origin)
	if c.ChangedBy != "" {
		fmt.Fprintf(w, "Changed: %s by %s\nApproved in: %s\n", c.Changed.UTC().Format(time.RFC3339), c.ChangedBy, c.Session)
	}
	for _, p := range c.Proposals {
		fmt.Fprintf(w, "Requested change: %s by %s at %s\n", mpa.FormatPeriod(p.Period), p.Requester, p.Requested.UTC().Format(time.RFC3339))
		if p.Session != nil {
			printSession(w, p.Session)
		}
	}
}

func printSession(w io.Writer, s *mpa.Session) {
	approvals := 0
	for _, v := range s.Responses {
		if v.Response == mpa.VoteApproved {
			approvals++
		}
	}
	state := s.Status
	if s.StatusCode != "" {
		state += " (" + s.StatusCode + ")"
	}
	fmt.Fprintf(w, "Session: %s\nState: %s, %d of %d approvals, expires %s\n", s.ARN, state, approvals, s.MinApprovals, s.Expires.UTC().Format(time.RFC3339))
}
