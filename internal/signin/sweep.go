package signin

import (
	"context"
	"time"

	"github.com/rootward/rootward/internal/rootuser"
)

// Sweep deletes expired pending sign-ins and device cookies, and returns how many it removed. A
// lookup past their expiry fails anyway; sweeping keeps them from piling up. `rootward serve` runs
// it with the root-user service's housekeeping (rootuser.Service.Run).
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.Now()
	removed := 0
	for kind, expired := range map[string]func([]byte) (bool, error){
		kindPending: rootuser.ExpiresBefore(pendings, now, func(r *pendingRecord) time.Time { return r.ExpiresAt }),
		kindDevice:  rootuser.ExpiresBefore(deviceCookies, now, func(r *deviceRecord) time.Time { return r.ExpiresAt }),
	} {
		n, err := s.root.Purge(ctx, kind, expired)
		removed += n
		if err != nil {
			return removed, err
		}
	}
	return removed, nil
}
