package seal

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.Seal([]byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), "accesskey:AKIA1")
	if bytes.Contains(sealed, []byte("wJalrXUtnFEMI")) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := s.Open(sealed, "accesskey:AKIA1")
	if err != nil || string(got) != "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	cases := []struct {
		name   string
		sealed []byte
		ad     string
		key    []byte
	}{
		{"wrong additional data", sealed, "accesskey:AKIA2", key},
		{"wrong key", sealed, "accesskey:AKIA1", bytes.Repeat([]byte{8}, KeySize)},
		{"tampered", append(append([]byte{}, sealed[:len(sealed)-1]...), sealed[len(sealed)-1]^1), "accesskey:AKIA1", key},
		{"truncated", sealed[:5], "accesskey:AKIA1", key},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s2, _ := New(tc.key)
			if _, err := s2.Open(tc.sealed, tc.ad); err != ErrOpen {
				t.Fatalf("Open err = %v, want ErrOpen", err)
			}
		})
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	k1, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %#o, want 0600", fi.Mode().Perm())
	}
	k2, err := LoadOrCreateKeyFile(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("reload gave another key: %v", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyFile(path); err == nil {
		t.Fatal("a world-readable key file was accepted")
	}
	if _, err := DecodeKey("c2hvcnQ="); err == nil {
		t.Fatal("a short key was accepted")
	}
}
