package portal

import (
	"context"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// sweepBatch bounds the records one transaction of Sweep reads, so that a large backlog does not
// hold the writer for long.
const sweepBatch = 256

// Sweep deletes the portal's expired records — pending sign-ins (ten minutes), portal sessions
// (SessionLifetime), SAML AuthnRequests and the IDs of used assertions — and returns how many it
// removed. A lookup past their expiry fails anyway; sweeping keeps the sign-ins that browsers
// started and never finished, and the sessions nobody signed out of, from piling up. `rootward
// serve` runs it every minute with the root-user service's housekeeping.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.Now()
	removed := 0
	for _, sweep := range []func() (int, error){
		func() (int, error) {
			return sweepKind(ctx, s, pendings, now, func(r *pendingRecord) time.Time { return r.ExpiresAt })
		},
		func() (int, error) {
			return sweepKind(ctx, s, sessions, now, func(r *sessionRecord) time.Time { return r.ExpiresAt })
		},
		func() (int, error) {
			return sweepKind(ctx, s, authnRequests, now, func(r *authnRequestRecord) time.Time { return r.ExpiresAt })
		},
		func() (int, error) {
			return sweepKind(ctx, s, usedAssertions, now, func(r *usedAssertionRecord) time.Time { return r.ExpiresAt })
		},
	} {
		n, err := sweep()
		removed += n
		if err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// sweepKind deletes kind's expired records (all global), a batch of sweepBatch per transaction.
func sweepKind[R any](ctx context.Context, s *Service, kind *store.Kind[R], now time.Time, expires func(*R) time.Time) (int, error) {
	removed, after := 0, ""
	for {
		var page []store.Entry[R]
		var n int
		err := s.update(ctx, func(t txn) error {
			var err error
			if page, err = kind.List(t, "", "", after, sweepBatch); err != nil {
				return err
			}
			n, err = deleteExpired(t, kind, page, now, expires)
			return err
		})
		if err != nil {
			return removed, err
		}
		if removed += n; len(page) < sweepBatch {
			return removed, nil
		}
		after = page[len(page)-1].Key
	}
}

// deleteExpired deletes the records of page (of kind) whose expiry is not after now, and returns
// how many.
func deleteExpired[R any](t txn, kind *store.Kind[R], page []store.Entry[R], now time.Time, expires func(*R) time.Time) (int, error) {
	n := 0
	for _, e := range page {
		if !now.Before(expires(e.Record)) {
			if err := kind.Delete(t, "", e.Key); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
