package storetest

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// RunEvents runs the conformance suite of the event log (store.EventLog). open must return a
// fresh, empty store and arrange for it to be closed; it is called once per subtest.
func RunEvents(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"AppendAndLookup", testEventLookup},
		{"Paging", testEventPaging},
		{"DuplicateID", testEventDuplicate},
		{"Expire", testEventExpire},
		{"ExpireMixed", testEventExpireMixed},
		{"Scan", testEventScan},
		{"ConcurrentAppend", testEventConcurrent},
		{"CanceledAppend", testEventCanceled},
		{"BodyNotKept", testEventBodyNotKept},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var eventBase = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// sampleEvents are 12 events of two accounts: account A's differ in every column, one per minute.
func sampleEvents() []*store.StoredEvent {
	var out []*store.StoredEvent
	for i := range 10 {
		out = append(out, &store.StoredEvent{
			Account: "111122223333", Time: eventBase.Add(time.Duration(i) * time.Minute),
			ID: fmt.Sprintf("id-%02d", i), Name: []string{"CreateUser", "ListUsers"}[i%2],
			Source:   []string{"iam.amazonaws.com", "sts.amazonaws.com", "signin.amazonaws.com"}[i%3],
			UserName: []string{"alice", "bob"}[i/5], AccessKey: []string{"AKIA1", "AKIA2", ""}[i%3],
			ResourceType: []string{"AWS::IAM::User", ""}[i%2], ResourceName: []string{"carol", ""}[i%2],
			ReadOnly: i%2 == 1, Body: []byte(fmt.Sprintf(`{"n":%d}`, i)),
		})
	}
	out = append(out,
		&store.StoredEvent{Account: "444455556666", Time: eventBase, ID: "other-1", Name: "CreateUser", UserName: "alice", Body: []byte("{}")},
		&store.StoredEvent{Account: "444455556666", Time: eventBase.Add(time.Hour), ID: "other-2", Name: "ListUsers", UserName: "alice", Body: []byte{}},
	)
	return out
}

func appendEvents(t *testing.T, s store.Store, events []*store.StoredEvent) {
	t.Helper()
	if err := s.AppendEvents(context.Background(), events); err != nil {
		t.Fatalf("AppendEvents: %v", err)
	}
}

func lookup(t *testing.T, s store.Store, q store.EventQuery) []store.StoredEvent {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 1000
	}
	got, err := s.LookupEvents(context.Background(), q)
	if err != nil {
		t.Fatalf("LookupEvents(%+v): %v", q, err)
	}
	return got
}

func eventIDs(events []store.StoredEvent) []string {
	ids := []string{}
	for _, e := range events {
		ids = append(ids, e.ID)
	}
	return ids
}

