package sqlite

import (
	"os"
	"syscall"
	"testing"
)

// A ring's pages are allocated when it is made, so that a write through the mapping never finds
// the file system full (SIGBUS); the file is a regular one of ringSize bytes, mode 0600.
func TestRingReservesItsPages(t *testing.T) {
	dir := t.TempDir()
	r, err := createRing(dir, "rootward-trail-0123456789abcdef-")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := r.remove(); err != nil {
			t.Error(err)
		}
	}()
	fi, err := os.Stat(r.path)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		t.Fatalf("no stat_t for %s", r.path)
	}
	if fi.Size() != ringSize || st.Blocks*512 < ringSize || fi.Mode().Perm() != 0o600 {
		t.Errorf("ring file: size %d, %d bytes allocated, mode %v; want %d, at least %d, 0600",
			fi.Size(), st.Blocks*512, fi.Mode().Perm(), ringSize, ringSize)
	}
}
