package storetest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/rootward/rootward/internal/store"
)

// Counter is a Store whose transactions count the objects List hands back and the reads by key:
// what a listing costs in reads, for tests that bound it. Its counts are not safe for concurrent
// transactions.
type Counter struct {
	store.Store
	// Listed is the number of objects List has returned since it was last set to 0.
	Listed int
	// KeyReads is the number of Get and GetMany calls (queries by key, however many keys each
	// asks for) since it was last set to 0.
	KeyReads int
}

// View runs fn in a View of the wrapped Store, counting its List reads.
func (c *Counter) View(ctx context.Context, fn func(tx store.Tx) error) error {
	return c.Store.View(ctx, func(tx store.Tx) error { return fn(c.Tx(tx)) })
}

// Update runs fn in an Update of the wrapped Store, counting its List reads.
func (c *Counter) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	return c.Store.Update(ctx, func(tx store.Tx) error { return fn(c.Tx(tx)) })
}

// Tx returns tx with its List reads counted.
func (c *Counter) Tx(tx store.Tx) store.Tx { return countingTx{tx, c} }

type countingTx struct {
	store.Tx
	c *Counter
}

func (c countingTx) Get(kind, account, key string) ([]byte, error) {
	c.c.KeyReads++
	return c.Tx.Get(kind, account, key)
}

func (c countingTx) GetMany(kind, account string, keys []string) ([][]byte, error) {
	c.c.KeyReads++
	return c.Tx.GetMany(kind, account, keys)
}

func (c countingTx) List(kind, account, prefix, after string, limit int) ([]store.Item, error) {
	items, err := c.Tx.List(kind, account, prefix, after, limit)
	c.c.Listed += len(items)
	return items, err
}

// testReadPage pages through 1000 objects with store.ReadPage over the backend's range scan: the
// pages joined are the range, in order, each page ending at the position the next resumes from;
// and a page of 10 reads at most 11 objects however many the range holds (the one past the page
// says whether another follows). With a filter, the page is truncated exactly when a kept item
// follows.
func testReadPage(t *testing.T, s store.Store) {
	const n, limit = 1000, 10
	objects := map[string]string{"pagd": "before the prefix", "paf": "after the prefix"}
	var all []string
	for i := range n {
		k := fmt.Sprintf("pag/%04d", i)
		objects[k] = strconv.Itoa(i)
		all = append(all, k)
	}
	seed(t, s, objects)

	everyThird := func(it store.Item) (string, bool, error) {
		i, err := strconv.Atoi(string(it.Body))
		return it.Key, i%3 == 0, err
	}
	keepAll := func(it store.Item) (string, bool, error) { return it.Key, true, nil }
	var third []string
	for i, k := range all {
		if i%3 == 0 {
			third = append(third, k)
		}
	}
	tests := []struct {
		name     string
		decode   func(store.Item) (string, bool, error)
		want     []string
		maxReads int // per page
	}{
		{"no filter", keepAll, all, limit + 1},
		// Two of three objects are rejected: 10 kept and the 11th take 33 objects, read as a
		// batch of 11 and a batch of 22.
		{"filter", everyThird, third, 33},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				if pages > n {
					t.Fatal("paging does not terminate")
				}
				var p store.Page[string]
				var reads int
				view(t, s, func(tx store.Tx) error {
					c := &Counter{}
					var err error
					p, err = store.ReadPage(store.Range(c.Tx(tx), kind, account, "pag/"), after, limit, tc.decode)
					reads = c.Listed
					return err
				})
				if reads > tc.maxReads {
					t.Fatalf("page %d after %q read %d objects, want at most %d", pages, after, reads, tc.maxReads)
				}
				if len(p.Items) > limit {
					t.Fatalf("page %d holds %d items, want at most %d", pages, len(p.Items), limit)
				}
				got = append(got, p.Items...)
				if !p.Truncated {
					if p.Last != "" {
						t.Errorf("last page: Last = %q, want empty", p.Last)
					}
					break
				}
				if len(p.Items) != limit || p.Last != p.Items[len(p.Items)-1] {
					t.Fatalf("truncated page %d: %d items ending %q, Last %q; want %d items, Last the last one", pages, len(p.Items), p.Items[len(p.Items)-1], p.Last, limit)
				}
				after = p.Last
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("pages joined: %d keys %q…, want %d keys %q…", len(got), got[:min(3, len(got))], len(tc.want), tc.want[:3])
			}
		})
	}
}

// Pages pages through a listing, page(token) answering one page and the token of the next (""
// after the last page), and returns the items of the pages joined. It fails t when a page reads
// more than maxReads objects through c, or when paging does not end within maxPages pages.
func Pages(t *testing.T, c *Counter, maxReads, maxPages int, page func(token string) (items []string, next string, err error)) []string {
	t.Helper()
	var all []string
	token := ""
	for n := 0; ; n++ {
		if n == maxPages {
			t.Fatalf("paging does not end within %d pages", maxPages)
		}
		c.Listed = 0
		items, next, err := page(token)
		if err != nil {
			t.Fatalf("page %d: %v", n, err)
		}
		if c.Listed > maxReads {
			t.Errorf("page %d after token %q read %d objects, want at most %d", n, token, c.Listed, maxReads)
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		token = next
	}
}
