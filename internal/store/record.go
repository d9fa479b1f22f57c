package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// A Kind is one kind of stored record: its name in the store, the Go type R it is stored as, the
// version of that type, the steps that upgrade a body written by an older version, and the
// secondary indexes it keeps. Every Kind is declared once with Define (package-level), which
// registers it: Kinds lists them, and Migrate brings stored data up to them.
//
// A record's storage type R is its own, separate from any wire or domain shape: a field renamed in
// an API struct cannot silently lose stored data, and a change to R is a new Version with an
// Upgrade step, tested against the fixtures of the previous schema (internal/store/migratest).
//
// Indexes are maintained by Insert, Put and Delete in the caller's transaction, so a record and
// its index entries never disagree. An index entry is an object of kind "NAME#INDEX" in the
// record's account: for a unique index its key is the index value and its body the record's key;
// otherwise its key is value + "\x00" + record key, so a value prefix is a key range.
type Kind[R any] struct {
	// Name is the kind in the store. It may not contain '#'.
	Name string
	// Version of R; 1 for a kind's first typed version. Bodies carry the version they were written
	// with; a body with none (written before records were versioned) is version 0.
	Version int
	// Upgrade[v] turns the JSON of a version-v body into version v+1. A nil or missing step means
	// the JSON is unchanged (new fields start at their zero value), so a kind whose version-1
	// record kept the previous schema's JSON names needs none.
	Upgrade []func(body []byte) ([]byte, error)
	// Indexes are the secondary indexes, each computed from the record alone.
	Indexes []Index[R]
}

// Index is a secondary index of a Kind. Values returns the record's values in the index (none, one
// or several); a value may not contain "\x00" in a non-unique index. The index's name is part of
// its identity: an index whose Values changes meaning must be renamed, so that Migrate rebuilds it.
type Index[R any] struct {
	Name   string
	Unique bool
	Values func(key string, r *R) []string
}

// KindInfo describes a registered kind.
type KindInfo struct {
	Name    string
	Version int
	Indexes []string // index names, a unique one with a trailing "!"
}

// ErrIndexTaken is returned (wrapping ErrExists) when a write would give a unique index value a
// second record.
type ErrIndexTaken struct{ Kind, Index, Value string }

func (e *ErrIndexTaken) Error() string {
	return fmt.Sprintf("store: %s index %s already holds %q", e.Kind, e.Index, e.Value)
}

// Unwrap makes errors.Is(err, ErrExists) true.
func (e *ErrIndexTaken) Unwrap() error { return ErrExists }

// registered is what Migrate needs of a kind without knowing its type.
type registered interface {
	info() KindInfo
	// reindex rewrites the bodies of items older than the current version and writes the entries
	// of the named indexes for each.
	reindex(tx Tx, account string, items []Item, indexes []string) error
}

var (
	registryMu sync.Mutex
	registry   = map[string]registered{}
)

