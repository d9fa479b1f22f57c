package rootuser

import (
	"context"
	"log/slog"
	"time"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/throttle"
)

// Housekeeping. Every record this package hands a token for has an expiry, and a lookup past it
// fails anyway; Sweep removes such records so they do not pile up, and finishes lost-MFA recoveries
// whose cooling-off has ended, so the devices go and the contacts hear of it on time even when
// nobody signs in.

// SweepResult counts what a Sweep did.
type SweepResult struct {
	RecoveriesCompleted int
	Removed             int
}

// Sweep completes due recoveries and deletes expired WebAuthn ceremonies, reset links, email
// changes and throttling counters idle for longer than Limits.Forget. (Pending sign-ins and device
// cookies are internal/signin's, swept by its Sweep.)
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	n, err := s.CompleteDueRecoveries(ctx)
	if err != nil {
		return res, err
	}
	res.RecoveriesCompleted = n
	now := s.Now()
	for _, k := range []struct {
		kind    string
		expired func(body []byte) (bool, error)
	}{
		{kindCeremony, expiresBefore(ceremonies, now, func(r *ceremonyRecord) time.Time { return r.ExpiresAt })},
		{kindReset, expiresBefore(resets, now, func(r *resetRecord) time.Time { return r.ExpiresAt })},
		{kindEmailChange, expiresBefore(emailChanges, now, func(r *emailChangeRecord) time.Time { return r.ExpiresAt })},
		{kindThrottle, throttle.Idle(now.Add(-s.limits.Forget))},
	} {
		removed, err := s.purge(ctx, k.kind, k.expired)
		if err != nil {
			return res, err
		}
		res.Removed += removed
	}
	return res, nil
}

// expiresBefore is purge's test for records of k whose expiry (at) is not after now.
func expiresBefore[R any](k *store.Kind[R], now time.Time, at func(*R) time.Time) func([]byte) (bool, error) {
	return func(b []byte) (bool, error) {
		r, err := k.Decode(b)
		if err != nil {
			return false, err
		}
		return !now.Before(at(r)), nil
	}
}

// purge deletes the expired records of a global kind, a batch per transaction so a large backlog
// does not hold the writer for long. The kinds it purges have no indexes, so deleting the object
// is deleting the record.
func (s *Service) purge(ctx context.Context, kind string, expired func([]byte) (bool, error)) (int, error) {
	removed, after := 0, ""
	for {
		var last string
		var n int
		err := s.update(ctx, func(t txn) error {
			last, n = "", 0
			items, err := t.List(kind, "", "", after, 256)
			if err != nil {
				return err
			}
			for _, it := range items {
				last = it.Key
				ok, err := expired(it.Body)
				if err != nil {
					return err
				}
				if ok {
					if err := t.Delete(kind, "", it.Key); err != nil {
						return err
					}
					n++
				}
			}
			if len(items) < 256 {
				last = ""
			}
			return nil
		})
		if err != nil {
			return removed, err
		}
		removed += n
		if last == "" {
			return removed, nil
		}
		after = last
	}
}

// Run sweeps every interval until ctx ends, with also after each Sweep (the sign-in service's
// housekeeping, whose removals count as Removed); `rootward serve` runs it beside the server.
func (s *Service) Run(ctx context.Context, interval time.Duration, log *slog.Logger, also ...func(context.Context) (int, error)) {
	if log == nil {
		log = slog.Default()
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		res, err := s.Sweep(ctx)
		for _, fn := range also {
			if err != nil {
				break
			}
			var n int
			n, err = fn(ctx)
			res.Removed += n
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Error("root-user housekeeping", "err", err)
		} else if res.RecoveriesCompleted > 0 || res.Removed > 0 {
			log.Info("root-user housekeeping", "recoveries_completed", res.RecoveriesCompleted, "removed", res.Removed)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
