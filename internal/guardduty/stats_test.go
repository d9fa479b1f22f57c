package guardduty

import (
	"context"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// A detector stored before its counters were kept has them built from its findings by the first
// statistics call, once; its deletion deletes them.
func TestStatsBuiltForOlderDetectors(t *testing.T) {
	t.Parallel()
	st := testbackend.Open(t)
	clk := testutil.NewClock(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	gd := New(Config{Store: st, Now: clk.Now})
	ctx := context.Background()
	const account = "111122223333"
	det, err := gd.CreateDetector(ctx, account, "us-east-1", CreateInput{Enable: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, api := range []string{"A", "B", "C", "A"} {
		clk.Advance(time.Second)
		if err := gd.Analyse(ctx, &trail.Event{UserIdentity: trail.UserIdentity{Type: "Root", AccountID: account}, EventTime: clk.Now(),
			EventSource: "iam.amazonaws.com", EventName: api, AWSRegion: "us-east-1", RecipientAccountID: account}); err != nil {
			t.Fatal(err)
		}
	}
	// As a detector of the previous version: no counters, Stats unset.
	if err := st.Update(ctx, func(tx store.Tx) error {
		r, _, err := detectors.Get(tx, account, det.ID)
		if err != nil {
			return err
		}
		r.Stats = 0
		if err := detectors.Put(tx, account, det.ID, r); err != nil {
			return err
		}
		return deleteStats(tx, account, det.ID)
	}); err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		counts, err := gd.CountBySeverity(ctx, account, "us-east-1", det.ID, nil)
		if err != nil || len(counts) != 1 || counts["2.0"] != 3 {
			t.Fatalf("round %d: CountBySeverity = %v, %v; want 2.0: 3", round, counts, err)
		}
	}
	if err := gd.DeleteDetector(ctx, account, "us-east-1", det.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.View(ctx, func(tx store.Tx) error {
		left, err := stats.List(tx, account, "", "", 0)
		if len(left) != 0 {
			t.Errorf("%d counters left after DeleteDetector, want none", len(left))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
