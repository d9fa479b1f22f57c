package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/rootward/rootward/internal/accessadvisor"
	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/sns"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// snsDeliveryRetention is how long SNS's record of each delivery attempt is kept.
const snsDeliveryRetention = 7 * 24 * time.Hour

// watchers are the services that watch the trail and deliver what it shows: each account's default
// event bus (EventBridge), which sees every committed record, and SNS, which its rules' topic
// targets publish to.
type watchers struct {
	// rootSignIns sweeps Multi-party approval's root sign-ins (break-glass readiness, custody
	// attempts); serve runs it every minute.
	rootSignIns func(context.Context) (int, error)
	bus         *eventbridge.Service
	sns         *sns.Service
	// mon is GuardDuty and the root-activity alert on the bus (alerts.go), when serve built them.
	mon *monitoring
	// advisor keeps IAM's last-accessed evidence from the trail (internal/accessadvisor).
	advisor *accessadvisor.Service
	// approvals is Multi-party approval, whose expired sessions are swept (mpasweep.go).
	approvals *mpa.Service
	// portal sweeps the access portal's expired sign-ins and sessions (portal.Service.Sweep);
	// serve runs it every minute, with rootSignIns.
	portal func(context.Context) (int, error)
}

// newWatchers builds the watchers over st (the bus with opts, for tests) and ties them to the
// trail: EventBridge follows the recorder, and a rule's SNS target publishes as
// events.amazonaws.com on the rule's behalf, so the topic's policy decides (aws:SourceArn is the
// rule).
func newWatchers(st store.Store, rs *rootServices, rec *trail.Recorder, log *slog.Logger, base string, opts ...eventbridge.Option) *watchers {
	w := &watchers{
		bus: eventbridge.New(st, append([]eventbridge.Option{eventbridge.WithLogger(log)}, opts...)...),
		sns: sns.New(sns.Config{Store: st, Sealer: rs.sealer, Notifier: rs.notifier, PublicURL: base, Log: log}),
	}
	w.approvals = rs.mpa
	w.bus.FollowTrail(rec)
	w.bus.HandleTargets("sns", func(ctx context.Context, topicARN string, payload []byte) error {
		_, rule, _ := eventbridge.RuleFrom(ctx)
		if dedup, group := eventbridge.DeliveryFrom(ctx); group != "" {
			// A FIFO topic: the target's message group, and the delivery's deduplication ID, so
			// that a retried delivery is not numbered twice.
			_, err := w.sns.PublishFifoAs(ctx, "events.amazonaws.com", rule, topicARN, string(payload), group, dedup)
			return err
		}
		_, err := w.sns.PublishAs(ctx, "events.amazonaws.com", rule, topicARN, "", string(payload))
		return err
	})
	return w
}

// start runs the watchers' background work until ctx ends, and returns the function that stops it.
func (w *watchers) start(ctx context.Context, log *slog.Logger) (stop func()) {
	w.bus.Start(ctx)
	ctx, cancel := context.WithCancel(ctx)
	if w.mon != nil {
		w.mon.run(ctx)
	}
	done := make(chan struct{}, 4)
	go func() { w.sns.Run(ctx); done <- struct{}{} }()
	go func() {
		defer func() { done <- struct{}{} }()
		if w.approvals == nil {
			return
		}
		tick := time.NewTicker(approvalSweepInterval)
		defer tick.Stop()
		sweepApprovals(ctx, w.approvals, tick.C, log)
	}()
	go func() {
		if w.advisor != nil {
			w.advisor.Run(ctx)
		}
		done <- struct{}{}
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		hourly := time.NewTicker(time.Hour)
		defer hourly.Stop()
		for {
			if _, err := w.sns.PruneDeliveries(ctx, time.Now().Add(-snsDeliveryRetention)); err != nil && ctx.Err() == nil {
				log.Error("pruning SNS delivery records", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-hourly.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
		<-done
		<-done
		<-done
		w.bus.Close()
	}
}
