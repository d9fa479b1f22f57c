// Package store defines Rootward's storage contract: a transactional, ordered key-value store of
// JSON-encoded objects, grouped by kind and account. Every API call runs in one transaction, so a
// failed call changes nothing; uniqueness (one user per name, one key per ID) is the primary key,
// so concurrent creates of one name give exactly one success on every backend and across processes
// sharing one database. The sqlite and postgres packages implement it and both pass the shared
// conformance suite in storetest.
//
// Keys are compared bytewise; List returns them in ascending byte order. Callers fold names to the
// case rules of the entity (IAM names are unique case-insensitively) before using them as keys.
// Kind, account and key may hold any bytes (NUL and invalid UTF-8 included); bodies are opaque.
package store

import (
	"context"
	"errors"
)

// ErrNotFound is returned by Get and Delete when no object has the key.
var ErrNotFound = errors.New("store: not found")

// ErrExists is returned by Insert when an object with the key already exists, including when a
// concurrent transaction inserted it first.
var ErrExists = errors.New("store: already exists")

// ErrReadOnly is returned by Insert, Put and Delete inside View. Backends also open View
// transactions read-only in the database, so this check is not the only guard.
var ErrReadOnly = errors.New("store: write in a read-only transaction")

// Item is one stored object.
type Item struct {
	Key  string
	Body []byte
}

// Object is one stored object with its account, as Scan returns it.
type Object struct {
	Account string
	Key     string
	Body    []byte
}

// Store is a database of objects.
type Store interface {
	// Update runs fn in a read-write transaction and commits it if fn returns nil. When fn returns
	// an error, or commit fails, nothing fn wrote is kept and the error is returned. A transaction
	// that loses a serialization conflict with another writer is retried transparently, so fn
	// must have no side effects outside tx. A panic in fn rolls the transaction back and is
	// re-raised. fn must not call Update on the same Store: a backend may have a single writer.
	// Errors from fn are returned unchanged, so errors.Is and awserr.As work on them.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// View runs fn in a read-only transaction with a consistent snapshot.
	View(ctx context.Context, fn func(tx Tx) error) error
	// Changes returns the store's change feed: every object a committed Update wrote, on this
	// process and on every other one sharing the database. Transactions run under a context of
	// TrackReads record what they read, so a cache can tell which changes concern an entry.
	Changes() Feed
	// Close releases the database.
	Close() error
	// EventLog is the trail's table (events.go). It is part of every Store so that a wrapper
	// embedding a Store (a test's fault injector, a read counter) passes it through.
	EventLog
}

// Tx is one transaction. Its methods are not safe for concurrent use.
type Tx interface {
	// Get returns the body stored under (kind, account, key); ErrNotFound if none.
	Get(kind, account, key string) ([]byte, error)
	// GetMany returns the bodies stored under (kind, account, keys[i]), one for each key in the
	// order of keys: nil where no object has the key (a stored body, even an empty one, is never
	// nil). A key may be repeated. Backends read the objects in one query (or one per few hundred
	// keys), so that resolving a page of index entries costs one read, not one per entry.
	GetMany(kind, account string, keys []string) ([][]byte, error)
	// Insert stores a new object; ErrExists if the key is taken.
	Insert(kind, account, key string, body []byte) error
	// Put stores an object, replacing any existing one.
	Put(kind, account, key string, body []byte) error
	// Delete removes an object; ErrNotFound if none.
	Delete(kind, account, key string) error
	// List returns up to limit objects of (kind, account) whose key starts with prefix and sorts
	// strictly after `after` (use "" to start at the beginning: an empty key, if stored, is then
	// listed first), in ascending key order. limit <= 0 means no limit. A page ends with the last
	// returned key; pass it as `after` to get the next one.
	List(kind, account, prefix, after string, limit int) ([]Item, error)
	// Count returns how many objects of (kind, account) have a key starting with prefix.
	Count(kind, account, prefix string) (int, error)
	// Scan returns up to limit (>= 1) objects of kind in every account, in (account, key) order,
	// after the position of `after` (its Account and Key; nil starts at the beginning). It is for
	// work over a whole kind (Migrate), not for answering requests.
	Scan(kind string, after *Object, limit int) ([]Object, error)
}
