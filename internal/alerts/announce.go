package alerts

import (
	"context"
	"errors"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// A change of the alert's settings is recorded in the trail and announced on EventBridge: its
// record goes on the owner account's default bus, where the account's rules (an SNS topic of the
// security team, say) see it, as they see every record. serve's trail feeds its bus directly
// (eventbridge.FollowTrail), but a command (`rootward alerts runbook --set`) runs in a process of
// its own, whose records no bus follows. So a process without a bus (Config.Announce nil) also
// queues each settings record in the store (kind "alerts.pending"), and the serve that runs the
// alert (Run, with Announce set) takes each queued record — told by the store's change feed,
// which reports other processes' writes — and puts it on the bus, once: the record is deleted in
// the transaction that claims it, so that of several nodes one announces it.

// AnnounceFunc puts a committed trail record on its account's default event bus
// (eventbridge.Service.PutRecord).
type AnnounceFunc func(e *trail.Event)

// pendingRecord is a settings change recorded by a process without a bus, waiting for serve to
// announce it (kind "alerts.pending", global, keyed by the record's event ID).
type pendingRecord struct {
	Event *trail.Event `json:"event"`
}

var pending = store.Define(store.Kind[pendingRecord]{Name: "alerts.pending", Version: 1})

// queue keeps e for serve to announce, when this process has no bus.
func (s *Service) queue(ctx context.Context, e *trail.Event) error {
	if s.cfg.Announce != nil || e.EventID == "" {
		return nil
	}
	return s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		return pending.Put(tx, "", e.EventID, &pendingRecord{Event: e})
	})
}

// pendingBatch bounds the queued records one transaction claims.
const pendingBatch = 64

// AnnouncePending puts every queued settings record on its account's bus and deletes it; it
// returns how many it announced. It does nothing without Config.Announce.
func (s *Service) AnnouncePending(ctx context.Context) (int, error) {
	if s.cfg.Announce == nil {
		return 0, nil
	}
	n := 0
	for {
		var claimed []*trail.Event
		err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
			claimed = claimed[:0]
			list, err := pending.List(tx, "", "", "", pendingBatch)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				return errNoneQueued
			}
			for _, it := range list {
				if it.Record.Event != nil {
					claimed = append(claimed, it.Record.Event)
				}
				if err := pending.Delete(tx, "", it.Key); err != nil {
					return err
				}
			}
			return nil
		})
		if errors.Is(err, errNoneQueued) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		for _, e := range claimed {
			s.cfg.Announce(e)
		}
		n += len(claimed)
	}
}

var errNoneQueued = errors.New("alerts: no queued record")
