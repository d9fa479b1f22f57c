package store

import "testing"

// An index entry's key is value NUL record-key; a record key may itself hold NUL (IAM's memberships
// are group NUL user), and the value never does, so the record key starts after the first NUL.
func TestEntryKey(t *testing.T) {
	for _, tc := range []struct{ entry, want string }{
		{"ann\x00g1", "g1"},
		{"alice\x00admins\x00alice", "admins\x00alice"},
		{"\x00k", "k"},
		{"nokey", "nokey"},
	} {
		if got := EntryKey(tc.entry); got != tc.want {
			t.Errorf("EntryKey(%q) = %q, want %q", tc.entry, got, tc.want)
		}
	}
}
