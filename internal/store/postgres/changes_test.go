package postgres

import (
	"slices"
	"testing"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/internal/changefeed"
)

// A notification carries its rows as seq and hex-encoded kind, account and key per line; a
// payload without rows, or one that cannot be read, sends the listener to the table instead.
func TestParsePayload(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []changefeed.Row
		ok   bool
	}{
		{"empty account and key", "9 62  ", []changefeed.Row{{Seq: 9, Change: store.Change{Kind: "b"}}}, true},
		{"a field missing", "9 62 63", nil, false},
		{"one row", "7 61 00ff 6b", []changefeed.Row{{Seq: 7, Change: store.Change{Kind: "a", Account: "\x00\xff", Key: "k"}}}, true},
		{"empty key", "8 61 62 ", []changefeed.Row{{Seq: 8, Change: store.Change{Kind: "a", Account: "b"}}}, true},
		{"two rows", "1 61 62 63\n2 64 65 66", []changefeed.Row{
			{Seq: 1, Change: store.Change{Kind: "a", Account: "b", Key: "c"}},
			{Seq: 2, Change: store.Change{Kind: "d", Account: "e", Key: "f"}},
		}, true},
		{"too large to carry", "", nil, false},
		{"bad hex", "1 6 62 63", nil, false},
		{"bad number", "x 61 62 63", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parsePayload(tc.body)
			if ok != tc.ok || (ok && !slices.Equal(got, tc.want)) {
				t.Errorf("parsePayload(%q) = %v, %v; want %v, %v", tc.body, got, ok, tc.want, tc.ok)
			}
		})
	}
}
