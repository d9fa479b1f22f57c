package eventbridge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// Delivery is one attempt to deliver a matched event to a target.
type Delivery struct {
	Time                   time.Time
	Account, EventID, Rule string
	TargetID, TargetARN    string
	Attempt                int
	Outcome, Error         string
}

// Outcomes of a delivery attempt.
const (
	OutcomeDelivered = "delivered"
	OutcomeRetrying  = "retrying" // failed; another attempt follows
	OutcomeDropped   = "dropped"  // failed for the last time, or no handler serves the target
)

// WithObserver sets a function told of every delivery attempt once it is recorded (tests wait on
// it; a metric could count it).
func WithObserver(fn func(Delivery)) Option { return func(s *Service) { s.observe = fn } }

// record stores an attempt and tells the observer.
func (s *Service) record(ctx context.Context, d Delivery) {
	rec := &deliveryRecord{Time: d.Time, EventID: d.EventID, Rule: d.Rule, TargetID: d.TargetID, TargetARN: d.TargetARN,
		Attempt: d.Attempt, Outcome: d.Outcome, Error: d.Error}
	// The time, then this process's sequence (attempts of one instant keep their order), then a
	// random suffix (two nodes' attempts never share a key).
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	seq := s.seq.Add(1)
	key := deliveryKey(d.Time) + "-" + fmt.Sprintf("%016x", seq) + "-" + hex.EncodeToString(suffix[:])
	err := store.Update(ctx, s.st, func(t tx) error {
		if err := deliveries.Insert(t, d.Account, key, rec); err != nil {
			return err
		}
		if seq%pruneEvery != 0 {
			return nil
		}
		return pruneDeliveries(t, d.Account, s.now().Add(-DeliveryRetention))
	})
	if err != nil && ctx.Err() == nil {
		s.log.Error("eventbridge: recording a delivery attempt", "account", d.Account, "rule", d.Rule, "err", err)
	}
	if s.observe != nil {
		s.observe(d)
	}
}

// DeliveryRetention is how long delivery attempts are kept. Every pruneEvery-th attempt a node
// records also deletes the oldest attempts of its account past that age (at most a batch), so
// the record stays bounded without a sweeper of its own.
const DeliveryRetention = 30 * 24 * time.Hour

const (
	pruneEvery = 64
	pruneBatch = 256
)

func deliveryKey(t time.Time) string { return t.UTC().Format("20060102T150405.000000000Z") }

// pruneDeliveries deletes up to pruneBatch of account's attempts recorded before cutoff.
func pruneDeliveries(t tx, account string, cutoff time.Time) error {
	items, err := t.List(deliveries.Name, account, "", "", pruneBatch)
	if err != nil {
		return err
	}
	limit := deliveryKey(cutoff)
	for _, it := range items {
		if it.Key >= limit {
			break
		}
		if err := deliveries.Delete(t, account, it.Key); err != nil {
			return err
		}
	}
	return nil
}

// Deliveries returns the account's recorded delivery attempts at or after since, oldest first, at
// most limit of them.
func (s *Service) Deliveries(ctx context.Context, account string, since time.Time, limit int) ([]Delivery, error) {
	var out []Delivery
	after := ""
	if !since.IsZero() {
		// Every key of since or later sorts after this one.
		after = deliveryKey(since.Add(-time.Nanosecond)) + "~"
	}
	err := store.View(ctx, s.st, func(t tx) error {
		entries, err := deliveries.List(t, account, "", after, limit)
		if err != nil {
			return err
		}
		for _, en := range entries {
			r := en.Record
			out = append(out, Delivery{Time: r.Time, Account: account, EventID: r.EventID, Rule: r.Rule, TargetID: r.TargetID,
				TargetARN: r.TargetARN, Attempt: r.Attempt, Outcome: r.Outcome, Error: r.Error})
		}
		return nil
	})
	return out, err
}

// pathStep is one step of an InputPath: a member name, or an array index.
type pathStep struct {
	name  string
	index int // when name is ""
}

// parsePath reads an InputPath: "$", or "$" followed by ".name", "['name']" and "[index]" steps
// (EventBridge User Guide, "Transforming target input": InputPath is a JSONPath; Rootward takes the
// subset that names one value). ok is false for anything else.
func parsePath(path string) (steps []pathStep, ok bool) {
	rest, ok := strings.CutPrefix(path, "$")
	if !ok {
		return nil, false
	}
	for rest != "" {
		switch {
		case rest[0] == '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			if end == 0 {
				return nil, false
			}
			steps, rest = append(steps, pathStep{name: rest[:end]}), rest[end:]
		case strings.HasPrefix(rest, "['"):
			end := strings.Index(rest, "']")
			if end < 2 {
				return nil, false
			}
			steps, rest = append(steps, pathStep{name: rest[2:end]}), rest[end+2:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false
			}
			i, err := strconv.Atoi(rest[1:end])
			if err != nil || i < 0 {
				return nil, false
			}
			steps, rest = append(steps, pathStep{index: i}), rest[end+1:]
		default:
			return nil, false
		}
	}
	return steps, true
}

// ValidInputPath reports whether path is an InputPath Rootward can follow.
func ValidInputPath(path string) bool {
	_, ok := parsePath(path)
	return ok
}

// jsonPath reads the part of a decoded event an InputPath names; ok is false when the event has
// no such part.
func jsonPath(v any, path string) (any, bool) {
	steps, ok := parsePath(path)
	if !ok {
		return nil, false
	}
	for _, st := range steps {
		if st.name != "" {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[st.name]; !ok {
				return nil, false
			}
			continue
		}
		a, ok := v.([]any)
		if !ok || st.index >= len(a) {
			return nil, false
		}
		v = a[st.index]
	}
	return v, true
}
