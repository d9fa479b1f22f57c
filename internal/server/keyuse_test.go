package server

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/sigv4"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
)

// The memory of when each access key's use was last recorded holds the keys of the last minute,
// not every key ever used: a server that sees many distinct principals does not grow without
// bound (issue 11: resident memory after calls by 100,000 distinct users).
func TestKeyUseMemoryBounded(t *testing.T) {
	defer func(n int) { maxKeyUse = n }(maxKeyUse)
	maxKeyUse = 64
	s := New(Config{IAM: iam.New(testbackend.Open(t), testutil.Sealer(t)), Logger: slog.New(slog.DiscardHandler)})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10 * maxKeyUse {
		c := &call{Call: &api.Call{Request: authz.Request{Ctx: context.Background(), Now: now.Add(time.Duration(i) * time.Second)}}, s: s}
		s.noteKeyUse(c, &sigv4.Auth{AccessKeyID: fmt.Sprintf("AKIA%016d", i)})
		if got := len(s.keyUse); got > maxKeyUse {
			t.Fatalf("after %d distinct keys: got %d remembered, want at most %d", i+1, got, maxKeyUse)
		}
	}
}
