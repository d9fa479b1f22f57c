package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/trail"
)

// serve refuses a --trail-retention that is negative, under a day or not a duration, before it
// touches the data directory.
func TestServeRefusesBadTrailRetention(t *testing.T) {
	cases := []struct {
		name, value, want string
	}{
		{"negative", "-24h", "must be 0 (keep every record) or at least 24h"},
		{"under a day", "90m", "must be 0 (keep every record) or at least 24h"},
		{"days are not a unit", "90d", "--trail-retention"},
		{"not a duration", "forever", "--trail-retention"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			_, stderr, code := run(t, "serve", "--data", data, "--addr", "127.0.0.1:0", "--trail-retention", tc.value)
			if code == 0 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want a failure naming %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("data directory written: %v", err)
			}
		})
	}
}

func TestCheckRetention(t *testing.T) {
	for _, tc := range []struct {
		d  time.Duration
		ok bool
	}{
		{0, true}, {24 * time.Hour, true}, {defaultTrailRetention, true},
		{-time.Hour, false}, {time.Second, false}, {24*time.Hour - time.Second, false},
	} {
		if err := checkRetention(tc.d); (err == nil) != tc.ok {
			t.Errorf("checkRetention(%s) = %v; want ok %v", tc.d, err, tc.ok)
		}
	}
	if defaultTrailRetention != 2160*time.Hour {
		t.Errorf("default retention = %s; want 2160h (90 days)", defaultTrailRetention)
	}
}

// serve's retention loop deletes the records older than the retention at once and again at every
// tick, in every account, and keeps the newer ones.
func TestExpireTrailLoop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := testbackend.Open(t)
	rec := trail.NewRecorder(st, nil)
	defer rec.Close()
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	record := func(account string, age time.Duration) {
		if err := rec.Record(&trail.Event{EventName: "ListUsers", EventType: trail.AwsAPICall, RecipientAccountID: account, EventTime: now.Add(-age)}); err != nil {
			t.Fatal(err)
		}
	}
	accounts := []string{"111122223333", "444455556666"}
	for _, a := range accounts {
		record(a, 91*24*time.Hour)
		record(a, 89*24*time.Hour)
	}

	tick := make(chan time.Time)
	done := make(chan struct{})
	go func() {
		defer close(done)
		expireTrail(ctx, rec, defaultTrailRetention, tick, func() time.Time { return now }, slog.New(slog.DiscardHandler))
	}()
	// The unbuffered tick is taken only once a pass has finished: the first one here.
	tick <- now
	// A record that is already too old when it arrives goes at a later tick: the pass this tick
	// starts begins after the record is stored, and has finished when the next tick is taken.
	record(accounts[0], 100*24*time.Hour)
	tick <- now
	tick <- now
	cancel()
	<-done

	for _, a := range accounts {
		p, err := trail.List(context.Background(), st, trail.Query{Account: a})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) != 1 || !p.Events[0].EventTime.Equal(now.Add(-89*24*time.Hour)) {
			t.Errorf("%s: got %d events left (%+v); want only the one 89 days old", a, len(p.Events), p.Events)
		}
	}
}
