// Package accessadvisor keeps IAM's usage evidence — when each user and role last used each
// service — from the trail, and answers the access advisor's reports: the services an entity's
// policies allow and when they were last used, by whom (IAM User Guide, "Refine permissions in AWS
// using last accessed information"; IAM API Reference, GenerateServiceLastAccessedDetails,
// GetServiceLastAccessedDetails, GetServiceLastAccessedDetailsWithEntities,
// ListPoliciesGrantingServiceAccess).
//
// The evidence is written by the trail's subscriber (Observe, which only queues) and applied in
// batches by Flush: Run flushes every second, and every report flushes first, so a report never
// misses a call whose record was committed before it was asked for.
package accessadvisor

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// access is the last use of a service by a user or role: key entity ARN \x00 service namespace,
// partition account.
type access struct {
	Last   time.Time `json:"last"`
	Region string    `json:"region,omitempty"`
}

const (
	kindAccess = "accessadvisor.access"
	kindJob    = "accessadvisor.job"
	sep        = "\x00"
	// maxPending bounds the queue between the trail's subscriber and Flush; beyond it, the
	// oldest observations are dropped (counted and logged): the evidence is a last-used time, so
	// a later call of the same entity and service restores it.
	maxPending = 100000
)

var accesses = store.Define(store.Kind[access]{Name: kindAccess, Version: 1})

// Service keeps the evidence and answers the reports.
type Service struct {
	st  store.Store
	iam IAM
	now func() time.Time
	log *slog.Logger

	mu      sync.Mutex
	pending map[key]access // the latest use per key since the last flush
	dropped int
}

type key struct{ account, entity, namespace string }

// Config configures a Service.
type Config struct {
	Store store.Store
	IAM   IAM
	Now   func() time.Time
	Log   *slog.Logger
}

// New returns a Service.
func New(cfg Config) *Service {
	s := &Service{st: cfg.Store, iam: cfg.IAM, now: cfg.Now, log: cfg.Log, pending: map[key]access{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Observe takes a committed batch of trail events (trail.Recorder.Subscribe): every successful
// call of an IAM user or a role session counts as a use of the call's service by that user or role.
// It only queues.
func (s *Service) Observe(events []*trail.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range events {
		entity := entityOf(e)
		if entity == "" || e.ErrorCode != "" {
			continue
		}
		ns := namespaceOf(e.EventSource)
		if ns == "" {
			continue
		}
		k := key{e.RecipientAccountID, entity, ns}
		if k.account == "" {
			k.account = e.UserIdentity.AccountID
		}
		if cur, ok := s.pending[k]; ok && !e.EventTime.After(cur.Last) {
			continue
		}
		if _, ok := s.pending[k]; !ok && len(s.pending) >= maxPending {
			s.dropped++
			continue
		}
		s.pending[k] = access{Last: e.EventTime.UTC(), Region: e.AWSRegion}
	}
}

// entityOf is the IAM user or role an event's caller is: the user's ARN, or the role behind a
// role session; "" for anyone else (root, federated users, services).
func entityOf(e *trail.Event) string {
	id := &e.UserIdentity
	switch id.Type {
	case "IAMUser":
		return id.ARN
	case "AssumedRole":
		if sc := id.SessionContext; sc != nil && sc.SessionIssuer != nil {
			return sc.SessionIssuer.ARN
		}
	}
	return ""
}

// namespaceOf is the service namespace of an event source: iam.amazonaws.com → iam.
func namespaceOf(source string) string {
	ns, ok := strings.CutSuffix(source, ".amazonaws.com")
	if !ok || ns == "signin" {
		return ""
	}
	return ns
}

// Flush writes the queued evidence, keeping for each key the latest use.
func (s *Service) Flush(ctx context.Context) error {
	s.mu.Lock()
	batch, dropped := s.pending, s.dropped
	s.pending, s.dropped = map[key]access{}, 0
	s.mu.Unlock()
	if dropped > 0 {
		s.log.Warn("access advisor: evidence queue full; observations dropped", "dropped", dropped)
	}
	if len(batch) == 0 {
		return nil
	}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		for k, a := range batch {
			cur, ok, err := accesses.Get(tx, k.account, k.entity+sep+k.namespace)
			if err != nil {
				return err
			}
			if ok && !a.Last.After(cur.Last) {
				continue
			}
			if err := accesses.Put(tx, k.account, k.entity+sep+k.namespace, &a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// Put the batch back so that the next flush tries again.
		s.mu.Lock()
		for k, a := range batch {
			if cur, ok := s.pending[k]; !ok || a.Last.After(cur.Last) {
				s.pending[k] = a
			}
		}
		s.mu.Unlock()
	}
	return err
}

// Run flushes every second until ctx ends, and once more then.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := s.Flush(context.WithoutCancel(ctx)); err != nil {
				s.log.Error("access advisor: flush", "err", err)
			}
			return
		case <-t.C:
			if err := s.Flush(ctx); err != nil {
				s.log.Error("access advisor: flush", "err", err)
			}
		}
	}
}

// lastUses returns the recorded uses of entity, by namespace.
func lastUses(tx store.Tx, account, entity string) (map[string]access, error) {
	out := map[string]access{}
	return out, eachUse(tx, account, entity+sep, func(ns string, a *access) { out[ns] = *a })
}

// eachUse calls fn with the service namespace and the use of every evidence record of account
// whose key starts with prefix (an entity's ARN and sep, or "" for every entity), 256 at a time.
func eachUse(tx store.Tx, account, prefix string, fn func(ns string, a *access)) error {
	src := accesses.Range(tx, account, prefix)
	for after := ""; ; {
		items, err := src(after, 256)
		if err != nil {
			return err
		}
		for _, it := range items {
			a, err := accesses.Decode(it.Body)
			if err != nil {
				return err
			}
			fn(it.Key[strings.LastIndex(it.Key, sep)+len(sep):], a)
		}
		if len(items) < 256 {
			return nil
		}
		after = items[len(items)-1].Key
	}
}
