package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/rootward/rootward/internal/cloudtrail"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail/logfiles"
	"github.com/spf13/cobra"
)

// trailFlags are serve's flags for CloudTrail log-file delivery.
type trailFlags struct {
	dir              string
	delivery, digest time.Duration
}

func (f *trailFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dir, "trail-dir", "", "the directory that stands in for S3 for trail log files and digests: a trail's files go under DIR/BUCKET/[PREFIX/]AWSLogs/… (default DATA/trails)")
	cmd.Flags().DurationVar(&f.delivery, "trail-delivery-interval", logfiles.DefaultDeliveryInterval, "how often trails' log files are delivered (at least 1s)")
	cmd.Flags().DurationVar(&f.digest, "trail-digest-interval", logfiles.DefaultDigestInterval, "how often digest files are delivered for trails with log file validation (at least 1s)")
}

// check refuses intervals under a second, before the data directory is touched.
func (f *trailFlags) check() error {
	if err := logfiles.CheckInterval("--trail-delivery-interval", f.delivery); err != nil {
		return err
	}
	return logfiles.CheckInterval("--trail-digest-interval", f.digest)
}

// startTrailDelivery starts log-file delivery in the background; the returned function stops it
// and waits until it has, so that it runs before the store closes.
func startTrailDelivery(ctx context.Context, d *dataFlags, f *trailFlags, svc *iam.Service, st store.Store, log *slog.Logger) (stop func(), err error) {
	key, err := d.masterKey(false)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	sealer, err := seal.New(key)
	if err != nil {
		return nil, err
	}
	dir := f.dir
	if dir == "" {
		dir = filepath.Join(d.dir, "trails")
	}
	o := orgs.New(svc)
	// The trails are CloudTrail's records (internal/cloudtrail), read from the same store as the
	// API server's CloudTrail writes them; the deliverer reports each trail's delivery back for
	// GetTrailStatus.
	ct := cloudtrail.New(svc, o)
	dl, err := logfiles.New(logfiles.Config{
		Store: st, Sealer: sealer, Dir: dir, Trails: ct.LoggingTrails, SetStatus: ct.SetDeliveryStatus,
		OrgOf: func(ctx context.Context, account string) (string, error) {
			org, err := o.OrganizationOf(ctx, account)
			if err != nil || org == nil {
				return "", err
			}
			return org.ID, nil
		},
		DeliveryInterval: f.delivery, DigestInterval: f.digest, Log: log,
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		dl.Run(ctx)
	}()
	return func() { cancel(); <-done }, nil
}

// trailCmd is `rootward trail`: the trails' delivered files.
func trailCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "trail", Short: "Work with the log files and digests trails deliver"}
	cmd.AddCommand(trailValidateCmd())
	return cmd
}

// trailValidateCmd checks a trail's log and digest files as `aws cloudtrail validate-logs` does.
func trailValidateCmd() *cobra.Command {
	var (
		d                  dataFlags
		name, dir          string
		startFlag, endFlag string
	)
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Validate a trail's log files and digests: name every file modified, deleted or added, and every break in the digest chain",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return &exitCode{2, errors.New("--trail is required: the trail's name or ARN")}
			}
			var start, end time.Time
			var err error
			if startFlag != "" {
				if start, err = time.Parse(time.RFC3339, startFlag); err != nil {
					return &exitCode{2, fmt.Errorf("--start-time %q: want an RFC 3339 time such as 2026-12-01T00:00:00Z", startFlag)}
				}
			}
			if endFlag != "" {
				if end, err = time.Parse(time.RFC3339, endFlag); err != nil {
					return &exitCode{2, fmt.Errorf("--end-time %q: want an RFC 3339 time such as 2026-12-01T00:00:00Z", endFlag)}
				}
			}
			if !end.IsZero() && start.After(end) {
				return &exitCode{2, errors.New("invalid time range specified: --start-time must occur before --end-time")}
			}
			ctx := cmd.Context()
			_, st, err := d.open(ctx, false)
			if err != nil {
				return err
			}
			defer st.Close()
			r, err := logfiles.Validate(ctx, st, logfiles.ValidateInput{Trail: name, Dir: dir, Start: start, End: end}, time.Now())
			switch {
			case errors.Is(err, logfiles.ErrNoTrail), errors.Is(err, logfiles.ErrAmbiguous):
				return &exitCode{2, fmt.Errorf("--trail %s: %w", name, err)}
			case errors.Is(err, logfiles.ErrNoDigests):
				return &exitCode{1, fmt.Errorf("trail %s: %w", name, err)}
			case err != nil:
				return err
			}
			out := cmd.OutOrStdout()
			const show = "2006-01-02T15:04:05Z"
			if r.Start.IsZero() {
				r.Start = r.FoundStart // from the first digest
			}
			fmt.Fprintf(out, "Validating log files for trail %s between %s and %s\n\n", r.Trail, r.Start.Format(show), r.End.Format(show))
			for _, p := range r.Problems {
				fmt.Fprintln(out, p.String())
			}
			for _, n := range r.Notes {
				fmt.Fprintln(out, n)
			}
			if len(r.Problems)+len(r.Notes) > 0 {
				fmt.Fprintln(out)
			}
			fmt.Fprintf(out, "Results requested for %s to %s\n", r.Start.Format(show), r.End.Format(show))
			if r.FoundEnd.IsZero() {
				fmt.Fprintln(out, "No valid digests found in range")
			} else {
				fmt.Fprintf(out, "Results found for %s to %s:\n", r.FoundStart.Format(show), r.FoundEnd.Format(show))
			}
			fmt.Fprintln(out)
			ratio(out, r.DigestsValid, r.Digests, "digest")
			ratio(out, r.LogFilesValid, r.LogFiles, "log")
			if len(r.Problems) > 0 {
				return &exitCode{1, fmt.Errorf("trail %s: %d problem(s) found", name, len(r.Problems))}
			}
			return nil
		},
	}
	d.register(cmd.Flags())
	cmd.Flags().StringVar(&name, "trail", "", "the trail's name or ARN")
	cmd.Flags().StringVar(&startFlag, "start-time", "", "validate files delivered from this RFC 3339 time on (default: from the first)")
	cmd.Flags().StringVar(&endFlag, "end-time", "", "validate files delivered up to this RFC 3339 time (default: now)")
	cmd.Flags().StringVar(&dir, "trail-dir", "", "the directory serve's --trail-dir named (default: where the trail's files were delivered)")
	return cmd
}

// ratio prints "N/M NAME files valid" and the invalid share, as validate-logs does.
func ratio(out interface{ Write([]byte) (int, error) }, valid, total int, name string) {
	if total == 0 {
		return
	}
	fmt.Fprintf(out, "%d/%d %s files valid", valid, total, name)
	if total > valid {
		fmt.Fprintf(out, ", %d/%d %s files INVALID", total-valid, total, name)
	}
	fmt.Fprintln(out)
}
