package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/rootward/rootward/internal/mpa"
)

// approvalSweepInterval is how often serve marks Multi-party approval's sessions past their window
// expired (mpa.Service.Sweep: each expiry is recorded in CloudTrail and told to the team). A
// session is also expired when it is next voted on or checked, so the interval only bounds how
// late the record and the message come.
const approvalSweepInterval = time.Minute

// sweepApprovals runs m's Sweep now and at every tick until ctx ends. A failed sweep is logged and
// tried again at the next tick.
func sweepApprovals(ctx context.Context, m *mpa.Service, tick <-chan time.Time, log *slog.Logger) {
	for {
		if err := m.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Error("multi-party approval: expiring sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}
