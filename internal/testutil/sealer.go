package testutil

import (
	"testing"

	"github.com/rootward/rootward/internal/seal"
)

// masterKey is the fixed master key of tests: the same bytes in every package, so that what one
// component sealed in a test the others can open.
var masterKey = []byte("0123456789abcdef0123456789abcdef")

// Sealer returns a seal.Sealer over the tests' fixed master key.
func Sealer(t testing.TB) *seal.Sealer {
	t.Helper()
	s, err := seal.New(masterKey)
	if err != nil {
		t.Fatalf("seal.New: %v", err)
	}
	return s
}
