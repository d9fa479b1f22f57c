package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The change feed's part of the contract (store.Feed, store.TrackReads, store.Cache).

// guard bounds every wait for something the feed must do. It is not a timing assertion: the
// waits end as soon as the condition holds, and guard only keeps a broken feed from hanging the
// test run.
const guard = 30 * time.Second

// collector is a subscriber that keeps every change it is given.
type collector struct {
	mu      sync.Mutex
	got     []store.Change
	changed chan struct{} // closed and replaced at each batch
}

func subscribe(t *testing.T, s store.Store) *collector {
	t.Helper()
	c := &collector{changed: make(chan struct{})}
	cancel := s.Changes().Subscribe(func(batch []store.Change) {
		c.mu.Lock()
		c.got = append(c.got, batch...)
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
	})
	t.Cleanup(cancel)
	return c
}

// has reports whether every change of want was delivered.
func (c *collector) has(want []store.Change) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range want {
		if !slices.Contains(c.got, w) {
			return false
		}
	}
	return true
}

func (c *collector) snapshot() []store.Change {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.got)
}

// waitFor waits until every change of want has been delivered, batch by batch.
func (c *collector) waitFor(t *testing.T, want []store.Change) {
	t.Helper()
	deadline := time.NewTimer(guard)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		ch := c.changed
		c.mu.Unlock()
		if c.has(want) {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("changes delivered: %q; want them to include %q", c.snapshot(), want)
		}
	}
}

// putAll commits the given keys under ("t", "a").
func putAll(t *testing.T, s store.Store, keys ...string) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, k := range keys {
			if err := tx.Put("t", "a", k, []byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
}

func chg(kind, account, key string) store.Change {
	return store.Change{Kind: kind, Account: account, Key: key}
}

// waitHealthy waits until the feed has read the database once.
func waitHealthy(t *testing.T, s store.Store) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for {
		if _, ok := s.Changes().State(); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the feed never became healthy")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func feedCases() []struct {
	name string
	fn   func(t *testing.T, s store.Store)
} {
	return []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"FeedLocalWrites", testFeedLocal},
		{"FeedHealthy", func(t *testing.T, s store.Store) { subscribe(t, s); waitHealthy(t, s) }},
		{"ReadTracking", testReadTracking},
		{"CacheFollowsWrites", testCacheFollowsWrites},
		{"CacheChangeDuringBuild", testCacheChangeDuringBuild},
	}
}

// Every object an Update wrote reaches this process's subscribers before Update returns; a
// rolled-back Update, a refused Insert or Delete and a View report nothing.
func testFeedLocal(t *testing.T, s store.Store) {
	ctx := context.Background()
	putAll(t, s, "old", "gone")
	c := subscribe(t, s)
	odd := "k\x00\xff"
	update(t, s, func(tx store.Tx) error {
		if err := tx.Insert("t", "a", "new", []byte("x")); err != nil {
			return err
		}
		if err := tx.Insert("t", "a", "old", []byte("x")); !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("insert of a taken key: %v", err)
		}
		if err := tx.Delete("t", "a", "none"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("delete of a missing key: %v", err)
		}
		if err := tx.Put("t", "a", "old", []byte("y")); err != nil {
			return err
		}
		if err := tx.Put("t", "a", "old", []byte("z")); err != nil {
			return err
		}
		if err := tx.Put("o\x00", "\xfe", odd, nil); err != nil {
			return err
		}
		return tx.Delete("t", "a", "gone")
	})
	// Delivered before Update returned: no waiting here.
	want := []store.Change{chg("t", "a", "new"), chg("t", "a", "old"), chg("o\x00", "\xfe", odd), chg("t", "a", "gone")}
	if !c.has(want) {
		t.Fatalf("changes when Update returned = %q, want them to include %q", c.snapshot(), want)
	}
	boom := errors.New("boom")
	if err := s.Update(ctx, func(tx store.Tx) error {
		_ = tx.Put("t", "a", "rolled-back", []byte("x"))
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.Get("t", "a", "viewed"); return err }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("View = %v, want ErrNotFound", err)
	}
	// A write after them: once it is delivered, anything they had reported would have been too.
	update(t, s, func(tx store.Tx) error { return tx.Put("t", "a", "marker", nil) })
	if !c.has([]store.Change{chg("t", "a", "marker")}) {
		t.Fatalf("changes when Update returned = %q, want them to include the marker", c.snapshot())
	}
	for _, ch := range c.snapshot() {
		if ch.Key == "rolled-back" || ch.Key == "viewed" || ch.Key == "none" {
			t.Errorf("change %q delivered; a rollback, a View, a refused Insert or Delete write nothing", ch)
		}
	}
}