// Define registers k and returns it. It panics on a malformed declaration or a name already
// registered: declarations are package-level variables, so a mistake stops the program at start.
func Define[R any](k Kind[R]) *Kind[R] {
	if k.Name == "" || strings.Contains(k.Name, "#") || k.Version < 1 || len(k.Upgrade) > k.Version {
		panic(fmt.Sprintf("store: malformed kind %q (version %d, %d upgrade steps)", k.Name, k.Version, len(k.Upgrade)))
	}
	seen := map[string]bool{}
	for _, ix := range k.Indexes {
		if ix.Name == "" || strings.ContainsAny(ix.Name, "#!") || seen[ix.Name] || ix.Values == nil {
			panic(fmt.Sprintf("store: kind %q: malformed or repeated index %q", k.Name, ix.Name))
		}
		seen[ix.Name] = true
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[k.Name]; dup {
		panic(fmt.Sprintf("store: kind %q defined twice", k.Name))
	}
	p := &k
	registry[k.Name] = p
	return p
}

// Kinds lists every registered kind, by name.
func Kinds() []KindInfo {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := make([]KindInfo, 0, len(registry))
	for _, r := range registry {
		out = append(out, r.info())
	}
	slices.SortFunc(out, func(a, b KindInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func registeredKinds() []registered {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := make([]registered, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b registered) int { return strings.Compare(a.info().Name, b.info().Name) })
	return out
}

func (k *Kind[R]) info() KindInfo {
	ki := KindInfo{Name: k.Name, Version: k.Version}
	for _, ix := range k.Indexes {
		ki.Indexes = append(ki.Indexes, ix.indexID())
	}
	return ki
}

func (ix Index[R]) indexID() string {
	if ix.Unique {
		return ix.Name + "!"
	}
	return ix.Name
}

// IndexKind is the store kind that holds the entries of kind's index.
func IndexKind(kind, index string) string { return kind + "#" + index }

// envelope marks a versioned body: the byte, the version as a uvarint, then the record's JSON. No
// JSON text starts with 0x01, so a body without it is a version-0 body of the previous schema.
const envelope = 0x01

// encode returns the stored body of r.
func (k *Kind[R]) encode(r *R) ([]byte, error) {
	js, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("store: encode %s: %w", k.Name, err)
	}
	b := make([]byte, 1, 1+binary.MaxVarintLen64+len(js))
	b[0] = envelope
	b = binary.AppendUvarint(b, uint64(k.Version))
	return append(b, js...), nil
}

// version splits a stored body into its version and JSON.
func version(body []byte) (int, []byte, error) {
	if len(body) == 0 || body[0] != envelope {
		return 0, body, nil
	}
	v, n := binary.Uvarint(body[1:])
	if n <= 0 {
		return 0, nil, errors.New("store: malformed record envelope")
	}
	return int(v), body[1+n:], nil
}

// Decode turns a stored body into a record, upgrading it from the version it was written with.
func (k *Kind[R]) Decode(body []byte) (*R, error) {
	v, js, err := version(body)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", k.Name, err)
	}
	if v > k.Version {
		return nil, fmt.Errorf("store: %s record of version %d is newer than this program's %d", k.Name, v, k.Version)
	}
	for ; v < k.Version; v++ {
		if v >= len(k.Upgrade) {
			continue
		}
		if step := k.Upgrade[v]; step != nil {
			if js, err = step(js); err != nil {
				return nil, fmt.Errorf("store: upgrade %s from version %d: %w", k.Name, v, err)
			}
		}
	}
	r := new(R)
	if err := json.Unmarshal(js, r); err != nil {
		return nil, fmt.Errorf("store: decode %s: %w", k.Name, err)
	}
	return r, nil
}

// Get returns the record under (account, key); ok is false when there is none.
func (k *Kind[R]) Get(tx Tx, account, key string) (r *R, ok bool, err error) {
	body, err := tx.Get(k.Name, account, key)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	r, err = k.Decode(body)
	return r, err == nil, err
}

// Load reads the record under (account, key) into v and reports whether there was one; v is left
// as it was when there is none.
func (k *Kind[R]) Load(tx Tx, account, key string, v *R) (bool, error) {
	r, ok, err := k.Get(tx, account, key)
	if ok {
		*v = *r
	}
	return ok, err
}

// Insert stores a new record; ErrExists when the key is taken, or (as *ErrIndexTaken) when a
// unique index value is.
func (k *Kind[R]) Insert(tx Tx, account, key string, r *R) error {
	body, err := k.encode(r)
	if err != nil {
		return err
	}
	if err := tx.Insert(k.Name, account, key, body); err != nil {
		return err
	}
	return k.writeIndexes(tx, account, key, nil, r)
}

// Put stores r under (account, key), replacing any record there, and moves its index entries.
func (k *Kind[R]) Put(tx Tx, account, key string, r *R) error {
	old, _, err := k.Get(tx, account, key)
	if err != nil {
		return err
	}
	body, err := k.encode(r)
	if err != nil {
		return err
	}
	if err := tx.Put(k.Name, account, key, body); err != nil {
		return err
	}
	return k.writeIndexes(tx, account, key, old, r)
}

// Delete removes the record under (account, key) and its index entries; ErrNotFound if none.
func (k *Kind[R]) Delete(tx Tx, account, key string) error {
	old, ok, err := k.Get(tx, account, key)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	if err := tx.Delete(k.Name, account, key); err != nil {
		return err
	}
	return k.writeIndexes(tx, account, key, old, nil)
}

// DeleteIfExists removes the record if there is one.
func (k *Kind[R]) DeleteIfExists(tx Tx, account, key string) error {
	if err := k.Delete(tx, account, key); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}

// Entry is a record with its key.
type Entry[R any] struct {
	Key    string
	Record *R
}

// List returns up to limit records of account whose key starts with prefix and sorts after
// `after`, in key order (Tx.List).
func (k *Kind[R]) List(tx Tx, account, prefix, after string, limit int) ([]Entry[R], error) {
	items, err := tx.List(k.Name, account, prefix, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Entry[R], len(items))
	for i, it := range items {
		r, err := k.Decode(it.Body)
		if err != nil {
			return nil, err
		}
		out[i] = Entry[R]{it.Key, r}
	}
	return out, nil
}

// Range is the Source of account's records whose key starts with prefix (store.Range); decode an
// item's Body with Decode.
func (k *Kind[R]) Range(tx Tx, account, prefix string) Source {
	return Range(tx, k.Name, account, prefix)
}

// Lookup finds the record a unique index maps value to.
func (k *Kind[R]) Lookup(tx Tx, index, account, value string) (key string, r *R, ok bool, err error) {
	ix := k.index(index)
	if !ix.Unique {
		return "", nil, false, fmt.Errorf("store: %s index %s is not unique", k.Name, index)
	}
	b, err := tx.Get(IndexKind(k.Name, index), account, value)
	if errors.Is(err, ErrNotFound) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, err
	}
	key = string(b)
	r, ok, err = k.Get(tx, account, key)
	return key, r, ok, err
}

