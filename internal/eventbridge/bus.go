package eventbridge

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rootward/rootward/internal/eventbridge/pattern"
	"github.com/rootward/rootward/internal/trail"
)

// The bus: events queue here (the trail's writer goroutine and Put only append), one worker
// matches them against their account's rules, and delivery workers call the targets' handlers,
// retrying failures after growing waits.

// maxQueued bounds the events waiting to be matched; beyond it new events are dropped (and
// counted in the log), so that a stalled worker cannot grow memory without bound or slow the
// trail's writer.
const maxQueued = 100_000

// maxRetrying bounds the deliveries waiting for a retry.
const maxRetrying = 10_000

// deliveryWorkers is how many deliveries run at once.
const deliveryWorkers = 4

// deliveryTimeout bounds one call of a target's handler.
const deliveryTimeout = 30 * time.Second

// item is a queued event: a CloudTrail record, or an event of Put.
type item struct {
	trail *trail.Event
	put   *Event
}

func (it item) account() string {
	if it.trail != nil {
		return it.trail.RecipientAccountID
	}
	return it.put.Account
}

// job is one delivery of a matched event to one target.
type job struct {
	account, rule, eventID string
	target                 targetRecord
	payload                []byte
	attempt                int
}

type bus struct {
	s *Service

	mu      sync.Mutex
	queue   []item // guarded by mu
	dropped int    // guarded by mu: events dropped since the last log line
	wake    chan struct{}

	jobs     chan job
	retrying atomic.Int64
	// fifo holds the lanes of FIFO targets (ordered.go).
	fifo fifoLanes

	startOnce sync.Once
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

func newBus(s *Service) *bus {
	b := &bus{s: s, wake: make(chan struct{}, 1), jobs: make(chan job, 256)}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	return b
}

func (b *bus) start(ctx context.Context) {
	b.startOnce.Do(func() {
		b.wg.Add(1 + deliveryWorkers)
		go func() {
			defer b.wg.Done()
			select {
			case <-ctx.Done():
				b.cancel()
			case <-b.ctx.Done():
			}
		}()
		go b.matchLoop()
		for range deliveryWorkers - 1 {
			go b.deliverLoop()
		}
	})
}

func (b *bus) close() {
	b.cancel()
	b.wg.Wait()
}

// onTrail is the trail's subscriber: it runs on the recorder's writer goroutine, so it only
// decides, from the cached rules, whether a rule may match each record, and queues those.
func (b *bus) onTrail(events []*trail.Event) {
	for _, e := range events {
		if b.mayMatch(e) {
			b.enqueue(item{trail: e})
		}
	}
}

// mayMatch reports whether a rule of the record's account may match it: true when the account's
// rules are not cached (the worker loads them), or when a rule matches the record's view or reads
// a field the view cannot answer without encoding.
func (b *bus) mayMatch(e *trail.Event) bool {
	a := b.s.cache.cached(e.RecipientAccountID)
	if a == nil {
		return true
	}
	if a.n == 0 {
		return false
	}
	v := trailView{e: e}
	ro := readOnly(e)
	hit := false
	a.candidates(Source(e.EventSource), func(r *compiled) bool {
		if ro && !r.all {
			return true
		}
		if r.pattern.Matches(&v) || v.unknown {
			hit = true
			return false
		}
		return true
	})
	return hit
}

func (b *bus) put(e Event) {
	if e.Time.IsZero() {
		e.Time = b.s.now()
	}
	b.enqueue(item{put: &e})
}

func (b *bus) enqueue(it item) {
	limit := b.s.queueLimit
	if limit <= 0 {
		limit = maxQueued
	}
	b.mu.Lock()
	if len(b.queue) >= limit {
		b.dropped++
		b.mu.Unlock()
		return
	}
	b.queue = append(b.queue, it)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// matchLoop matches queued events and hands the deliveries to the delivery workers; it also
// delivers, as one of them, when it has nothing to match.
func (b *bus) matchLoop() {
	defer b.wg.Done()
	for {
		b.mu.Lock()
		batch := b.queue
		b.queue = nil
		dropped := b.dropped
		b.dropped = 0
		b.mu.Unlock()
		if dropped > 0 {
			b.s.log.Error("eventbridge: queue full, events dropped", "events", dropped)
		}
		for _, it := range batch {
			b.match(it)
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-b.ctx.Done():
			return
		case <-b.wake:
		case j := <-b.jobs:
			b.deliver(j)
		}
	}
}

// match decides an event against its account's enabled rules and queues a delivery to each
// target of each rule that matches.
func (b *bus) match(it item) {
	ctx := b.ctx
	a, err := b.s.cache.get(ctx, it.account())
	if err != nil {
		if ctx.Err() == nil {
			b.s.log.Error("eventbridge: reading rules", "account", it.account(), "err", err)
		}
		return
	}
	if a.n == 0 {
		return
	}
	var source string
	var view *trailView
	ro := false
	if it.trail != nil {
		source, view, ro = Source(it.trail.EventSource), &trailView{e: it.trail}, readOnly(it.trail)
	} else {
		source = it.put.Source
	}
	// The encoded event and its decoded form, made once, when first needed.
	var body []byte
	var decoded any
	encode := func() bool {
		if body != nil {
			return true
		}
		if it.trail != nil {
			body, err = trailEnvelope(it.trail)
		} else {
			body, err = putEnvelope(it.put, b.s.region)
		}
		if err == nil {
			decoded, err = pattern.DecodeEvent(body)
		}
		if err != nil {
			b.s.log.Error("eventbridge: encoding an event", "account", it.account(), "err", err)
			body = nil
			return false
		}
		return true
	}
	var matched []*compiled
	a.candidates(source, func(r *compiled) bool {
		if ro && !r.all {
			return true
		}
		if view != nil {
			view.unknown = false
			if ok := r.pattern.Matches(view); !view.unknown {
				if ok {
					matched = append(matched, r)
				}
				return true
			}
		}
		if encode() && r.pattern.Matches(decoded) {
			matched = append(matched, r)
		}
		return true
	})
	if len(matched) == 0 || !encode() {
		return
	}
	eventID, _ := fieldString(decoded, "id")
	for _, r := range matched {
		for _, tg := range r.targets {
			payload, err := transform(body, decoded, tg, b.s.RuleARN(it.account(), r.name), r.name)
			if err != nil {
				b.s.log.Error("eventbridge: transforming an event", "rule", r.name, "target", tg.ID, "err", err)
				continue
			}
			j := job{account: it.account(), rule: r.name, eventID: eventID, target: tg, payload: payload, attempt: 1}
			if tg.MessageGroupID != "" {
				b.ordered(j)
				continue
			}
			select {
			case b.jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}
}

func fieldString(v any, name string) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	s, ok := m[name].(string)
	return s, ok
}

func (b *bus) deliverLoop() {
	defer b.wg.Done()
	for {
		select {
		case <-b.ctx.Done():
			return
		case j := <-b.jobs:
			b.deliver(j)
		}
	}
}

// deliver calls the target's handler once, records the attempt, and schedules the next one after
// a failure while attempts remain.
func (b *bus) deliver(j job) {
	s := b.s
	if !b.attempt(j, b.retrying.Load() < maxRetrying) {
		return
	}
	wait := s.retry.wait(j.attempt)
	j.attempt++
	b.retrying.Add(1)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer b.retrying.Add(-1)
		select {
		case <-s.after(wait):
		case <-b.ctx.Done():
			return
		}
		select {
		case b.jobs <- j:
		case <-b.ctx.Done():
		}
	}()
}

// wait is how long to wait after the attempt-th failed attempt.
func (r Retry) wait(attempt int) time.Duration {
	wait := r.First << (attempt - 1)
	if wait > r.Max || wait <= 0 {
		wait = r.Max
	}
	return wait
}

// attempt calls the target's handler once and records the attempt; it reports whether another
// attempt is to follow (it failed, attempts remain, and mayRetry).
func (b *bus) attempt(j job, mayRetry bool) (retry bool) {
	s := b.s
	fn := s.handler(j.target.ARN)
	var err error
	if fn == nil {
		err = fmt.Errorf("no handler serves target %s", j.target.ARN)
	} else {
		err = b.call(fn, j)
	}
	d := Delivery{Time: s.now().UTC(), Account: j.account, EventID: j.eventID, Rule: j.rule, TargetID: j.target.ID,
		TargetARN: j.target.ARN, Attempt: j.attempt, Outcome: OutcomeDelivered}
	switch {
	case err == nil:
	case fn != nil && j.attempt < s.retry.Attempts && mayRetry:
		d.Outcome, d.Error = OutcomeRetrying, err.Error()
	default:
		d.Outcome, d.Error = OutcomeDropped, err.Error()
		s.log.Error("eventbridge: delivery dropped", "account", j.account, "rule", j.rule, "target", j.target.ID,
			"event", j.eventID, "attempts", j.attempt, "err", err)
	}
	s.record(b.ctx, d)
	return d.Outcome == OutcomeRetrying
}

// call runs the handler with the matched rule in its context; a panic is a failed attempt.
func (b *bus) call(fn TargetFunc, j job) (err error) {
	ctx, cancel := context.WithTimeout(b.ctx, deliveryTimeout)
	defer cancel()
	ruleARN := b.s.RuleARN(j.account, j.rule)
	ctx = context.WithValue(ctx, ruleKey{}, matchedRule{account: j.account, arn: ruleARN, dedupID: dedupID(j.eventID, ruleARN, j.target.ID),
		group: j.target.MessageGroupID})
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("target handler panicked: %v", v)
		}
	}()
	return fn(ctx, j.target.ARN, j.payload)
}

// transform is what a target receives: its Input, the part of the event its InputPath names, its
// InputTransformer's template filled from the event, or the whole event.
func transform(body []byte, decoded any, tg targetRecord, ruleARN, ruleName string) ([]byte, error) {
	switch {
	case tg.Transformer != nil:
		return applyTransformer(tg.Transformer, body, decoded, ruleARN, ruleName), nil
	case tg.Input != "":
		return []byte(tg.Input), nil
	case tg.InputPath != "":
		v, ok := jsonPath(decoded, tg.InputPath)
		if !ok {
			// AWS does not document the payload of a path the event lacks; Rootward sends null.
			return []byte("null"), nil
		}
		return json.Marshal(v)
	}
	return body, nil
}