// Transactions under a TrackReads context record every key they Get (found or not) and every
// prefix they List or Count, in View and in Update alike; Affected matches exact keys and keys
// under a prefix, within the same kind and account only.
func testReadTracking(t *testing.T, s store.Store) {
	putAll(t, s, "alice")
	ctx, rs := store.TrackReads(context.Background())
	if err := s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.Get("t", "a", "alice"); err != nil {
			return err
		}
		if _, err := tx.Get("t", "a", "missing"); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		_, err := tx.List("t", "a", "grp\x00", "x", 2)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.Count("u", "a", "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    store.Change
		want bool
	}{
		{"key read", chg("t", "a", "alice"), true},
		{"key read and not found", chg("t", "a", "missing"), true},
		{"other key", chg("t", "a", "bob"), false},
		{"same key, other account", chg("t", "b", "alice"), false},
		{"same key, other kind", chg("v", "a", "alice"), false},
		{"under a listed prefix, before the cursor", chg("t", "a", "grp\x00a"), true},
		{"the prefix itself", chg("t", "a", "grp\x00"), true},
		{"beside the prefix", chg("t", "a", "grp"), false},
		{"under a counted empty prefix", chg("u", "a", "anything"), true},
		{"counted kind, other account", chg("u", "b", "anything"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rs.Affected(tc.c); got != tc.want {
				t.Errorf("Affected(%q) = %v, want %v (keys %q, prefixes %q)", tc.c, got, tc.want, rs.Keys(), rs.Prefixes())
			}
		})
	}
}

// counted is a cache build that reads one key and a prefix, and counts its runs.
type counted struct {
	s    store.Store
	runs int
	// feed, when set, is the cache's feed; builtAt is how many changes it had delivered when
	// the last build began.
	feed    *steadyFeed
	builtAt int
}

func (b *counted) build(ctx context.Context) (string, error) {
	b.runs++
	if b.feed != nil {
		b.builtAt = b.feed.delivered()
	}
	var out string
	err := b.s.View(ctx, func(tx store.Tx) error {
		v, err := tx.Get("t", "a", "k")
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		items, err := tx.List("t", "a", "p/", "", 0)
		out = fmt.Sprintf("%s+%d", v, len(items))
		return err
	})
	return out, err
}

// cacheGet gets key from c and checks the value and whether it was built anew.
func cacheGet(t *testing.T, c *store.Cache[string, string], b *counted, want string, built bool) {
	t.Helper()
	runs, from := b.runs, b.builtAt
	got, err := c.Get(context.Background(), "entry", b.build)
	if err != nil {
		t.Fatal(err)
	}
	rebuilt := b.runs > runs
	if got == want && rebuilt && !built && b.feed != nil {
		// store.Feed may deliver a change again (on PostgreSQL the poll can repeat one the
		// writer delivered at commit): a repeat of a change to what the entry read, delivered
		// since its build began, drops it rightly.
		if ch, ok := b.feed.touchedSince(from); ok {
			t.Logf("built again after the feed repeated %q", ch)
			return
		}
	}
	if got != want || rebuilt != built {
		t.Fatalf("Get = %q (built: %v), want %q (built: %v)", got, rebuilt, want, built)
	}
}

// steadyFeed is a store's feed that always counts as healthy. The feed is healthy only while its
// last poll is under a second old, and on a loaded machine a poll can come late: a cache on the
// real feed then rebuilds an entry that nothing invalidated, which is right for the product but
// makes "not built again" depend on the scheduler. The invalidation tests use this feed so that
// only the changes delivered decide; FeedHealthy tests health itself. It keeps every change it
// delivers, for cacheGet.
type steadyFeed struct {
	store.Feed
	mu  sync.Mutex
	log []store.Change
}

func (f *steadyFeed) State() (uint64, bool) {
	epoch, _ := f.Feed.State()
	return epoch, true
}

func (f *steadyFeed) Subscribe(fn func([]store.Change)) func() {
	return f.Feed.Subscribe(func(batch []store.Change) {
		f.mu.Lock()
		f.log = append(f.log, batch...)
		f.mu.Unlock()
		fn(batch)
	})
}

func (f *steadyFeed) delivered() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.log)
}

// touchedSince returns a change to what counted's build reads (key k, prefix p/ of kind t in
// account a) among those delivered after the first from.
func (f *steadyFeed) touchedSince(from int) (store.Change, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ch := range f.log[from:] {
		if ch.Kind == "t" && ch.Account == "a" && (ch.Key == "k" || strings.HasPrefix(ch.Key, "p/")) {
			return ch, true
		}
	}
	return store.Change{}, false
}

