package eventbridge

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/trail"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Root records arriving faster than the bus matches them fill its queue; past the limit the bus
// drops them by design (they stay in the trail, and GuardDuty raises its findings from the trail's
// own subscription): each queued record is delivered to the root-activity rule's target, and the
// dropped ones are counted in the log, none silently.
func TestQueueOverflowCountedAndLogged(t *testing.T) {
	t.Parallel()
	var log lockedBuffer
	const limit, extra = 5, 3
	s := New(testbackend.Open(t), WithQueueLimit(limit), WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.EnsureManagedRule(ctx, account, rootRule); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, limit+extra)
	s.HandleTargets("rootward", func(_ context.Context, _ string, payload []byte) error {
		got <- string(payload)
		return nil
	})
	empty := ""
	var events []*trail.Event
	for i := range limit + extra {
		events = append(events, &trail.Event{EventID: "e" + strconv.Itoa(i), EventTime: time.Date(2026, 12, 6, 9, 0, i, 0, time.UTC),
			EventSource: "iam.amazonaws.com", EventName: "ListUsers", EventType: trail.AwsAPICall, RecipientAccountID: account,
			UserIdentity: trail.UserIdentity{Type: "Root", AccountID: account, AccessKeyID: &empty}})
	}
	s.bus.onTrail(events) // the bus is not started: nothing drains the queue yet
	s.Start(ctx)
	defer s.Close()
	delivered := map[string]bool{}
	for range limit {
		select {
		case p := <-got:
			for _, e := range events {
				if strings.Contains(p, `"eventID":"`+e.EventID+`"`) {
					delivered[e.EventID] = true
				}
			}
		case <-time.After(10 * time.Second): // a bound on a hung bus, not a timing assertion
			t.Fatalf("%d of %d queued records delivered", len(delivered), limit)
		}
	}
	for i := range limit {
		if !delivered["e"+strconv.Itoa(i)] {
			t.Errorf("queued record e%d was not delivered (delivered %v)", i, delivered)
		}
	}
	// The bus logs what it dropped before it matches the batch it took: the line is written by now.
	if !strings.Contains(log.String(), "events="+strconv.Itoa(extra)) {
		t.Errorf("log = %q; want the %d dropped records counted", log.String(), extra)
	}
	if !strings.Contains(log.String(), "queue full, events dropped") {
		t.Errorf("log = %q; want the drop logged", log.String())
	}
	select {
	case p := <-got:
		t.Errorf("a dropped record was delivered: %s", p)
	default:
	}
}