// IndexRange is the Source of the entries of a non-unique index whose value starts with
// valuePrefix, in (value, record key) order. Resolve turns an entry into its record.
func (k *Kind[R]) IndexRange(tx Tx, index, account, valuePrefix string) Source {
	if k.index(index).Unique {
		return func(string, int) ([]Item, error) {
			return nil, fmt.Errorf("store: %s index %s is unique; use Lookup", k.Name, index)
		}
	}
	return Range(tx, IndexKind(k.Name, index), account, valuePrefix)
}

// Count returns how many entries of a non-unique index have a value starting with valuePrefix.
func (k *Kind[R]) Count(tx Tx, index, account, valuePrefix string) (int, error) {
	return tx.Count(IndexKind(k.Name, index), account, valuePrefix)
}

// EntryKey returns the record key of a non-unique index entry's key. The value before it holds no
// NUL (putEntry refuses one), so the first NUL ends the value, whatever the record key holds.
func EntryKey(indexKey string) string {
	if i := strings.IndexByte(indexKey, 0); i >= 0 {
		return indexKey[i+1:]
	}
	return indexKey
}

// Resolve reads the record an index entry of IndexRange names; ok is false when it has gone.
func (k *Kind[R]) Resolve(tx Tx, account string, it Item) (key string, r *R, ok bool, err error) {
	key = EntryKey(it.Key)
	r, ok, err = k.Get(tx, account, key)
	return key, r, ok, err
}

