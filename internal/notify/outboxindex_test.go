package notify

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store/storetest"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
)

// TestOutboxReadsOnlyWhatItAnswers: a filtered or limited outbox query reads the index of its
// filter from the newest entry back, so it costs the entries it answers, not the outbox: three
// messages to one recipient among 200 others are found reading four index entries, the newest two
// of everything reading two, the last ten seconds' ten in a first batch of 16. Before, every query
// read every entry. On both backends (ROOTWARD_TEST_BACKEND=postgres).
func TestOutboxReadsOnlyWhatItAnswers(t *testing.T) {
	st := testbackend.Open(t)
	counter := &storetest.Counter{Store: st}
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	n, err := New(counter, testutil.Sealer(t), Config{}, WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	send := func(to, account, purpose, body string) {
		t.Helper()
		clock = clock.Add(time.Second)
		if err := n.Send(ctx, Message{Channel: Email, To: to, Subject: "s", Body: body, Account: account, Purpose: purpose}); err != nil {
			t.Fatal(err)
		}
	}
	// The oldest three are to the target (the recipient's case varies), then 200 to others.
	send("Target@Example.com", "111122223333", "password-reset", "t1")
	send("target@example.com", "444455556666", "alert", "t2")
	send("TARGET@EXAMPLE.COM", "111122223333", "alert", "t3")
	for i := range 200 {
		send(fmt.Sprintf("other%d@example.com", i%7), "444455556666", "alert", fmt.Sprintf("o%d", i))
	}
	newest := func(k int) []string {
		var out []string
		for i := 200 - k; i < 200; i++ {
			out = append(out, fmt.Sprintf("o%d", i))
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		q        Query
		want     []string
		maxReads int
	}{
		{"recipient", Query{To: "target@EXAMPLE.com"}, []string{"t1", "t2", "t3"}, 4},
		{"recipient and purpose", Query{To: "target@example.com", Purpose: "alert"}, []string{"t2", "t3"}, 4},
		{"recipient and account", Query{To: "target@example.com", Account: "111122223333"}, []string{"t1", "t3"}, 4},
		{"recipient, newest", Query{To: "target@example.com", Limit: 1}, []string{"t3"}, 1},
		{"account", Query{Account: "111122223333"}, []string{"t1", "t3"}, 3},
		{"purpose", Query{Purpose: "password-reset"}, []string{"t1"}, 2},
		{"newest two", Query{Limit: 2}, newest(2), 2},
		{"purpose, newest five", Query{Purpose: "alert", Limit: 5}, newest(5), 5},
		{"since", Query{Since: clock.Add(-9 * time.Second)}, newest(10), 16}, // a first batch of 16
		{"nobody", Query{To: "nobody@example.com"}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counter.Listed = 0
			got, err := n.Outbox(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var bodies []string
			for _, e := range got {
				bodies = append(bodies, e.Body)
			}
			if !slices.Equal(bodies, tc.want) {
				t.Errorf("got %q; want %q", bodies, tc.want)
			}
			if counter.Listed > tc.maxReads {
				t.Errorf("read %d index entries; want at most %d", counter.Listed, tc.maxReads)
			}
		})
	}
}
