package policy

import "strings"

// Context holds a request's condition keys and their values. Key names are case-insensitive, as
// AWS condition key names are ("Condition element", IAM User Guide: "Condition key names are not
// case-sensitive"); values are kept exactly as given, as strings in their wire form (numbers, dates,
// booleans, IP addresses and ARNs are parsed by the operator that uses them).
//
// A Context is reusable: Reset empties it and keeps its memory, so a server can keep one per
// worker. The zero value is ready to use. A Context is not safe for concurrent mutation.
type Context struct {
	idx     map[string]int // lower-cased key -> index in entries
	entries []ctxEntry
	arena   []string
}

type ctxEntry struct {
	key        string // as first given, for reports
	start, end int    // values are arena[start:end]
}

// Set sets key to values, replacing any earlier values. Set with no values records the key as
// present with an empty value set (ForAllValues treats it as empty; Null treats it as null).
func (c *Context) Set(key string, values ...string) {
	lk := strings.ToLower(key)
	if c.idx == nil {
		c.idx = make(map[string]int)
	}
	start := len(c.arena)
	c.arena = append(c.arena, values...)
	e := ctxEntry{key: key, start: start, end: len(c.arena)}
	if i, ok := c.idx[lk]; ok {
		c.entries[i] = e
		return
	}
	c.idx[lk] = len(c.entries)
	c.entries = append(c.entries, e)
}

// Get returns the values of key (case-insensitive) and whether it is present. The returned slice
// must not be modified.
func (c *Context) Get(key string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	return c.getLower(strings.ToLower(key))
}

// getLower looks up an already lower-cased key; it never allocates.
func (c *Context) getLower(lk string) ([]string, bool) {
	if c == nil || c.idx == nil {
		return nil, false
	}
	i, ok := c.idx[lk]
	if !ok {
		return nil, false
	}
	e := c.entries[i]
	return c.arena[e.start:e.end:e.end], true
}

// Keys returns the keys in the order they were first set (with the case of that first Set).
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	out := make([]string, len(c.entries))
	for i, e := range c.entries {
		out[i] = e.key
	}
	return out
}

// Reset removes every key and keeps the allocated memory for reuse.
func (c *Context) Reset() {
	clear(c.idx)
	c.entries = c.entries[:0]
	clear(c.arena) // drop references to the old strings
	c.arena = c.arena[:0]
}
