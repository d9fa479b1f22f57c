package guardduty

import (
	"slices"
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/store"
)

// Criteria that narrow a read. A criterion on a field of the index "sorted" (sortFields) with
// equals or bounds holds only for findings whose entries lie in a few ranges of that field's
// entries: one per value it equals, or the one between its bounds. ListFindings reads only those
// ranges when the criterion is on the field it sorts by; GetFindingsStatistics reads them for a
// criterion on any indexed field (after the counters, stats.go, which answer a criterion on the
// grouped dimension's own field). What still reads more than the matches: a ListFindings criterion
// on another field than the sort's (read in sort order, each finding checked, at most scanLimit a
// call, with a token to go on), notEquals alone, and the fields every finding of a detector shares
// (accountId, region, resource.resourceType …), which have no entries of their own.

// span is a range of index entries: those whose key sorts after from and before stop.
type span struct{ from, stop string }

// spansOf returns the ranges of the index "sorted" under prefix (DETECTOR/FIELD/DIR/, c's field in
// descending order when desc) that hold every finding c can match, in index order; ok is false when
// c does not narrow (notEquals alone, or a field without entries of its own).
func spansOf(prefix string, c *compiled, desc bool) (spans []span, ok bool) {
	if !slices.Contains(sortFields, c.name) {
		return nil, false
	}
	enc := func(v string) string {
		if desc {
			return complement(v)
		}
		return v
	}
	if len(c.in) > 0 {
		for _, v := range c.in {
			e := enc(valueOf(c.f.kind, v))
			spans = append(spans, span{from: prefix + e, stop: prefix + e + "\x01"})
		}
		slices.SortFunc(spans, func(a, b span) int { return strings.Compare(a.from, b.from) })
		return slices.Compact(spans), true
	}
	if len(c.low)+len(c.high) == 0 {
		return nil, false
	}
	// The tightest bound of each side; the first of the index order is the low one ascending, the
	// high one descending.
	lo, hasLo := tightest(c.low, true)
	hi, hasHi := tightest(c.high, false)
	first, hasFirst, last, hasLast := lo, hasLo, hi, hasHi
	if desc {
		first, hasFirst, last, hasLast = hi, hasHi, lo, hasLo
	}
	sp := span{from: prefix, stop: prefix + "\xff\xff"}
	if hasFirst {
		sp.from = prefix + enc(numberValue(first.v))
		if !first.inclusive {
			sp.from += "\x01"
		}
	}
	if hasLast {
		sp.stop = prefix + enc(numberValue(last.v))
		if last.inclusive {
			sp.stop += "\x01"
		}
	}
	if sp.from >= sp.stop {
		return []span{}, true // the bounds leave nothing
	}
	return []span{sp}, true
}

// tightest is the tightest of bounds: the highest of lower bounds (low), the lowest of upper ones;
// of equal values the exclusive one.
func tightest(bounds []bound, low bool) (bound, bool) {
	if len(bounds) == 0 {
		return bound{}, false
	}
	t := bounds[0]
	for _, b := range bounds[1:] {
		switch {
		case b.v == t.v:
			t.inclusive = t.inclusive && b.inclusive
		case low == (b.v > t.v):
			t = b
		}
	}
	return t, true
}

// valueOf is a criterion's value as the index writes the field's values (sortValue).
func valueOf(k fieldKind, v string) string {
	switch k {
	case numberField, timeField:
		n, _ := strconv.ParseFloat(v, 64)
		return numberValue(n)
	case boolField:
		b, _ := strconv.ParseBool(v)
		return strconv.FormatBool(b)
	}
	return stringValue(v)
}

// within is the Source of src's entries that lie in spans (in index order, disjoint), in order;
// positions are src's. A range ends at the first entry past it; batches within a range grow from
// four entries, so a range costs at most about twice its entries, and four, read.
func within(src store.Source, spans []span) store.Source {
	return func(after string, n int) ([]store.Item, error) {
		var out []store.Item
		for _, sp := range spans {
			if len(out) >= n {
				break
			}
			if after >= sp.stop {
				continue
			}
			from := max(after, sp.from)
			// A range may hold one entry or thousands: batches grow from a few entries, so
			// that what is read past a range's end is at most about what it held.
			batch := 4
			for len(out) < n {
				want := min(n-len(out), batch)
				batch *= 2
				items, err := src(from, want)
				if err != nil {
					return nil, err
				}
				in := 0
				for _, it := range items {
					if it.Key >= sp.stop {
						break
					}
					in++
				}
				out = append(out, items[:in]...)
				if in < len(items) || len(items) < want {
					break
				}
				from = items[len(items)-1].Key
			}
		}
		return out, nil
	}
}

// narrowest picks, of cs, the criterion whose ranges to read: one on the field name when name is
// set (ListFindings' sort), else any that narrows, an equals list before bounds (the order in
// which they usually leave fewer findings; nothing is counted to choose). nil when none narrows.
func narrowest(cs []compiled, name string) *compiled {
	var best *compiled
	for i := range cs {
		c := &cs[i]
		if !slices.Contains(sortFields, c.name) || len(c.in)+len(c.low)+len(c.high) == 0 {
			continue
		}
		if name != "" {
			if c.name == name {
				return c
			}
			continue
		}
		if best == nil || len(best.in) == 0 && len(c.in) > 0 {
			best = c
		}
	}
	return best
}