// An entry is served until a write touches what it read, and only that.
func testCacheFollowsWrites(t *testing.T, s store.Store) {
	f := &steadyFeed{Feed: s.Changes()}
	c := store.NewCache[string, string](f, 10)
	t.Cleanup(c.Close)
	waitHealthy(t, s)
	b := &counted{s: s, feed: f}
	cacheGet(t, c, b, "+0", true)
	cacheGet(t, c, b, "+0", false)
	steps := []struct {
		name   string
		write  func(tx store.Tx) error
		want   string
		reread bool
	}{
		{"key created", func(tx store.Tx) error { return tx.Put("t", "a", "k", []byte("v")) }, "v+0", true},
		{"other key", func(tx store.Tx) error { return tx.Put("t", "a", "q", []byte("v")) }, "v+0", false},
		{"same key, other account", func(tx store.Tx) error { return tx.Put("t", "b", "k", []byte("w")) }, "v+0", false},
		{"under the prefix", func(tx store.Tx) error { return tx.Put("t", "a", "p/1", nil) }, "v+1", true},
		{"beside the prefix", func(tx store.Tx) error { return tx.Put("t", "a", "p", nil) }, "v+1", false},
		{"key deleted", func(tx store.Tx) error { return tx.Delete("t", "a", "k") }, "+1", true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			update(t, s, st.write)
			cacheGet(t, c, b, st.want, st.reread)
			cacheGet(t, c, b, st.want, false)
		})
	}
}

// A change that arrives while an entry is being built keeps the entry out of the cache: the build
// may have read the object before the change.
func testCacheChangeDuringBuild(t *testing.T, s store.Store) {
	f := &steadyFeed{Feed: s.Changes()}
	c := store.NewCache[string, string](f, 10)
	t.Cleanup(c.Close)
	waitHealthy(t, s)
	b := &counted{s: s, feed: f}
	racing := func(ctx context.Context) (string, error) {
		v, err := b.build(ctx)
		update(t, s, func(tx store.Tx) error { return tx.Put("t", "a", "k", []byte("new")) })
		return v, err
	}
	if got, err := c.Get(context.Background(), "entry", racing); err != nil || got != "+0" {
		t.Fatalf("Get = %q, %v; want +0", got, err)
	}
	cacheGet(t, c, b, "new+0", true)
	cacheGet(t, c, b, "new+0", false)
}

func sharedFeedCases() []struct {
	name string
	fn   func(t *testing.T, open Opener)
} {
	return []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"FeedAcrossHandles", testFeedAcrossHandles},
		{"FeedLargeTransactionAcrossHandles", testFeedLargeTransaction},
		{"CacheAcrossHandles", testCacheAcrossHandles},
	}
}

// A write through one handle reaches the subscribers of another (another process).
func testFeedAcrossHandles(t *testing.T, open Opener) {
	a, b := mustOpen(t, open), mustOpen(t, open)
	c := subscribe(t, b)
	waitHealthy(t, b)
	for i := range 3 {
		key := fmt.Sprintf("k%d\x00", i)
		update(t, a, func(tx store.Tx) error { return tx.Put("t", "acct", key, nil) })
		c.waitFor(t, []store.Change{chg("t", "acct", key)})
	}
}

// A transaction writing more than a notification can carry reaches the other handle whole.
func testFeedLargeTransaction(t *testing.T, open Opener) {
	a, b := mustOpen(t, open), mustOpen(t, open)
	c := subscribe(t, b)
	waitHealthy(t, b)
	var want []store.Change
	update(t, a, func(tx store.Tx) error {
		for i := range 300 {
			ch := store.Change{Kind: "t", Account: "acct", Key: fmt.Sprintf("%s-%04d", strings.Repeat("x", 40), i)}
			want = append(want, ch)
			if err := tx.Put(ch.Kind, ch.Account, ch.Key, nil); err != nil {
				return err
			}
		}
		return nil
	})
	c.waitFor(t, want)
}

// One handle's cache drops the entry another handle's write made stale.
func testCacheAcrossHandles(t *testing.T, open Opener) {
	a, s := mustOpen(t, open), mustOpen(t, open)
	c := store.NewCache[string, string](s.Changes(), 10)
	t.Cleanup(c.Close)
	seen := subscribe(t, s)
	waitHealthy(t, s)
	b := &counted{s: s}
	cacheGet(t, c, b, "+0", true)
	update(t, a, func(tx store.Tx) error { return tx.Put("t", "a", "k", []byte("remote")) })
	// The cache subscribed before the collector, and subscribers get a batch in the order they
	// subscribed: once the collector has the change, the cache has dropped the entry.
	seen.waitFor(t, []store.Change{chg("t", "a", "k")})
	cacheGet(t, c, b, "remote+0", true)
}

// WriteLog is a store that keeps what its Updates wrote, for tests that need to know which
// changes a call made (which objects another node's feed must deliver, which objects two calls
// both wrote).
type WriteLog struct {
	store.Store
	mu      sync.Mutex
	written []store.Change
}

// Update runs fn as the wrapped store's Update does and, once fn succeeds, notes what it wrote.
func (w *WriteLog) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	return w.Store.Update(ctx, func(tx store.Tx) error {
		o := store.Observe(ctx, tx)
		if err := fn(o); err != nil {
			return err
		}
		w.mu.Lock()
		w.written = append(w.written, o.Written()...)
		w.mu.Unlock()
		return nil
	})
}

// Take returns what the Updates wrote since the last Take.
func (w *WriteLog) Take() []store.Change {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.written
	w.written = nil
	return out
}
