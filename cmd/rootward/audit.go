package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/compliance/awsfacts"
	"github.com/rootward/rootward/internal/compliance/rollup"
)

// auditCmd is `rootward audit`: the compliance checks, read-only, against any endpoint that speaks
// the AWS API, through the standard credential chain. Exit status 0 when no check failed, 1 when
// one did, 2 when the audit itself could not run (issue 13, Decided).
func auditCmd() *cobra.Command {
	var (
		endpoint, profile, region, format string
		org                               bool
	)
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Run the root-user and IAM compliance checks against an AWS account (Rootward, moto or AWS), read-only",
		Long: "Reads the account's IAM, root user and contacts through the AWS API with the standard credential chain " +
			"(environment, --profile, SSO, instance roles) and evaluates the same checks as Rootward's AWS Config rules, " +
			"Security Hub controls and Trusted Advisor checks. A check whose facts could not be read answers ERROR. " +
			"With --org, run as the management account: every member's root user is audited through sts:AssumeRoot " +
			"with the IAMAuditRootUserCredentials task policy.\n\n" +
			"Exit status: 0 when no check failed, 1 when a check FAILED, 2 when the audit could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			write, ok := auditWriters[format]
			if !ok {
				return &exitCode{2, fmt.Errorf("--format %q: want table, json, csv or junit", format)}
			}
			cfg, err := auditConfig(cmd.Context(), endpoint, profile, region)
			if err != nil {
				return &exitCode{2, err}
			}
			rows, err := runAudit(cmd.Context(), awsfacts.New(cfg), org, cmd.ErrOrStderr())
			if err != nil {
				return &exitCode{2, err}
			}
			if err := write(cmd.OutOrStdout(), rows); err != nil {
				return &exitCode{2, err}
			}
			if slices.ContainsFunc(rows, func(r auditRow) bool { return r.Status == string(compliance.Failed) }) {
				return &exitCode{1, errors.New("a check FAILED")}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&endpoint, "endpoint-url", "", "the AWS API endpoint of every call (default: AWS's, or AWS_ENDPOINT_URL)")
	f.StringVar(&profile, "profile", "", "the shared configuration profile to take credentials and region from")
	f.StringVar(&region, "region", "", "the region to sign for (default: the profile's, else us-east-1)")
	f.BoolVar(&org, "org", false, "audit every account of the organization (run as the management account)")
	f.StringVar(&format, "format", "table", "output format: table, json, csv or junit")
	return cmd
}

// auditConfig loads the standard credential chain with the profile and region given, and points
// every client at endpoint when one is given.
func auditConfig(ctx context.Context, endpoint, profile, region string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		// IAM, STS's global endpoint and Organizations live in us-east-1.
		cfg.Region = "us-east-1"
	}
	if endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}
	return cfg, nil
}

// runAudit reads the facts of the caller's account (and, with org, of every active member) and
// evaluates every check on them. It fails only when there is nothing to audit: the caller's
// identity cannot be read, or with org the organization's accounts cannot be listed.
func runAudit(ctx context.Context, c *awsfacts.Collector, org bool, log io.Writer) ([]auditRow, error) {
	id, err := c.Identity(ctx)
	if err != nil {
		return nil, fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	var accounts []awsfacts.Account
	if org {
		if accounts, err = c.Accounts(ctx); err != nil {
			return nil, fmt.Errorf("--org needs the organization's management account: organizations:ListAccounts: %w", err)
		}
	}
	rows := evaluate(log, c.Account(ctx, id))
	for _, a := range accounts {
		if a.ID == id.Account {
			continue
		}
		if a.State != "" && a.State != "ACTIVE" {
			fmt.Fprintf(log, "rootward: account %s skipped: %s\n", a.ID, a.State)
			continue
		}
		var others []string
		for _, o := range accounts {
			if o.ID != a.ID && o.Email != "" {
				others = append(others, o.Email)
			}
		}
		rows = append(rows, evaluate(log, c.Member(ctx, a, others))...)
	}
	return rows, nil
}

// evaluate runs every check on f and folds the results into one row per check, after saying on
// log what could not be read.
func evaluate(log io.Writer, f *compliance.Facts) []auditRow {
	logMissing(log, f)
	return rollup.Rows(f.Account, compliance.Checks(), awsfacts.Guard(f, compliance.EvaluateAll(f)))
}

// logMissing says on log which facts of f could not be read and why (the checks that need them
// answer ERROR), except what a member's audit session is not meant to read.
func logMissing(log io.Writer, f *compliance.Facts) {
	// One line per reason: a refused AssumeRoot leaves every group missing for the same reason.
	groups := map[string][]string{}
	for _, group := range slices.Sorted(maps.Keys(f.Missing)) {
		if why := f.Missing[group]; !awsfacts.OutOfTaskScope(why) {
			groups[why] = append(groups[why], group)
		}
	}
	for _, why := range slices.Sorted(maps.Keys(groups)) {
		fmt.Fprintf(log, "rootward: account %s: %s not read: %s\n", f.Account, strings.Join(groups[why], ", "), tableCell(why))
	}
}
