package store

import (
	"context"
	"sync"
)

// Cache keeps values built from stored objects until one of those objects changes. Each entry
// remembers what its build read (TrackReads); a change on the store's Feed to one of those objects
// (the same key, or a key under a prefix the build listed) drops the entry, on every node. Nothing
// else expires an entry, except the size bound.
//
// An entry is built from snapshots taken after its build began; a change that arrives while it is
// being built may or may not be in them, so an entry whose reads such a change touched is not
// kept. While the feed is unhealthy no entry is served, and an entry built in an older epoch of
// the feed never is: the caller always gets a value built from the database then.
type Cache[K comparable, V any] struct {
	feed   Feed
	max    int
	cancel func()

	mu       sync.Mutex
	entries  map[K]*cacheEntry[K, V]
	byKey    map[Change]map[*cacheEntry[K, V]]struct{}
	byPrefix map[Change]map[*cacheEntry[K, V]]struct{}
	scopes   map[[2]string]int // (kind, account) → prefixes indexed in it, to skip the rest fast
	building map[*cacheBuild]struct{}
}

type cacheEntry[K comparable, V any] struct {
	key            K
	val            V
	epoch          uint64
	keys, prefixes []Change
	dropped        bool
}

// cacheBuild collects the changes delivered while one build runs.
type cacheBuild struct {
	batches [][]Change
}

// NewCache returns a cache of at most max entries whose entries follow feed.
func NewCache[K comparable, V any](feed Feed, max int) *Cache[K, V] {
	c := &Cache[K, V]{
		feed: feed, max: max,
		entries:  map[K]*cacheEntry[K, V]{},
		byKey:    map[Change]map[*cacheEntry[K, V]]struct{}{},
		byPrefix: map[Change]map[*cacheEntry[K, V]]struct{}{},
		scopes:   map[[2]string]int{},
		building: map[*cacheBuild]struct{}{},
	}
	c.cancel = feed.Subscribe(c.invalidate)
	return c
}

// Close stops following the feed.
func (c *Cache[K, V]) Close() { c.cancel() }

// Len returns the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Get returns the entry of key, or builds it with build. build runs under a context that records
// what it reads; it must read the store only through that context, and only what its value
// depends on. An error from build is returned and nothing is cached.
func (c *Cache[K, V]) Get(ctx context.Context, key K, build func(ctx context.Context) (V, error)) (V, error) {
	epoch, healthy := c.feed.State()
	c.mu.Lock()
	if e := c.entries[key]; e != nil && healthy && e.epoch == epoch {
		c.mu.Unlock()
		return e.val, nil
	}
	b := &cacheBuild{}
	c.building[b] = struct{}{}
	c.mu.Unlock()

	tctx, rs := TrackReads(ctx)
	v, err := build(tctx)

	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.building, b)
	if err != nil {
		return v, err
	}
	for _, batch := range b.batches {
		for _, ch := range batch {
			if rs.Affected(ch) {
				return v, nil // fresh for this caller, maybe stale for the next
			}
		}
	}
	if now, ok := c.feed.State(); !ok || now != epoch {
		return v, nil
	}
	c.put(&cacheEntry[K, V]{key: key, val: v, epoch: epoch, keys: rs.Keys(), prefixes: rs.Prefixes()})
	return v, nil
}

// put adds e, replacing the entry of its key; c.mu is held.
func (c *Cache[K, V]) put(e *cacheEntry[K, V]) {
	if old := c.entries[e.key]; old != nil {
		c.drop(old)
	} else if len(c.entries) >= c.max {
		for _, victim := range c.entries { // an arbitrary one: map order
			c.drop(victim)
			break
		}
	}
	c.entries[e.key] = e
	for _, k := range e.keys {
		index(c.byKey, k, e)
	}
	for _, p := range e.prefixes {
		index(c.byPrefix, p, e)
		c.scopes[[2]string{p.Kind, p.Account}]++
	}
}

func index[E comparable](m map[Change]map[E]struct{}, c Change, e E) {
	set := m[c]
	if set == nil {
		set = map[E]struct{}{}
		m[c] = set
	}
	set[e] = struct{}{}
}

func unindex[E comparable](m map[Change]map[E]struct{}, c Change, e E) {
	if set := m[c]; set != nil {
		delete(set, e)
		if len(set) == 0 {
			delete(m, c)
		}
	}
}

// drop removes e; c.mu is held.
func (c *Cache[K, V]) drop(e *cacheEntry[K, V]) {
	if e.dropped {
		return
	}
	e.dropped = true
	if c.entries[e.key] == e {
		delete(c.entries, e.key)
	}
	for _, k := range e.keys {
		unindex(c.byKey, k, e)
	}
	for _, p := range e.prefixes {
		unindex(c.byPrefix, p, e)
		scope := [2]string{p.Kind, p.Account}
		if c.scopes[scope]--; c.scopes[scope] == 0 {
			delete(c.scopes, scope)
		}
	}
}

// invalidate drops the entries batch makes stale and notes the batch for the builds running.
func (c *Cache[K, V]) invalidate(batch []Change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for b := range c.building {
		b.batches = append(b.batches, batch)
	}
	var stale []*cacheEntry[K, V]
	for _, ch := range batch {
		for e := range c.byKey[ch] {
			stale = append(stale, e)
		}
		if c.scopes[[2]string{ch.Kind, ch.Account}] == 0 {
			continue
		}
		for i := 0; i <= len(ch.Key); i++ {
			for e := range c.byPrefix[Change{ch.Kind, ch.Account, ch.Key[:i]}] {
				stale = append(stale, e)
			}
		}
	}
	for _, e := range stale {
		c.drop(e)
	}
}
