package iam

import (
	"strings"
	"testing"
)

func TestKeyIDEncodesAccount(t *testing.T) {
	// A key ID published with the account it belongs to (Aidan Steele, "AWS Access Key ID
	// formats", awsteele.com, 2020): AWS's own encoding, decoded.
	if got, err := KeyIDAccount("ASIAY34FZKBOKMUTVV7A"); err != nil || got != "609629065308" {
		t.Errorf("KeyIDAccount(ASIAY34FZKBOKMUTVV7A) = %q, %v; want 609629065308", got, err)
	}
	for _, account := range []string{"000000000000", "111122223333", "609629065308", "999999999999"} {
		seen := map[string]bool{}
		for range 50 {
			id := newKeyID("AKIA", account)
			if len(id) != 20 || !strings.HasPrefix(id, "AKIA") || strings.Trim(id[4:], idAlphabet) != "" {
				t.Fatalf("newKeyID = %q, want AKIA and 16 base32 characters", id)
			}
			if got, err := KeyIDAccount(id); err != nil || got != account {
				t.Fatalf("KeyIDAccount(%s) = %q, %v; want %s", id, got, err, account)
			}
			seen[id] = true
		}
		if len(seen) != 50 {
			t.Errorf("account %s: %d distinct IDs of 50", account, len(seen))
		}
	}
	for _, bad := range []string{"AKIA", "AKIAY34FZKBOKMUTVV7", "AKIAY34FZKBOKMUTVV7A1", "AKIAY34FZKBOKMUTVV71", "AKIAy34fzkbokmutvv7a"} {
		if got, err := KeyIDAccount(bad); err == nil {
			t.Errorf("KeyIDAccount(%q) = %q, want an error", bad, got)
		}
	}
}
