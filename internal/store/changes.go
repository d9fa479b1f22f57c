package store

import (
	"context"
	"sync"
)

// Change names one object that a committed Update inserted, replaced or deleted. It says which
// object changed, not how: a reader of the feed reads the object again if it needs it.
type Change struct {
	Kind, Account, Key string
}

// Feed reports the changes committed to a store by every process sharing its database: the
// changes of this process's own Updates before Update returns, those of other processes (other
// nodes on PostgreSQL, a CLI command on a SQLite file) within the backend's bound (LISTEN/NOTIFY,
// and a poll at least once a second). Caches use it to drop exactly the entries a write made
// stale, instead of expiring everything after a time.
type Feed interface {
	// Subscribe calls fn with every batch of changes committed from now on, until cancel is
	// called. fn runs on the goroutine that learned of the batch (the writer's, for this
	// process's Updates), must be quick and must not call into the store. A batch may repeat
	// changes already reported: invalidation is idempotent. Subscribers get each batch in the
	// order they subscribed.
	Subscribe(fn func(batch []Change)) (cancel func())
	// State returns the feed's epoch and whether it is healthy. While the feed is unhealthy
	// (it has not read the database's changes for over a second) nothing cached may be
	// trusted; the epoch moves when changes may have been lost (an outage longer than the
	// backend keeps changes for), so an entry built in an older epoch may never be trusted
	// again.
	State() (epoch uint64, healthy bool)
}

// ReadSet records the objects transactions read under one context (TrackReads): each key a Get or
// GetMany asked for, found or not, and each key prefix a List or Count ranged over. A cache entry
// built under a ReadSet depends on exactly those objects, so a change to any other leaves it
// valid. It is safe for concurrent use.
type ReadSet struct {
	parent   *ReadSet
	mu       sync.Mutex
	keys     map[Change]struct{}
	prefixes map[Change]struct{} // Key holds the prefix
}

type readSetKey struct{}

// TrackReads returns a context under which every View and Update transaction records what it
// reads into the returned ReadSet (and into any ReadSet ctx already carried).
func TrackReads(ctx context.Context) (context.Context, *ReadSet) {
	rs := &ReadSet{keys: map[Change]struct{}{}, prefixes: map[Change]struct{}{}}
	rs.parent, _ = ctx.Value(readSetKey{}).(*ReadSet)
	return context.WithValue(ctx, readSetKey{}, rs), rs
}

func (rs *ReadSet) addKey(c Change) {
	for ; rs != nil; rs = rs.parent {
		rs.mu.Lock()
		rs.keys[c] = struct{}{}
		rs.mu.Unlock()
	}
}

func (rs *ReadSet) addPrefix(c Change) {
	for ; rs != nil; rs = rs.parent {
		rs.mu.Lock()
		rs.prefixes[c] = struct{}{}
		rs.mu.Unlock()
	}
}

// Keys returns the objects read by key.
func (rs *ReadSet) Keys() []Change { return rs.list(rs.keys) }

// Prefixes returns the key ranges read, as (kind, account, prefix).
func (rs *ReadSet) Prefixes() []Change { return rs.list(rs.prefixes) }

func (rs *ReadSet) list(set map[Change]struct{}) []Change {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := make([]Change, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	return out
}

// Affected reports whether c changes something rs read: the same object, or an object under a
// prefix rs ranged over.
func (rs *ReadSet) Affected(c Change) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if _, ok := rs.keys[c]; ok {
		return true
	}
	for i := 0; i <= len(c.Key); i++ {
		if _, ok := rs.prefixes[Change{c.Kind, c.Account, c.Key[:i]}]; ok {
			return true
		}
	}
	return false
}

// Observed is a backend's transaction as its callers use it: it records what they read into the
// context's ReadSet, if any, and what they wrote, for the backend to publish on its Feed when the
// transaction commits. Backends wrap every transaction in one (Observe).
type Observed struct {
	tx      Tx
	reads   *ReadSet
	writes  []Change
	written map[Change]struct{}
}

// Observe wraps tx, a transaction run under ctx.
func Observe(ctx context.Context, tx Tx) *Observed {
	rs, _ := ctx.Value(readSetKey{}).(*ReadSet)
	return &Observed{tx: tx, reads: rs}
}

// ObserveReads wraps a read-only transaction run under ctx: tx itself when ctx tracks no reads.
func ObserveReads(ctx context.Context, tx Tx) Tx {
	if ctx.Value(readSetKey{}) == nil {
		return tx
	}
	return Observe(ctx, tx)
}

// Unwrap returns the backend's transaction, for a backend's own tests.
func (o *Observed) Unwrap() Tx { return o.tx }

// Written returns the objects the transaction inserted, replaced or deleted, each once, in the
// order first written.
func (o *Observed) Written() []Change { return o.writes }

func (o *Observed) wrote(kind, account, key string) {
	c := Change{kind, account, key}
	if o.written == nil {
		o.written = map[Change]struct{}{}
	}
	if _, ok := o.written[c]; ok {
		return
	}
	o.written[c] = struct{}{}
	o.writes = append(o.writes, c)
}

func (o *Observed) Get(kind, account, key string) ([]byte, error) {
	if o.reads != nil {
		o.reads.addKey(Change{kind, account, key})
	}
	return o.tx.Get(kind, account, key)
}

func (o *Observed) GetMany(kind, account string, keys []string) ([][]byte, error) {
	if o.reads != nil {
		for _, k := range keys {
			o.reads.addKey(Change{kind, account, k})
		}
	}
	return o.tx.GetMany(kind, account, keys)
}

func (o *Observed) Insert(kind, account, key string, body []byte) error {
	err := o.tx.Insert(kind, account, key, body)
	if err == nil {
		o.wrote(kind, account, key)
	}
	return err
}

func (o *Observed) Put(kind, account, key string, body []byte) error {
	err := o.tx.Put(kind, account, key, body)
	if err == nil {
		o.wrote(kind, account, key)
	}
	return err
}

func (o *Observed) Delete(kind, account, key string) error {
	err := o.tx.Delete(kind, account, key)
	if err == nil {
		o.wrote(kind, account, key)
	}
	return err
}

func (o *Observed) List(kind, account, prefix, after string, limit int) ([]Item, error) {
	if o.reads != nil {
		o.reads.addPrefix(Change{kind, account, prefix})
	}
	return o.tx.List(kind, account, prefix, after, limit)
}

// Scan reads a whole kind across accounts, for migrations; no cache entry is built from one, so it
// is not tracked.
func (o *Observed) Scan(kind string, after *Object, limit int) ([]Object, error) {
	return o.tx.Scan(kind, after, limit)
}

func (o *Observed) Count(kind, account, prefix string) (int, error) {
	if o.reads != nil {
		o.reads.addPrefix(Change{kind, account, prefix})
	}
	return o.tx.Count(kind, account, prefix)
}
