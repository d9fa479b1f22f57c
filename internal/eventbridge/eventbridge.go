// Package eventbridge is Amazon EventBridge's default event bus in each account: rules with event
// patterns (internal/eventbridge/pattern) and targets, stored as records on either backend; the
// events of the account — every CloudTrail record Rootward commits (FollowTrail) and the events
// other services Put (GuardDuty findings) — matched against its enabled rules; and delivery of
// each match to the rule's targets through the handler registered for the target ARN's service
// (HandleTargets), asynchronously, retried with bounded exponential back-off, every attempt
// recorded (Deliveries).
//
// Matching costs nothing per event for an account whose rules cannot match it: the rules of each
// account are compiled once and cached until the store's change feed reports a change to them,
// indexed by the source they require, and a CloudTrail record is matched against them through a
// view of its Go struct (trailevent.go) — it is encoded as JSON only when a rule matches it.
package eventbridge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// Event is an event on an account's default bus (EventBridge User Guide, "Amazon EventBridge
// events", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events.html).
type Event struct {
	// ID is the event's ID; "" mints one when it is delivered.
	ID                                  string
	Account, Region, Source, DetailType string
	Time                                time.Time
	Resources                           []string
	Detail                              json.RawMessage
}

// TargetFunc delivers one matched event (the whole EventBridge event JSON, or the target's Input /
// InputPath transformation of it) to a target ARN. An error makes the delivery be retried. The
// context carries the rule that matched (RuleFrom).
type TargetFunc func(ctx context.Context, targetARN string, payload []byte) error

// ManagedRule is a rule a Rootward feature owns (ManagedBy set): users may list, describe,
// disable, enable and delete it (DeleteRule with Force, as AWS asks for managed rules), but
// PutRule, PutTargets, RemoveTargets (without Force), TagResource and UntagResource on it answer
// ManagedRuleException as AWS does for managed rules. State is its state when created: ENABLED,
// or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (the default) so that it also sees read-only
// calls.
type ManagedRule struct {
	Name, Description, ManagedBy, EventPattern string
	State                                      string
	Targets                                    []Target
}

// Target is a rule's target: Id and Arn, and the optional Input (JSON text sent instead of the
// event), InputPath (the part of the event sent, "$.detail") or Transformer (InputTransformer).
// MessageGroupID (SqsParameters.MessageGroupId) is the message group of a FIFO target, which
// receives the rule's events one at a time in the order they matched (ordered.go).
type Target struct {
	ID, ARN, RoleARN, Input, InputPath string
	Transformer                        *InputTransformer
	MessageGroupID                     string
}

// Rule states (EventBridge API Reference, RuleState).
const (
	StateEnabled    = "ENABLED"
	StateDisabled   = "DISABLED"
	StateEnabledAll = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
)

// DefaultBus is the name of each account's default event bus, the only one Rootward serves.
const DefaultBus = "default"

// Retry bounds the redelivery of a failed target: the first retry after First, each next one
// after twice the previous wait, at most Max; after Attempts attempts the event is dropped for
// that target (logged, and recorded as "dropped").
type Retry struct {
	First, Max time.Duration
	Attempts   int
}

// DefaultRetry retries within about a minute and a half: 1 s, 2 s, 4 s … 30 s, eight attempts.
// AWS retries for up to 24 hours; Rootward's targets are its own services, which either take the
// event at once or are down, and an alert is worth little a day late.
var DefaultRetry = Retry{First: time.Second, Max: 30 * time.Second, Attempts: 8}

