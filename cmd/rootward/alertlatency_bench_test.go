package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/alerts"
	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/trail"
)

// BenchmarkAlertLatency measures issue 12's alert delivery latency (target: p99 ≤ 5 s) over serve's
// wiring on SQLite: each root call's CloudTrail record is committed by the recorder, followed by
// the account's default event bus, matched by the alert's managed rule, and emailed by the alert
// to the root email in the outbox. The latency of one call is from its Record to the end of the
// alert's delivery (the email stored in the outbox). It reports p50 and p99 in milliseconds
// (p50-ms, p99-ms), for calls one at a time (sequential) and for b.N calls at once (burst), e.g.
//
//	go test -run '^$' -bench AlertLatency -benchtime 200x ./cmd/rootward
//
// A benchmark, not a test: the figures depend on the machine and its load.
func BenchmarkAlertLatency(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The outbox notifier logs every message at Info: thousands of lines here.
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler))
	w := newWired(b)
	a, err := w.svc.CreateAccount(ctx, "prod", "root@prod.example", "")
	if err != nil {
		b.Fatal(err)
	}
	bus := eventbridge.New(w.st)
	bus.FollowTrail(w.rec)
	mon, err := newMonitoring(w.st, w.svc, &rootServices{root: w.root, org: w.org, notifier: w.n}, bus, w.rec, "http://localhost", nil)
	if err != nil {
		b.Fatal(err)
	}
	// Each alert's end, by the eventID of the record it is about.
	var mu sync.Mutex
	done := map[string]chan time.Time{}
	bus.HandleTargets(alerts.TargetService, func(ctx context.Context, target string, payload []byte) error {
		err := mon.alerts.HandleTarget(ctx, target, payload)
		end := time.Now()
		var ev struct {
			Detail struct {
				EventID string `json:"eventID"`
			} `json:"detail"`
		}
		if json.Unmarshal(payload, &ev) == nil {
			mu.Lock()
			ch := done[ev.Detail.EventID]
			mu.Unlock()
			if ch != nil && err == nil {
				ch <- end
			}
		}
		return err
	})
	bus.Start(ctx)
	defer bus.Close()
	mon.run(ctx)
	if err := mon.alerts.EnsureAll(ctx); err != nil {
		b.Fatal(err)
	}

	seq := 0
	// call records one root call and returns when it was recorded and the channel of its alert.
	call := func() (time.Time, chan time.Time) {
		seq++
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", seq)
		ch := make(chan time.Time, 1)
		mu.Lock()
		done[id] = ch
		mu.Unlock()
		empty := ""
		ev := &trail.Event{EventID: id, EventSource: "iam.amazonaws.com", EventName: "ListUsers", EventType: trail.AwsAPICall,
			SourceIPAddress: "203.0.113.9", RecipientAccountID: a.ID,
			UserIdentity: trail.UserIdentity{Type: "Root", PrincipalID: a.ID, AccountID: a.ID, AccessKeyID: &empty}}
		start := time.Now()
		if err := w.rec.Record(ev); err != nil {
			b.Fatal(err)
		}
		return start, ch
	}
	wait := func(start time.Time, ch chan time.Time) time.Duration {
		select {
		case end := <-ch:
			return end.Sub(start)
		case <-time.After(time.Minute): // a bound on a hung run, not a measurement
			b.Fatal("no alert delivered")
		}
		return 0
	}
	report := func(b *testing.B, lat []time.Duration) {
		slices.Sort(lat)
		pct := func(p float64) float64 {
			return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
		}
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	}
	b.Run("sequential", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for b.Loop() {
			lat = append(lat, wait(call()))
		}
		report(b, lat)
	})
	b.Run("burst", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for b.Loop() {
			starts := make([]time.Time, 0, 50)
			chans := make([]chan time.Time, 0, 50)
			for range 50 {
				s, ch := call()
				starts, chans = append(starts, s), append(chans, ch)
			}
			for i := range chans {
				lat = append(lat, wait(starts[i], chans[i]))
			}
		}
		report(b, lat)
	})
	sent, err := w.n.Outbox(ctx, notify.Query{Purpose: alerts.Purpose})
	if err != nil || len(sent) < seq {
		b.Errorf("%d alert emails in the outbox, %v; want at least %d, one per root call", len(sent), err, seq)
	}
}
