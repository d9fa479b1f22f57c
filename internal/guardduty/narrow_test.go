package guardduty

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// ListFindings and the statistics give, with a narrowing criterion, exactly what checking every
// finding gives: every operator, both orders, bounds at, between and beyond the values.
func TestNarrowedReadsMatchTheScan(t *testing.T) {
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
	for i := range 40 {
		clk.Advance(time.Second)
		api := fmt.Sprintf("api-%02d", i%25) // 15 of them repeat
		if err := gd.Analyse(ctx, &trail.Event{UserIdentity: trail.UserIdentity{Type: "Root", AccountID: account}, EventTime: clk.Now(),
			EventSource: "iam.amazonaws.com", EventName: api, AWSRegion: "us-east-1", RecipientAccountID: account}); err != nil {
			t.Fatal(err)
		}
	}
	at := func(s int) *int64 { v := time.Date(2026, 12, 6, 10, 0, s, 0, time.UTC).UnixMilli(); return &v }
	n := func(v int64) *int64 { return &v }
	criteria := map[string]Criteria{
		"api equals":           {"service.action.awsApiCallAction.api": {Eq: []string{"api-07", "api-03", "api-99", "api-03"}}},
		"count 2":              {"service.count": {Equals: []string{"2"}}},
		"count at least 2":     {"service.count": {Gte: n(2)}},
		"count above 1 to 2":   {"service.count": {Gt: n(1), LessThanOrEqual: n(2)}},
		"updated 10s to 30s":   {"updatedAt": {Gte: at(10), Lt: at(30)}},
		"updated after 30s":    {"updatedAt": {GreaterThan: at(30)}},
		"updated at 12s":       {"updatedAt": {Lte: at(12), Gte: at(12)}},
		"empty bounds":         {"updatedAt": {Gt: at(20), Lt: at(10)}},
		"archived false":       {"service.archived": {Eq: []string{"false"}}},
		"two criteria":         {"service.count": {Gte: n(2)}, "updatedAt": {Lt: at(35)}},
		"not equals only":      {"service.action.awsApiCallAction.api": {Neq: []string{"api-01"}}},
		"severity exactly 2.0": {"severity": {Eq: []string{"2"}}},
	}
	sorts := []*Sort{nil, {AttributeName: "updatedAt", OrderBy: "DESC"}, {AttributeName: "updatedAt"},
		{AttributeName: "service.count", OrderBy: "DESC"}, {AttributeName: "service.action.awsApiCallAction.api", OrderBy: "DESC"},
		{AttributeName: "service.action.awsApiCallAction.api"}, {AttributeName: "createdAt", OrderBy: "DESC"}}
	var all []*findingRecord
	if err := st.View(ctx, func(tx store.Tx) error {
		all, err = allFindings(tx, account, "us-east-1", det.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for name, c := range criteria {
		for _, sort := range sorts {
			t.Run(fmt.Sprintf("%s sorted %v", name, sort), func(t *testing.T) {
				want, err := filter(all, account, c, sort)
				if err != nil {
					t.Fatal(err)
				}
				var wantIDs, got []string
				for _, r := range want {
					wantIDs = append(wantIDs, r.ID)
				}
				tok := ""
				for page := 0; page < 50; page++ {
					ids, next, err := gd.ListFindings(ctx, account, "us-east-1", det.ID, c, sort, tok, 3)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, ids...)
					if tok = next; tok == "" {
						break
					}
				}
				if !slices.Equal(got, wantIDs) {
					t.Errorf("ListFindings = %v\nwant %v", got, wantIDs)
				}
			})
		}
		t.Run(name+" statistics", func(t *testing.T) {
			want, err := filter(all, account, c, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, by := range GroupBy {
				groups, err := gd.GroupFindings(ctx, account, "us-east-1", det.ID, c, by)
				if err != nil {
					t.Fatal(err)
				}
				total := 0
				for _, g := range groups {
					total += g.Total
				}
				if total != len(want) {
					t.Errorf("GroupFindings by %s counts %d findings, want %d", by, total, len(want))
				}
			}
		})
	}
}