// Resolved is the Source of the records the entries of src name, src being a range of one of k's
// non-unique indexes (IndexRange): each batch of entries is resolved with one Tx.GetMany instead
// of a Get per entry. An item keeps its entry's key, the position in the index, and carries the
// record's body, or a nil Body when the record has gone (a body is never nil otherwise): a
// reader passes such an item over, as it would an entry Resolve finds gone. Decode a Body with
// Decode; EntryKey(it.Key) is the record's key.
func (k *Kind[R]) Resolved(tx Tx, account string, src Source) Source {
	return func(after string, n int) ([]Item, error) {
		entries, err := src(after, n)
		if err != nil || len(entries) == 0 {
			return entries, err
		}
		keys := make([]string, len(entries))
		for i, it := range entries {
			keys[i] = EntryKey(it.Key)
		}
		bodies, err := tx.GetMany(k.Name, account, keys)
		if err != nil {
			return nil, err
		}
		for i := range entries {
			entries[i].Body = bodies[i]
		}
		return entries, nil
	}
}

func (k *Kind[R]) index(name string) Index[R] {
	for _, ix := range k.Indexes {
		if ix.Name == name {
			return ix
		}
	}
	panic(fmt.Sprintf("store: kind %s has no index %q", k.Name, name))
}

// writeIndexes moves the index entries of the record under key from old to new (nil: none).
func (k *Kind[R]) writeIndexes(tx Tx, account, key string, old, new *R) error {
	for _, ix := range k.Indexes {
		var was, is []string
		if old != nil {
			was = ix.Values(key, old)
		}
		if new != nil {
			is = ix.Values(key, new)
		}
		if err := k.moveEntries(tx, ix, account, key, was, is); err != nil {
			return err
		}
	}
	return nil
}

func (k *Kind[R]) moveEntries(tx Tx, ix Index[R], account, key string, was, is []string) error {
	kind := IndexKind(k.Name, ix.Name)
	for _, v := range was {
		if slices.Contains(is, v) {
			continue
		}
		if err := tx.Delete(kind, account, entryKey(ix, v, key)); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	for _, v := range is {
		if slices.Contains(was, v) {
			continue
		}
		if err := k.putEntry(tx, ix, account, key, v); err != nil {
			return err
		}
	}
	return nil
}

// putEntry writes one index entry; a unique value held by another record is ErrIndexTaken.
func (k *Kind[R]) putEntry(tx Tx, ix Index[R], account, key, v string) error {
	kind := IndexKind(k.Name, ix.Name)
	if !ix.Unique {
		if strings.IndexByte(v, 0) >= 0 {
			return fmt.Errorf("store: %s index %s value holds a NUL byte", k.Name, ix.Name)
		}
		return tx.Put(kind, account, entryKey(ix, v, key), nil)
	}
	err := tx.Insert(kind, account, v, []byte(key))
	if !errors.Is(err, ErrExists) {
		return err
	}
	holder, err := tx.Get(kind, account, v)
	if err != nil {
		return err
	}
	if string(holder) != key {
		return &ErrIndexTaken{Kind: k.Name, Index: ix.Name, Value: v}
	}
	return nil
}

func entryKey[R any](ix Index[R], value, key string) string {
	if ix.Unique {
		return value
	}
	return value + "\x00" + key
}

func (k *Kind[R]) reindex(tx Tx, account string, items []Item, indexes []string) error {
	for _, it := range items {
		v, _, err := version(it.Body)
		if err != nil {
			return fmt.Errorf("store: %s: %w", k.Name, err)
		}
		r, err := k.Decode(it.Body)
		if err != nil {
			return err
		}
		if v < k.Version {
			body, err := k.encode(r)
			if err != nil {
				return err
			}
			if err := tx.Put(k.Name, account, it.Key, body); err != nil {
				return err
			}
		}
		for _, ix := range k.Indexes {
			if !slices.Contains(indexes, ix.indexID()) {
				continue
			}
			for _, val := range ix.Values(it.Key, r) {
				if err := k.putEntry(tx, ix, account, it.Key, val); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
