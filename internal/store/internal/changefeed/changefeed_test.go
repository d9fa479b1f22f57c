package changefeed

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
)

// table is a changes table whose rows become visible when the test commits them, in any order.
type table struct {
	mu      sync.Mutex
	visible []Row
	fail    error
	pruned  int64
}

func (t *table) commit(seqs ...int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range seqs {
		t.visible = append(t.visible, Row{Seq: s, Change: change(s)})
	}
	slices.SortFunc(t.visible, func(a, b Row) int { return int(a.Seq - b.Seq) })
}

func change(seq int64) store.Change {
	return store.Change{Kind: "k", Account: "a", Key: string(rune('a' + seq))}
}

func (t *table) Max(context.Context) (int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fail != nil {
		return 0, t.fail
	}
	if len(t.visible) == 0 {
		return 0, nil
	}
	return t.visible[len(t.visible)-1].Seq, nil
}

func (t *table) Read(_ context.Context, after int64, holes []int64, limit int) ([]Row, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fail != nil {
		return nil, t.fail
	}
	var out []Row
	for _, r := range t.visible {
		if (r.Seq > after || slices.Contains(holes, r.Seq)) && len(out) < limit {
			out = append(out, r)
		}
	}
	return out, nil
}

func (t *table) Prune(_ context.Context, upTo int64, _ int) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pruned = upTo
	return 0, nil
}

// newHub returns a hub over tbl that is not started (the test polls by hand) and the changes it
// delivers.
func newHub(tbl *table) (*Hub, *testutil.Clock, func() []store.Change) {
	clk := testutil.NewClock(time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC))
	h := New(tbl, nil)
	h.now = clk.Now
	var mu sync.Mutex
	var got []store.Change
	h.subs = append(h.subs, subscriber{0, func(b []store.Change) {
		mu.Lock()
		got = append(got, b...)
		mu.Unlock()
	}})
	return h, clk, func() []store.Change {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}
}

// A row numbered below one already read, committed later (PostgreSQL takes numbers before
// commit), is still read by the poll; a number that never commits is given up after holeWait.
func TestPollReadsRowsCommittedOutOfOrder(t *testing.T) {
	tbl := &table{}
	tbl.commit(1, 2)
	h, clk, got := newHub(tbl)
	ctx := context.Background()
	h.poll(ctx) // starts at lookback before the newest: reads 1 and 2
	if g := got(); !slices.Equal(g, []store.Change{change(1), change(2)}) {
		t.Fatalf("first poll delivered %q, want rows 1 and 2", g)
	}
	tbl.commit(5) // 3 and 4 still running
	h.poll(ctx)
	if g := got(); !slices.Equal(g, []store.Change{change(5)}) {
		t.Fatalf("delivered %q, want row 5", g)
	}
	tbl.commit(4)
	h.poll(ctx)
	if g := got(); !slices.Equal(g, []store.Change{change(4)}) {
		t.Fatalf("delivered %q, want row 4, committed after 5", g)
	}
	h.poll(ctx)
	if g := got(); len(g) != 0 {
		t.Fatalf("a poll with nothing new delivered %q", g)
	}
	h.mu.Lock()
	holes := len(h.holes)
	h.mu.Unlock()
	if holes != 1 {
		t.Fatalf("%d numbers looked for, want 1 (3)", holes)
	}
	clk.Advance(holeWait + time.Second)
	h.poll(ctx)
	h.mu.Lock()
	holes = len(h.holes)
	h.mu.Unlock()
	if holes != 0 {
		t.Fatalf("%d numbers still looked for after holeWait, want 0", holes)
	}
}

// Rows this process committed count as seen: the poll does not deliver them again, and the
// numbers they skip are looked for.
func TestLocalRowsAreSeen(t *testing.T) {
	tbl := &table{}
	h, _, got := newHub(tbl)
	ctx := context.Background()
	h.poll(ctx)
	tbl.commit(2)
	h.Local([]Row{{Seq: 2, Change: change(2)}})
	if g := got(); !slices.Equal(g, []store.Change{change(2)}) {
		t.Fatalf("Local delivered %q, want row 2", g)
	}
	tbl.commit(1) // another process's, committed after ours
	h.poll(ctx)
	if g := got(); !slices.Equal(g, []store.Change{change(1)}) {
		t.Fatalf("poll delivered %q, want only row 1", g)
	}
}

// The feed is healthy while its reads succeed, unhealthy once none has for StaleAfter, and moves
// its epoch when it comes back after an outage long enough for rows to have been pruned.
func TestHealthAndEpoch(t *testing.T) {
	tbl := &table{}
	h, clk, _ := newHub(tbl)
	ctx := context.Background()
	if _, ok := h.State(); ok {
		t.Fatal("healthy before the first read")
	}
	h.poll(ctx)
	epoch, ok := h.State()
	if !ok {
		t.Fatal("unhealthy after a read")
	}
	tbl.fail = errors.New("down")
	clk.Advance(StaleAfter / 2)
	h.poll(ctx)
	if _, ok := h.State(); !ok {
		t.Fatal("unhealthy half of StaleAfter after the last read")
	}
	clk.Advance(StaleAfter)
	if _, ok := h.State(); ok {
		t.Fatal("healthy with no read for longer than StaleAfter")
	}
	tbl.fail = nil
	h.poll(ctx)
	if e, ok := h.State(); !ok || e != epoch {
		t.Fatalf("after a short outage: epoch %d (healthy %v), want %d (true)", e, ok, epoch)
	}
	tbl.fail = errors.New("down")
	clk.Advance(Retention)
	h.poll(ctx)
	tbl.fail = nil
	h.poll(ctx)
	if e, ok := h.State(); !ok || e == epoch {
		t.Fatalf("after an outage of Retention: epoch %d (healthy %v), want a new one", e, ok)
	}
}

// Pruning deletes up to the highest number seen Retention ago, never rows a slower node may
// still need.
func TestPruneKeepsRetention(t *testing.T) {
	tbl := &table{}
	tbl.commit(1, 2, 3)
	h, clk, _ := newHub(tbl)
	ctx := context.Background()
	h.poll(ctx)
	h.prune(ctx) // samples 3
	if tbl.pruned != 0 {
		t.Fatalf("pruned up to %d at once, want nothing", tbl.pruned)
	}
	tbl.commit(4)
	h.poll(ctx)
	clk.Advance(Retention)
	h.prune(ctx)
	if tbl.pruned != 3 {
		t.Fatalf("pruned up to %d, want 3 (the highest seen Retention ago)", tbl.pruned)
	}
}
