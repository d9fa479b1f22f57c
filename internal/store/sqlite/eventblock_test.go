package sqlite

import (
	"bytes"
	"context"
	"fmt"
	mathrand "math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// Lookups read postings from both event_postings and event_recent (and across the move from one
// to the other), and from blocks of increasing UUIDv7 ranges and of ID postings alike: every
// attribute, both orders, in pages, agree with a plain filter of the events appended.
func TestEventPostingsAcrossTables(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "rootward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	const n = 3*recentSeqs + 100
	var all []*store.StoredEvent
	ms := base.UnixMilli()
	for i := 0; i < n; i += 50 {
		var batch []*store.StoredEvent
		for j := i; j < min(i+50, n); j++ {
			id := benchUUID(uint64(ms), uint64(j), 7)
			if j%7 == 0 {
				id = fmt.Sprintf("copied-%05d", j) // an ID posting
			}
			batch = append(batch, &store.StoredEvent{
				Account: []string{"111122223333", "444455556666"}[j%2], Time: base.Add(time.Duration(j/3) * time.Second),
				ID: id, Name: []string{"GetUser", "TagUser", "ListUsers"}[j%3], UserName: fmt.Sprintf("u%d", j%5),
				Source: "iam.amazonaws.com", ReadOnly: j%3 != 1, Body: []byte(fmt.Sprintf(`{"n":%d}`, j)),
			})
		}
		if err := db.AppendEvents(ctx, batch); err != nil {
			t.Fatal(err)
		}
		// Indexed batch by batch, so that the postings of the last ones are still in event_recent.
		if err := db.tail.flush(ctx); err != nil {
			t.Fatal(err)
		}
		all = append(all, batch...)
		ms += 2
	}
	var recent int
	if err := db.read.QueryRow(`SELECT count(DISTINCT block) FROM event_recent`).Scan(&recent); err != nil {
		t.Fatal(err)
	}
	if recent == 0 {
		t.Fatal("no postings in event_recent; the test wants both tables")
	}
	yes := true
	queries := []store.EventQuery{
		{Account: "111122223333"},
		{Account: "444455556666", UserName: "u3"},
		{Account: "111122223333", Name: "TagUser"},
		{Account: "111122223333", ReadOnly: &yes, UserName: "u1"},
		{Account: "444455556666", Source: "iam.amazonaws.com", Start: base.Add(100 * time.Second), End: base.Add(900 * time.Second)},
	}
	for i, q := range queries {
		var want []string
		for _, e := range all {
			if e.Account == q.Account && matches(e, q) && (q.Start.IsZero() || !e.Time.Before(q.Start)) && (q.End.IsZero() || !e.Time.After(q.End)) {
				want = append(want, e.ID)
			}
		}
		for _, newest := range []bool{false, true} {
			t.Run(fmt.Sprintf("query %d newest %v", i, newest), func(t *testing.T) {
				w := slices.Clone(want)
				if newest {
					slices.Reverse(w)
				}
				q := q
				q.Newest, q.Limit = newest, 97
				var got []string
				for range 100 {
					page, err := db.LookupEvents(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range page {
						got = append(got, e.ID)
					}
					if len(page) < q.Limit {
						break
					}
					pos := page[len(page)-1].Pos()
					q.After = &pos
				}
				if !slices.Equal(got, w) {
					t.Errorf("got %d events; want %d (first difference at %d)", len(got), len(w), firstDiff(got, w))
				}
			})
		}
	}
	t.Run("by ID", func(t *testing.T) {
		for _, i := range []int{0, 1, 7, recentSeqs + 3, n - 1, n - 7} {
			e := all[i]
			got, err := db.LookupEvents(ctx, store.EventQuery{Account: e.Account, ID: e.ID, Limit: 1})
			if err != nil || len(got) != 1 || got[0].Seq != e.Seq {
				t.Errorf("event %d by ID = %v, %v; want seq %d", i, got, err, e.Seq)
			}
		}
		// Appending them again stores nothing.
		again := []*store.StoredEvent{{Account: all[1].Account, Time: all[1].Time, ID: all[1].ID}, {Account: all[7].Account, Time: all[7].Time, ID: all[7].ID}}
		if err := db.AppendEvents(ctx, again); err != nil || again[0].Seq != 0 || again[1].Seq != 0 {
			t.Errorf("appending stored IDs again: seqs %d, %d, %v; want 0, 0", again[0].Seq, again[1].Seq, err)
		}
	})
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// blockPostings, which tries the previous event's posting of each attribute before its map, gives
// the postings a plain map per key gives (referencePostings), in the same order, for blocks of
// events whose values repeat, alternate and change.
func TestBlockPostingsAsMapped(t *testing.T) {
	rnd := mathrand.New(mathrand.NewPCG(1, 2))
	pick := func(vals ...string) string { return vals[rnd.IntN(len(vals))] }
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for round := range 200 {
		n := 1 + rnd.IntN(maxBlockEvents)
		events := make([]*store.StoredEvent, n)
		for i := range events {
			events[i] = &store.StoredEvent{Account: pick("111122223333", "444455556666"), Time: at.Add(time.Duration(rnd.IntN(60)) * time.Second),
				ID: fmt.Sprintf("id-%d-%d", round, i), Name: pick("GetUser", "TagUser", ""), Source: pick("iam.amazonaws.com", "sts.amazonaws.com"),
				UserName: pick("alice", "bob", ""), AccessKey: pick("AKIA1", ""), ResourceType: pick("AWS::IAM::User", ""),
				ResourceName: pick("alice", "carol", ""), ReadOnly: rnd.IntN(2) == 0}
		}
		withID := func(i int) bool { return (i+round)%3 == 0 }
		got, want := blockPostings(events, withID), referencePostings(events, withID)
		if len(got) != len(want) {
			t.Fatalf("round %d: %d postings; want %d", round, len(got), len(want))
		}
		for i := range got {
			if got[i].key != want[i].key || got[i].minTime != want[i].minTime || got[i].maxTime != want[i].maxTime ||
				!bytes.Equal(got[i].entries(), want[i].entries()) {
				t.Fatalf("round %d posting %d = %+v; want %+v", round, i, *got[i], *want[i])
			}
		}
	}
}

// referencePostings is blockPostings with a map lookup for every attribute of every event.
func referencePostings(events []*store.StoredEvent, withID func(i int) bool) []*posting {
	var out []*posting
	byKey := map[postingKey]*posting{}
	for i, e := range events {
		t := micros(e.Time)
		add := func(k postingKey) {
			p := byKey[k]
			if p == nil {
				p = &posting{key: k, minTime: t, maxTime: t}
				byKey[k] = p
				out = append(out, p)
			}
			p.idx, p.times = append(p.idx, byte(i)), append(p.times, t)
			p.minTime, p.maxTime = min(p.minTime, t), max(p.maxTime, t)
		}
		ro := "0"
		if e.ReadOnly {
			ro = "1"
		}
		add(postingKey{e.Account, attrAll, ""})
		add(postingKey{e.Account, attrReadOnly, ro})
		for _, a := range []struct {
			attr  int
			value string
		}{{attrName, e.Name}, {attrSource, e.Source}, {attrUser, e.UserName}, {attrKey, e.AccessKey},
			{attrResourceType, e.ResourceType}, {attrResourceName, e.ResourceName}} {
			if a.value != "" {
				add(postingKey{e.Account, a.attr, a.value})
			}
		}
		if withID(i) {
			add(postingKey{"", attrID, e.ID})
		}
	}
	return out
}
