package store

import "sort"

// Page is one page of a listing. When more items follow, Truncated is set and Last is the
// position of the last item returned: passed back as `after`, it resumes the listing with the
// next one. The services hand Last to the server, which seals it into the caller's Marker or
// NextToken.
type Page[T any] struct {
	Items     []T
	Truncated bool
	Last      string
}

// Source yields up to n items of a listing that sort strictly after the position `after` ("" is
// the beginning), in the listing's order; fewer than n means the listing ends there. Range reads
// a key range of the store; FromSorted and FromList page what a caller already holds.
type Source func(after string, n int) ([]Item, error)

// Range is the Source of the objects of (kind, account) whose key starts with prefix, in key
// order, read by the backend's ordered range scan (Tx.List): one page of n keys costs n keys read,
// however many the range holds. Positions are whole keys, prefix included.
func Range(tx Tx, kind, account, prefix string) Source {
	return func(after string, n int) ([]Item, error) {
		return tx.List(kind, account, prefix, after, n)
	}
}

// FromSorted is the Source of distinct keys in ascending byte order, held in memory. A page
// resumes after the last key that sorts at or before `after`, so a key removed between two pages
// loses nobody its place.
func FromSorted(keys []string) Source {
	return func(after string, n int) ([]Item, error) {
		i := 0
		if after != "" {
			i = sort.Search(len(keys), func(i int) bool { return keys[i] > after })
		}
		return itemsOf(keys[i:], n), nil
	}
}

// FromList is the Source of distinct keys in an order of their own (not by key), held in memory.
// A page resumes after the key equal to `after`; when that key has gone there is no telling where
// it stood, and the listing ends.
func FromList(keys []string) Source {
	return func(after string, n int) ([]Item, error) {
		i := 0
		if after != "" {
			i = len(keys)
			for j, k := range keys {
				if k == after {
					i = j + 1
					break
				}
			}
		}
		return itemsOf(keys[i:], n), nil
	}
}

func itemsOf(keys []string, n int) []Item {
	if n > 0 && len(keys) > n {
		keys = keys[:n]
	}
	out := make([]Item, len(keys))
	for i, k := range keys {
		out[i].Key = k
	}
	return out
}

// Merge is the Source of the items of a and b, two Sources in ascending key order, in ascending
// key order; a key both hold is listed once, with a's item. It reads at most n items of each.
func Merge(a, b Source) Source {
	return func(after string, n int) ([]Item, error) {
		x, err := a(after, n)
		if err != nil {
			return nil, err
		}
		y, err := b(after, n)
		if err != nil {
			return nil, err
		}
		// Each side read n items, or all it had: a key it left unread sorts after n keys of its own,
		// so the n smallest of what was read are the n smallest of both.
		out := make([]Item, 0, min(n, len(x)+len(y)))
		for len(out) < n && (len(x) > 0 || len(y) > 0) {
			switch {
			case len(y) == 0 || len(x) > 0 && x[0].Key < y[0].Key:
				out, x = append(out, x[0]), x[1:]
			case len(x) == 0 || y[0].Key < x[0].Key:
				out, y = append(out, y[0]), y[1:]
			default:
				out, x, y = append(out, x[0]), x[1:], y[1:]
			}
		}
		return out, nil
	}
}

// maxBatch bounds a read that a filter made longer than one page.
const maxBatch = 256

// ReadPage reads one page of at most limit (>= 1) items of src after the position `after`.
// decode turns an item into a T, or rejects it (ok false: a filter that does not match, an index
// entry whose object has gone); rejected items are passed over. The page is truncated exactly
// when a further item would be kept.
//
// It reads limit+1 items first: the one beyond the page tells whether the page is the last, so a
// listing no filter thins reads that and nothing more, whatever the range holds. Only rejected
// items make it read on, in batches that grow to maxBatch so that a sparse filter does not cost a
// query per item.
func ReadPage[T any](src Source, after string, limit int, decode func(it Item) (T, bool, error)) (Page[T], error) {
	var p Page[T]
	n := limit + 1
	for {
		batch, err := src(after, n)
		if err != nil {
			return Page[T]{}, err
		}
		for _, it := range batch {
			v, ok, err := decode(it)
			if err != nil {
				return Page[T]{}, err
			}
			after = it.Key
			if !ok {
				continue
			}
			if len(p.Items) == limit {
				p.Truncated = true
				return p, nil
			}
			p.Items = append(p.Items, v)
			p.Last = it.Key
		}
		if len(batch) < n {
			p.Last = ""
			return p, nil
		}
		n = max(limit-len(p.Items)+1, min(2*n, maxBatch))
	}
}