func testEventLookup(t *testing.T, s store.Store) {
	events := sampleEvents()
	appendEvents(t, s, events[:4])
	appendEvents(t, s, events[4:])
	for i := 1; i < len(events); i++ {
		if events[i].Seq <= events[i-1].Seq {
			t.Fatalf("seq of event %d = %d after %d; want increasing in append order", i, events[i].Seq, events[i-1].Seq)
		}
	}
	yes, no := true, false
	ids := func(n ...int) []string {
		out := []string{}
		for _, i := range n {
			out = append(out, fmt.Sprintf("id-%02d", i))
		}
		return out
	}
	const a = "111122223333"
	cases := []struct {
		name string
		q    store.EventQuery
		want []string
	}{
		{"all of one account", store.EventQuery{Account: a}, ids(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"newest first", store.EventQuery{Account: a, Newest: true, Limit: 3}, ids(9, 8, 7)},
		{"limit", store.EventQuery{Account: a, Limit: 2}, ids(0, 1)},
		{"other account", store.EventQuery{Account: "444455556666"}, []string{"other-1", "other-2"}},
		{"unknown account", store.EventQuery{Account: "999999999999"}, []string{}},
		{"event name", store.EventQuery{Account: a, Name: "CreateUser"}, ids(0, 2, 4, 6, 8)},
		{"event source", store.EventQuery{Account: a, Source: "sts.amazonaws.com"}, ids(1, 4, 7)},
		{"user name", store.EventQuery{Account: a, UserName: "bob", Newest: true}, ids(9, 8, 7, 6, 5)},
		{"user name is case-sensitive", store.EventQuery{Account: a, UserName: "Bob"}, []string{}},
		{"access key", store.EventQuery{Account: a, AccessKey: "AKIA2"}, ids(1, 4, 7)},
		{"resource type", store.EventQuery{Account: a, ResourceType: "AWS::IAM::User"}, ids(0, 2, 4, 6, 8)},
		{"resource name", store.EventQuery{Account: a, ResourceName: "carol", Newest: true, Limit: 2}, ids(8, 6)},
		{"read-only", store.EventQuery{Account: a, ReadOnly: &yes}, ids(1, 3, 5, 7, 9)},
		{"not read-only", store.EventQuery{Account: a, ReadOnly: &no}, ids(0, 2, 4, 6, 8)},
		{"event ID", store.EventQuery{Account: a, ID: "id-03"}, ids(3)},
		{"event ID of another account", store.EventQuery{Account: a, ID: "other-1"}, []string{}},
		{"two filters", store.EventQuery{Account: a, UserName: "alice", Name: "ListUsers"}, ids(1, 3)},
		{"start and end inclusive", store.EventQuery{Account: a, Start: eventBase.Add(2 * time.Minute), End: eventBase.Add(4 * time.Minute)}, ids(2, 3, 4)},
		{"start with filter, newest first", store.EventQuery{Account: a, Start: eventBase.Add(5 * time.Minute), Name: "CreateUser", Newest: true}, ids(8, 6)},
		{"end only", store.EventQuery{Account: a, End: eventBase.Add(time.Minute - time.Microsecond)}, ids(0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := eventIDs(lookup(t, s, tc.q)); !slices.Equal(got, tc.want) {
				t.Errorf("got %v; want %v", got, tc.want)
			}
		})
	}
	t.Run("columns and body read back", func(t *testing.T) {
		got := lookup(t, s, store.EventQuery{Account: a})
		for i, g := range got {
			w := events[i]
			if g.Seq != w.Seq || g.Account != w.Account || !g.Time.Equal(w.Time) || g.Time.Location() != time.UTC ||
				g.ID != w.ID || g.Name != w.Name || g.Source != w.Source || g.UserName != w.UserName ||
				g.AccessKey != w.AccessKey || g.ResourceType != w.ResourceType || g.ResourceName != w.ResourceName ||
				g.ReadOnly != w.ReadOnly || !bytes.Equal(g.Body, w.Body) {
				t.Errorf("event %d = %+v; want %+v", i, g, *w)
			}
		}
		other := lookup(t, s, store.EventQuery{Account: "444455556666"})
		if len(other) != 2 || other[1].Body == nil || len(other[1].Body) != 0 {
			t.Errorf("empty body read back as %#v; want an empty, non-nil slice", other[1].Body)
		}
	})
	t.Run("any bytes in a column", func(t *testing.T) {
		// Request parameters are what a client sent: NUL and invalid UTF-8 included.
		odd := "a\x00b\xff"
		appendEvents(t, s, []*store.StoredEvent{{Account: a, Time: eventBase, ID: "odd", UserName: odd, ResourceName: odd, Name: odd, Body: []byte("{}")}})
		got := lookup(t, s, store.EventQuery{Account: a, UserName: odd, ResourceName: odd})
		if len(got) != 1 || got[0].UserName != odd || got[0].ResourceName != odd || got[0].Name != odd {
			t.Errorf("got %+v; want the event with its bytes as stored", got)
		}
	})
	t.Run("microseconds kept", func(t *testing.T) {
		at := eventBase.Add(30*time.Second + 123456*time.Microsecond + 789)
		appendEvents(t, s, []*store.StoredEvent{{Account: "777788889999", Time: at, ID: "fine", Body: []byte("{}")}})
		got := lookup(t, s, store.EventQuery{Account: "777788889999"})
		if len(got) != 1 || !got[0].Time.Equal(at.Truncate(time.Microsecond)) {
			t.Errorf("got %v; want one event at %s", got, at.Truncate(time.Microsecond))
		}
	})
	t.Run("limit must be positive", func(t *testing.T) {
		if _, err := s.LookupEvents(context.Background(), store.EventQuery{Account: a}); err == nil {
			t.Error("LookupEvents with limit 0 succeeded; want an error")
		}
	})
}

// Paging through events of one time (seq breaks the tie) and of many, in both orders, with each
// page continuing after the last event of the one before, gives every event once.
func testEventPaging(t *testing.T, s store.Store) {
	const a = "111122223333"
	var events []*store.StoredEvent
	for i := range 23 {
		// Three events per second, appended out of time order: time, then seq, orders them.
		at := eventBase.Add(time.Duration((i*7)%23/3) * time.Second)
		events = append(events, &store.StoredEvent{Account: a, Time: at, ID: fmt.Sprintf("p%02d", i), UserName: "u", Body: []byte("{}")})
	}
	appendEvents(t, s, events)
	want := slices.Clone(events)
	slices.SortStableFunc(want, func(x, y *store.StoredEvent) int {
		if c := x.Time.Compare(y.Time); c != 0 {
			return c
		}
		return int(x.Seq - y.Seq)
	})
	var wantIDs []string
	for _, e := range want {
		wantIDs = append(wantIDs, e.ID)
	}
	for _, newest := range []bool{false, true} {
		for _, limit := range []int{1, 2, 3, 5, 23, 50} {
			t.Run(fmt.Sprintf("newest %v limit %d", newest, limit), func(t *testing.T) {
				var got []string
				q := store.EventQuery{Account: a, UserName: "u", Newest: newest, Limit: limit}
				for range 30 {
					page := lookup(t, s, q)
					got = append(got, eventIDs(page)...)
					if len(page) < limit {
						break
					}
					pos := page[len(page)-1].Pos()
					q.After = &pos
				}
				w := slices.Clone(wantIDs)
				if newest {
					slices.Reverse(w)
				}
				if !slices.Equal(got, w) {
					t.Errorf("got %v; want %v", got, w)
				}
			})
		}
	}
}

// An event whose ID is stored already is skipped, in a later batch and in the same one, and the
// stored one is kept unchanged.
func testEventDuplicate(t *testing.T, s store.Store) {
	const a = "111122223333"
	appendEvents(t, s, []*store.StoredEvent{{Account: a, Time: eventBase, ID: "dup", Name: "First", Body: []byte("1")}})
	again := []*store.StoredEvent{
		{Account: a, Time: eventBase, ID: "dup", Name: "Second", Body: []byte("2")},
		{Account: a, Time: eventBase, ID: "new", Name: "New", Body: []byte("3")},
		{Account: a, Time: eventBase, ID: "new", Name: "NewAgain", Body: []byte("4")},
	}
	appendEvents(t, s, again)
	if again[0].Seq != 0 || again[1].Seq == 0 || again[2].Seq != 0 {
		t.Errorf("seqs = %d, %d, %d; want 0 for each repeated ID, non-zero for the new one", again[0].Seq, again[1].Seq, again[2].Seq)
	}
	got := lookup(t, s, store.EventQuery{Account: a})
	if len(got) != 2 || got[0].Name != "First" || got[1].Name != "New" {
		t.Errorf("got %+v; want the first of each ID", got)
	}
}

func testEventExpire(t *testing.T, s store.Store) {
	ctx := context.Background()
	// One append per event. A backend that keeps events in blocks may still put several in one
	// block (SQLite indexes what was appended in the last moments together), and deletes only
	// whole blocks, hiding the rest: so the counts are bounded here, and what is seen is exact.
	for _, e := range sampleEvents() {
		appendEvents(t, s, []*store.StoredEvent{e})
	}
	cutoff := eventBase.Add(4 * time.Minute) // ids 0-3 and other-1 are before it
	if _, err := s.ExpireEvents(ctx, cutoff, 0); err == nil {
		t.Fatal("ExpireEvents with batch 0 succeeded; want an error")
	}
	counts := expireAll(t, s, cutoff, 2)
	first := sum(counts)
	if first > 5 {
		t.Errorf("deleted per batch %v: %d events; want at most the 5 before the cutoff", counts, first)
	}
	if got := eventIDs(lookup(t, s, store.EventQuery{Account: "111122223333", Limit: 2})); !slices.Equal(got, []string{"id-04", "id-05"}) {
		t.Errorf("oldest left = %v; want [id-04 id-05] (an event at the cutoff stays)", got)
	}
	if got := eventIDs(lookup(t, s, store.EventQuery{Account: "444455556666"})); !slices.Equal(got, []string{"other-2"}) {
		t.Errorf("other account left %v; want [other-2]", got)
	}
	// Batches of 1 take the rest of the first account's events.
	if counts := expireAll(t, s, eventBase.Add(time.Hour), 1); first+sum(counts) > 11 {
		t.Errorf("deleted per batch %v after %d; want at most 11 in all (every event but other-2)", counts, first)
	}
	if got := eventIDs(lookup(t, s, store.EventQuery{Account: "111122223333"})); len(got) != 0 {
		t.Errorf("left %v; want none", got)
	}
	if got := eventIDs(lookup(t, s, store.EventQuery{Account: "444455556666"})); !slices.Equal(got, []string{"other-2"}) {
		t.Errorf("other account left %v; want [other-2] (at the cutoff)", got)
	}
}

func sum(counts []int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// expireAll calls ExpireEvents until it deletes fewer than batch, and returns what each call
// deleted; each must delete at most batch, or batch + 63 on a backend that deletes whole blocks.
func expireAll(t *testing.T, s store.Store, before time.Time, batch int) []int {
	t.Helper()
	var counts []int
	for range 100 {
		n, err := s.ExpireEvents(context.Background(), before, batch)
		if err != nil {
			t.Fatal(err)
		}
		if n >= batch+64 {
			t.Fatalf("ExpireEvents(%d) deleted %d; want a bounded batch", batch, n)
		}
		counts = append(counts, n)
		if n < batch {
			return counts
		}
	}
	t.Fatalf("ExpireEvents still deleting after 100 batches: %v", counts)
	return nil
}

// Events of one batch on both sides of the cutoff: once ExpireEvents has deleted fewer than a
// batch, none before the cutoff is seen by lookups or scans, whether or not a backend could delete
// it yet, and every later one still is.
func testEventExpireMixed(t *testing.T, s store.Store) {
	events := sampleEvents()
	appendEvents(t, s, events)
	appendEvents(t, s, []*store.StoredEvent{{Account: "111122223333", Time: eventBase.Add(2 * time.Hour), ID: "late", Body: []byte("{}")}})
	cutoff := eventBase.Add(4*time.Minute + 30*time.Second)
	counts := expireAll(t, s, cutoff, 3)
	if deleted := sum(counts); deleted > 6 {
		t.Errorf("deleted %d events; want at most the 6 before the cutoff", deleted)
	}
	if got, want := eventIDs(lookup(t, s, store.EventQuery{Account: "111122223333"})), []string{"id-05", "id-06", "id-07", "id-08", "id-09", "late"}; !slices.Equal(got, want) {
		t.Errorf("left %v; want %v", got, want)
	}
	if got := eventIDs(lookup(t, s, store.EventQuery{Account: "111122223333", UserName: "alice", Newest: true})); len(got) != 0 {
		t.Errorf("alice's events left %v; want none (all before the cutoff)", got)
	}
	page, err := s.ScanEvents(context.Background(), nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := eventIDs(page), []string{"id-05", "id-06", "id-07", "id-08", "id-09", "other-2", "late"}; !slices.Equal(got, want) {
		t.Errorf("ScanEvents = %v; want %v", got, want)
	}
	// A record of an expired time appended later is expired too.
	appendEvents(t, s, []*store.StoredEvent{{Account: "111122223333", Time: eventBase, ID: "copied", Body: []byte("{}")}})
	if got := eventIDs(lookup(t, s, store.EventQuery{Account: "111122223333", ID: "copied"})); len(got) > 0 {
		counts := expireAll(t, s, cutoff, 3)
		if got := eventIDs(lookup(t, s, store.EventQuery{Account: "111122223333", ID: "copied"})); len(got) != 0 {
			t.Errorf("an expired copy is still seen after ExpireEvents deleted %v", counts)
		}
	}
}

// Concurrent appends (what several recorders on one database do) all land, with distinct seqs.
func testEventConcurrent(t *testing.T, s store.Store) {
	const writers, each = 8, 20
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e := &store.StoredEvent{Account: "111122223333", Time: eventBase, ID: fmt.Sprintf("w%d-%d", w, i), Body: []byte("{}")}
				if err := s.AppendEvents(context.Background(), []*store.StoredEvent{e}); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := lookup(t, s, store.EventQuery{Account: "111122223333", Limit: writers * each * 2})
	seqs := map[int64]bool{}
	for _, e := range got {
		seqs[e.Seq] = true
	}
	if len(got) != writers*each || len(seqs) != writers*each {
		t.Errorf("got %d events with %d distinct seqs; want %d of each", len(got), len(seqs), writers*each)
	}
}

// An append under a canceled context fails and stores nothing.
func testEventCanceled(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.AppendEvents(ctx, []*store.StoredEvent{{Account: "111122223333", Time: eventBase, ID: "x", Body: []byte("{}")}})
	if err == nil {
		t.Fatal("AppendEvents under a canceled context succeeded; want an error")
	}
	if got := lookup(t, s, store.EventQuery{Account: "111122223333"}); len(got) != 0 {
		t.Errorf("got %d events; want none", len(got))
	}
}

// ScanEvents walks every account's events in (time, seq) order, a page at a time.
func testEventScan(t *testing.T, s store.Store) {
	events := sampleEvents()
	appendEvents(t, s, events)
	want := slices.Clone(events)
	slices.SortStableFunc(want, func(x, y *store.StoredEvent) int {
		if c := x.Time.Compare(y.Time); c != 0 {
			return c
		}
		return cmp.Compare(x.Seq, y.Seq)
	})
	var wantIDs []string
	for _, e := range want {
		wantIDs = append(wantIDs, e.ID)
	}
	var (
		got   []string
		after *store.EventPos
	)
	for range len(events) + 1 {
		page, err := s.ScanEvents(context.Background(), after, 5)
		if err != nil {
			t.Fatalf("ScanEvents: %v", err)
		}
		if len(page) > 5 {
			t.Fatalf("ScanEvents returned %d events; want at most 5", len(page))
		}
		if len(page) == 0 {
			break
		}
		got = append(got, eventIDs(page)...)
		pos := page[len(page)-1].Pos()
		after = &pos
	}
	if !slices.Equal(got, wantIDs) {
		t.Errorf("ScanEvents pages = %v; want %v", got, wantIDs)
	}
	if _, err := s.ScanEvents(context.Background(), nil, 0); err == nil {
		t.Error("ScanEvents with limit 0 = nil error; want one")
	}
}

// testEventBodyNotKept: the log keeps no event's body buffer once AppendEvents returns (the trail's
// recorder reuses its buffers), so overwriting it afterwards changes nothing stored.
func testEventBodyNotKept(t *testing.T, s store.Store) {
	body := []byte(`{"n":1}`)
	appendEvents(t, s, []*store.StoredEvent{{Account: "111122223333", Time: eventBase, ID: "body-1", Name: "GetUser", Body: body}})
	copy(body, `{"n":2}`)
	got := lookup(t, s, store.EventQuery{Account: "111122223333"})
	if len(got) != 1 || string(got[0].Body) != `{"n":1}` {
		t.Fatalf("after the caller reused its buffer: %d events, bodies %q; want one, {\"n\":1}", len(got), eventBodies(got))
	}
	scanned, err := s.ScanEvents(context.Background(), nil, 10)
	if err != nil || len(scanned) != 1 || string(scanned[0].Body) != `{"n":1}` {
		t.Errorf("scan: %d events, bodies %q, error %v; want one, {\"n\":1}", len(scanned), eventBodies(scanned), err)
	}
}

func eventBodies(events []store.StoredEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = string(e.Body)
	}
	return out
}
