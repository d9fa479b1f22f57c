package keyrange

import (
	"bytes"
	"fmt"
	"testing"
)

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		name, prefix string
		want         []byte
	}{
		{"empty prefix has no end", "", nil},
		{"last byte incremented", "ab", []byte("ac")},
		{"trailing 0xff dropped", "a\xff", []byte("b")},
		{"several trailing 0xff dropped", "a\xfe\xff\xff", []byte("a\xff")},
		{"all 0xff has no end", "\xff\xff", nil},
		{"NUL incremented", "a\x00", []byte("a\x01")},
		{"UTF-8 continuation byte incremented", "é", []byte("\xc3\xaa")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := prefixEnd(tc.prefix)
			if !bytes.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
				t.Fatalf("prefixEnd(%q) = %q, want %q", tc.prefix, got, tc.want)
			}
		})
	}
}

// TestForMatchesDefinition checks For against the definition it implements, over every pair of
// prefix and cursor drawn from keys chosen to sit on the edges (empty, NUL, 0xFF, shared prefixes).
func TestForMatchesDefinition(t *testing.T) {
	keys := []string{"", "\x00", "a", "a\x00", "a\xff", "a\xff\xff", "ab", "abc", "b", "\xff", "\xff\xff", "é"}
	for _, prefix := range keys {
		for _, after := range keys {
			r := For(prefix, after)
			for _, key := range keys {
				want := len(key) >= len(prefix) && key[:len(prefix)] == prefix && (after == "" || key > after)
				if got := r.Contains(key); got != want {
					t.Errorf("For(%q, %q).Contains(%q) = %v, want %v (range %+v)", prefix, after, key, got, want, r)
				}
			}
		}
	}
}

func TestWhere(t *testing.T) {
	dollar := func(n int) string { return fmt.Sprintf("$%d", n) }
	tests := []struct {
		name          string
		prefix, after string
		wantSQL       string
		wantArgs      []string
	}{
		{"everything", "", "", "", nil},
		{"prefix only", "ab", "", " AND key >= $3 AND key < $4", []string{"ab", "ac"}},
		{"cursor only", "", "m", " AND key > $3", []string{"m"}},
		{"cursor inside prefix", "ab", "abz", " AND key > $3 AND key < $4", []string{"abz", "ac"}},
		{"cursor before prefix is ignored", "ab", "aa", " AND key >= $3 AND key < $4", []string{"ab", "ac"}},
		{"all-0xff prefix has no upper bound", "\xff", "", " AND key >= $3", []string{"\xff"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sql, args := For(tc.prefix, tc.after).Where("key", 2, dollar)
			if sql != tc.wantSQL {
				t.Errorf("SQL = %q, want %q", sql, tc.wantSQL)
			}
			if len(args) != len(tc.wantArgs) {
				t.Fatalf("args = %q, want %q", args, tc.wantArgs)
			}
			for i, a := range args {
				if string(a.([]byte)) != tc.wantArgs[i] {
					t.Errorf("arg %d = %q, want %q", i, a, tc.wantArgs[i])
				}
			}
		})
	}
}