// Service is EventBridge over a store.
type Service struct {
	st     store.Store
	log    *slog.Logger
	now    func() time.Time
	after  func(time.Duration) <-chan time.Time
	region string
	retry  Retry
	// observe, when set, is told of each delivery attempt (WithObserver).
	observe func(Delivery)
	// seq orders the delivery records of one instant.
	seq atomic.Uint64
	// queueLimit bounds the events waiting to be matched (WithQueueLimit; maxQueued by default).
	queueLimit int

	handlersMu sync.RWMutex
	handlers   map[string]TargetFunc // guarded by handlersMu: ARN service → delivery

	changeMu sync.RWMutex
	onChange func(ctx context.Context, account, rule, change, caller string)

	cache *ruleCache
	bus   *bus
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock (attempt times, event times of Put events without one).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithAfter sets how the service waits before a retry (time.After by default); a test passes a
// function that returns at once, and records the waits asked for.
func WithAfter(after func(time.Duration) <-chan time.Time) Option {
	return func(s *Service) { s.after = after }
}

// WithQueueLimit bounds the events waiting to be matched (default 100,000); past it new events
// are dropped, counted and logged.
func WithQueueLimit(n int) Option { return func(s *Service) { s.queueLimit = n } }

// WithLogger sets the logger of dropped deliveries and failures.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithRegion sets the region of the bus (us-east-1 by default).
func WithRegion(region string) Option { return func(s *Service) { s.region = region } }

// WithRetry sets the retry bounds.
func WithRetry(r Retry) Option { return func(s *Service) { s.retry = r } }

// New returns EventBridge over st. Call Start to match and deliver events.
func New(st store.Store, opts ...Option) *Service {
	s := &Service{st: st, now: time.Now, after: time.After, region: "us-east-1", retry: DefaultRetry,
		log: slog.New(slog.NewTextHandler(io.Discard, nil)), handlers: map[string]TargetFunc{}}
	for _, o := range opts {
		o(s)
	}
	if s.retry.Attempts < 1 {
		s.retry.Attempts = 1
	}
	s.cache = newRuleCache(st)
	s.bus = newBus(s)
	return s
}

// Region is the region the bus answers for.
func (s *Service) Region() string { return s.region }

// HandleTargets routes targets whose ARN's service part is service ("sns", "rootward") to fn.
func (s *Service) HandleTargets(service string, fn TargetFunc) {
	s.handlersMu.Lock()
	s.handlers[service] = fn
	s.handlersMu.Unlock()
}

// handler is the delivery of targetARN's service, nil when none is registered.
func (s *Service) handler(targetARN string) TargetFunc {
	a, err := arn.Parse(targetARN)
	if err != nil {
		return nil
	}
	s.handlersMu.RLock()
	defer s.handlersMu.RUnlock()
	return s.handlers[a.Service]
}

// OnManagedRuleChange, when set, is called after a managed rule is disabled ("DisableRule"),
// enabled ("EnableRule"), deleted ("DeleteRule") or loses a target ("RemoveTargets") by caller (the caller's ARN), so that its owner
// can record and announce it.
func (s *Service) OnManagedRuleChange(fn func(ctx context.Context, account, rule, change string, caller string)) {
	s.changeMu.Lock()
	s.onChange = fn
	s.changeMu.Unlock()
}

func (s *Service) managedChanged(ctx context.Context, account, rule, change, caller string) {
	s.changeMu.RLock()
	fn := s.onChange
	s.changeMu.RUnlock()
	if fn != nil {
		fn(ctx, account, rule, change, caller)
	}
}

// Start starts matching and delivering events until ctx ends or Close is called.
func (s *Service) Start(ctx context.Context) { s.bus.start(ctx) }

// Close stops matching and delivery and waits for the workers to end. Events not yet delivered
// are dropped (they are in the trail; EventBridge gives no stronger promise).
func (s *Service) Close() { s.bus.close() }

// FollowTrail puts every CloudTrail record r commits on its recipient account's default bus.
func (s *Service) FollowTrail(r *trail.Recorder) { r.Subscribe(s.bus.onTrail) }

// PutRecord puts a committed CloudTrail record on its recipient account's default bus, as
// FollowTrail does for the records of the recorder it follows: for a record another process
// committed (the root-activity alert's settings changed on the command line).
func (s *Service) PutRecord(e *trail.Event) { s.bus.onTrail([]*trail.Event{e}) }

// Put queues e on its account's default bus; matching and delivery happen asynchronously
// (delivery within seconds, retried). It never blocks on delivery.
func (s *Service) Put(e Event) { s.bus.put(e) }

// RuleARN is the ARN of a rule on account's default bus.
func (s *Service) RuleARN(account, name string) string {
	return arn.ARN{Partition: "aws", Service: "events", Region: s.region, Account: account, Resource: "rule/" + name}.String()
}

// BusARN is the ARN of account's default event bus.
func (s *Service) BusARN(account string) string {
	return arn.ARN{Partition: "aws", Service: "events", Region: s.region, Account: account, Resource: "event-bus/" + DefaultBus}.String()
}

type ruleKey struct{}

// matchedRule is what a delivery's context says of the rule that matched, and of the delivery's
// deduplication ID and the target's message group.
type matchedRule struct{ account, arn, dedupID, group string }

// DeliveryFrom returns the deduplication ID of the delivery a TargetFunc makes — the same for every
// attempt to deliver one event to one target of one rule, and different for another event, rule or
// target (64 hex digits) — and the target's message group ("" for a target that is not FIFO): a
// FIFO topic's handler publishes with both, so that a retried delivery is not published twice
// while two rules' deliveries of one event both are.
func DeliveryFrom(ctx context.Context) (dedupID, group string) {
	m, _ := ctx.Value(ruleKey{}).(matchedRule)
	return m.dedupID, m.group
}

// dedupID is the deduplication ID of delivering event to a rule's target.
func dedupID(eventID, ruleARN, targetID string) string {
	h := sha256.New()
	for _, s := range []string{eventID, ruleARN, targetID} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// RuleFrom returns the account and ARN of the rule whose match a TargetFunc delivers (the
// aws:SourceAccount and aws:SourceArn an SNS topic policy may condition on).
func RuleFrom(ctx context.Context) (account, ruleARN string, ok bool) {
	m, ok := ctx.Value(ruleKey{}).(matchedRule)
	return m.account, m.arn, ok
}
