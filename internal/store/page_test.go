package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/store"
)

func keysOf(items []store.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Key
	}
	return out
}

func TestSources(t *testing.T) {
	sorted := store.FromSorted([]string{"b", "d", "f"})
	tests := []struct {
		name  string
		src   store.Source
		after string
		n     int
		want  []string
	}{
		{"sorted from the start", sorted, "", 2, []string{"b", "d"}},
		{"sorted after a key", sorted, "b", 5, []string{"d", "f"}},
		// A key removed between two pages: the listing goes on from where it stood.
		{"sorted after a gone key", sorted, "c", 5, []string{"d", "f"}},
		{"sorted after the end", sorted, "f", 5, []string{}},
		{"list in its own order", store.FromList([]string{"z", "a", "m"}), "z", 1, []string{"a"}},
		// An unordered listing cannot tell where a gone key stood: it ends.
		{"list after a gone key", store.FromList([]string{"z", "a", "m"}), "q", 5, []string{}},
		{"merge", store.Merge(store.FromSorted([]string{"a", "c", "e"}), store.FromSorted([]string{"b", "c", "d"})), "", 10, []string{"a", "b", "c", "d", "e"}},
		// Each side reads n: "e" was not read from the left, yet nothing after "d" is kept.
		{"merge, a short page", store.Merge(store.FromSorted([]string{"a", "c", "e"}), store.FromSorted([]string{"b", "d"})), "", 4, []string{"a", "b", "c", "d"}},
		{"merge after a key", store.Merge(store.FromSorted([]string{"a", "c", "e"}), store.FromSorted([]string{"b", "d"})), "b", 2, []string{"c", "d"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, err := tc.src(tc.after, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if got := keysOf(items); !slices.Equal(got, tc.want) {
				t.Errorf("after %q, n %d: got %q, want %q", tc.after, tc.n, got, tc.want)
			}
		})
	}
}

func TestReadPage(t *testing.T) {
	keys := []string{"a", "b", "c", "d", "e"}
	keep := func(it store.Item) (string, bool, error) { return it.Key, true, nil }
	only := func(allowed string) func(store.Item) (string, bool, error) {
		return func(it store.Item) (string, bool, error) { return it.Key, strings.Contains(allowed, it.Key), nil }
	}
	tests := []struct {
		name      string
		after     string
		limit     int
		decode    func(store.Item) (string, bool, error)
		want      []string
		truncated bool
		last      string
	}{
		{"first page", "", 2, keep, []string{"a", "b"}, true, "b"},
		{"middle page", "b", 2, keep, []string{"c", "d"}, true, "d"},
		{"page ends the listing", "c", 2, keep, []string{"d", "e"}, false, ""},
		{"the whole listing", "", 5, keep, keys, false, ""},
		{"filtered", "", 2, only("bde"), []string{"b", "d"}, true, "d"},
		// What follows the page is all filtered out: the page is the last.
		{"filtered tail", "", 2, only("ab"), []string{"a", "b"}, false, ""},
		{"nothing kept", "", 2, only(""), nil, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := store.ReadPage(store.FromSorted(keys), tc.after, tc.limit, tc.decode)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.Items, tc.want) || p.Truncated != tc.truncated || p.Last != tc.last {
				t.Errorf("got %q truncated %v last %q, want %q truncated %v last %q", p.Items, p.Truncated, p.Last, tc.want, tc.truncated, tc.last)
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		boom := errors.New("boom")
		failing := func(string, int) ([]store.Item, error) { return nil, boom }
		if _, err := store.ReadPage(failing, "", 2, keep); !errors.Is(err, boom) {
			t.Errorf("source error: got %v, want %v", err, boom)
		}
		bad := func(store.Item) (string, bool, error) { return "", false, boom }
		if _, err := store.ReadPage(store.FromSorted(keys), "", 2, bad); !errors.Is(err, boom) {
			t.Errorf("decode error: got %v, want %v", err, boom)
		}
	})
}
