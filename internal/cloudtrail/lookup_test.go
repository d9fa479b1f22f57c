package cloudtrail

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// TestLookupRootPages pages through a lookup by Username "root" over a history where root's
// events are scattered among others': the lookup reads the root events' index, so every page but
// the last is full, and the pages together hold each root event once, newest first.
func TestLookupRootPages(t *testing.T) {
	t.Parallel()
	st := testbackend.Open(t)
	s := New(iam.New(st, testutil.Sealer(t)), nil)
	rec := trail.NewRecorder(st, nil)
	t.Cleanup(rec.Close)
	const account = "111122223333"
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var want []string
	for i := range 40 {
		e := &trail.Event{EventTime: start.Add(time.Duration(i) * time.Second), EventName: "E" + strconv.Itoa(i),
			EventSource: "iam.amazonaws.com", RecipientAccountID: account, UserIdentity: trail.UserIdentity{Type: "IAMUser", UserName: "alice"}}
		if i%7 == 0 || i == 38 || i == 39 {
			e.UserIdentity = trail.UserIdentity{Type: "Root", ARN: "arn:aws:iam::" + account + ":root"}
			want = append([]string{e.EventName}, want...)
		}
		if err := rec.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name  string
		limit int
	}{
		{"small pages", 2},
		{"pages that end between root events", 3},
		{"one per page", 1},
		{"everything at once", 50},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				if pages > 100 {
					t.Fatal("paging does not end")
				}
				p, err := s.LookupEvents(context.Background(), account, LookupQuery{HasAttribute: true, AttributeKey: AttrUsername, AttributeValue: "root", Limit: tc.limit, After: after})
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Events) > tc.limit || (p.Next != "" && len(p.Events) != tc.limit) {
					t.Fatalf("page of %d events with next %q, want %d (fewer only on the last page)", len(p.Events), p.Next, tc.limit)
				}
				for _, e := range p.Events {
					got = append(got, e.EventName)
				}
				if p.Next == "" {
					break
				}
				after = p.Next
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
}
