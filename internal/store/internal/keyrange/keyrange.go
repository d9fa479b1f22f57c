// Package keyrange turns the store's List and Count arguments (a key prefix and an exclusive
// `after` cursor) into one range of keys, and that range into a SQL condition, so that both SQL
// backends answer with an index range scan. LIKE is not used: its wildcards ('%', '_') would have
// to be escaped in every key, and its case and collation rules differ between SQLite and
// PostgreSQL, while the store promises plain bytewise comparison.
package keyrange

import (
	"strings"
)

// Range is a set of keys Lo < key < Hi (Lo inclusive when LoInclusive). A nil bound is open.
type Range struct {
	Lo          []byte
	LoInclusive bool
	Hi          []byte
}

// For returns the keys that start with prefix and sort strictly after `after`. An empty `after`
// means "from the beginning" and so does not exclude the empty key (store.Tx.List).
func For(prefix, after string) Range {
	var r Range
	if prefix != "" {
		// Every key with the prefix sorts at or after the prefix itself.
		r.Lo, r.LoInclusive = []byte(prefix), true
		r.Hi = prefixEnd(prefix)
	}
	// When after < prefix, every key with the prefix is already > after; otherwise the cursor is
	// the tighter bound. after == prefix excludes the prefix itself, as "strictly after" says.
	if after != "" && after >= prefix {
		r.Lo, r.LoInclusive = []byte(after), false
	}
	return r
}

// prefixEnd returns the smallest byte string greater than every string starting with prefix, or
// nil when there is none (the prefix is empty or all 0xFF bytes). Trailing 0xFF bytes cannot be
// incremented, so they are dropped and the byte before them is incremented: the end of "a\xff" is
// "b".
func prefixEnd(prefix string) []byte {
	end := []byte(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// Contains reports whether key lies in the range. The backends never call it; it states the
// meaning of a Range for tests and for anyone reading a backend's SQL.
func (r Range) Contains(key string) bool {
	if r.Lo != nil {
		if r.LoInclusive && key < string(r.Lo) || !r.LoInclusive && key <= string(r.Lo) {
			return false
		}
	}
	return r.Hi == nil || key < string(r.Hi)
}

// Where returns the SQL condition on column that selects the range (" AND col >= ? AND col < ?"
// or "" when both bounds are open) and the arguments it binds, in order. placeholder(n) renders
// the n-th argument of the whole statement ("?" for SQLite, "$n" for PostgreSQL); first is the
// number of arguments bound before this condition.
func (r Range) Where(column string, first int, placeholder func(n int) string) (string, []any) {
	var b strings.Builder
	var args []any
	bound := func(op string, v []byte) {
		args = append(args, v)
		b.WriteString(" AND " + column + " " + op + " " + placeholder(first+len(args)))
	}
	if r.Lo != nil {
		if r.LoInclusive {
			bound(">=", r.Lo)
		} else {
			bound(">", r.Lo)
		}
	}
	if r.Hi != nil {
		bound("<", r.Hi)
	}
	return b.String(), args
}
