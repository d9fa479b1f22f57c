package alerts_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/alerts"
)

// syncBuffer is a log destination safe for the service's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A burst of new accounts larger than Run's queue, arriving while Run is held in a slow rule
// creation, overflows the queue: the overflow is logged, and once the queue drains Run ensures
// every account's rule, so that no account is left without one.
func TestAccountQueueOverflow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	var (
		mu      sync.Mutex
		ensured = map[string]bool{}
		calls   = make(chan string, 256)
	)
	hold := make(chan struct{})
	held := make(chan struct{}, 1)
	ensure := func(_ context.Context, account string, _ alerts.ManagedRule) error {
		select {
		case held <- struct{}{}:
			<-hold // the first creation waits until the burst is in
		default:
		}
		mu.Lock()
		ensured[account] = true
		mu.Unlock()
		calls <- account
		return nil
	}
	var log syncBuffer
	svc, err := alerts.New(alerts.Config{Store: e.Store, IAM: e.Svc, Contacts: nopContacts{}, Notifier: e.notifier,
		Ensure: ensure, AccountQueue: 2, Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go svc.Run(runCtx)
	select {
	case <-held: // Run is creating the first rule
	case <-time.After(30 * time.Second): // a bound on a hung test, not a timing assertion
		t.Fatal("Run created no rule")
	}
	want := []string{e.Account.ID, e.member}
	for i := range 10 {
		a, err := e.Svc.CreateAccount(ctx, fmt.Sprintf("burst-%d", i), fmt.Sprintf("burst-%d+%s@example.com", i, strings.ToLower(t.Name())), "")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, a.ID)
	}
	// The store's change feed tells this process's subscribers before Update returns: the queue
	// of 2 has overflowed by now.
	if !strings.Contains(log.String(), "new accounts queue full") {
		t.Errorf("log = %q; want the overflow logged", log.String())
	}
	close(hold)
	slices.Sort(want)
	for {
		mu.Lock()
		var got []string
		for a := range ensured {
			got = append(got, a)
		}
		mu.Unlock()
		slices.Sort(got)
		if slices.Equal(got, want) {
			break
		}
		select {
		case <-calls:
		case <-time.After(30 * time.Second): // a bound on a hung test, not a timing assertion
			t.Fatalf("rules ensured for %v, want every account %v", got, want)
		}
	}
}
