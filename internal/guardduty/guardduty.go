// Package guardduty is Rootward's Amazon GuardDuty: detectors (one per account and region, as AWS
// allows) and the one finding type Rootward can observe, Policy:IAMUser/RootCredentialUsage, raised
// for every CloudTrail record whose userIdentity.type is Root — root sign-ins, root API calls and
// calls inside privileged root sessions — in an account whose detector is enabled (GuardDuty User
// Guide, "Policy finding types": Policy:IAMUser/RootCredentialUsage,
// https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#policy-iam-rootcredentialusage).
//
// Findings are kept in AWS's shape (GuardDuty User Guide, "Finding details",
// https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings-summary.html): a repeat of the
// same API from the same source by the same root user updates the active finding (service.count,
// eventFirstSeen, eventLastSeen, updatedAt) instead of raising a new one. Each new or updated
// finding is handed to EventBridge (source aws.guardduty, detail-type "GuardDuty Finding", detail
// = the finding; GuardDuty User Guide, "Processing findings with Amazon EventBridge").
//
// The trail tells the service of each committed batch (Observe, subscribed with
// trail.Recorder.Subscribe); Observe only queues the root events, and Run raises their findings on
// its own goroutine, so a finding follows its event within the time of one store transaction.
package guardduty

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// PublishFunc puts an event on an account's default EventBridge bus. It must not block on
// delivery (EventBridge's Put queues).
type PublishFunc func(account, source, detailType string, resources []string, detail []byte)

// Config configures the service.
type Config struct {
	Store store.Store
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Publish, when set, receives every new or updated finding (EventBridge's Put).
	Publish PublishFunc
	Log     *slog.Logger
	// QueueSize bounds the root events waiting for Run (default 8192). An event that finds the
	// queue full is dropped with an error in the log: Observe may never block the trail's writer.
	QueueSize int
	// ListScanLimit bounds the findings one ListFindings call examines in creation order
	// (DefaultScanLimit when 0).
	ListScanLimit int
}

// Service is GuardDuty over a store.
type Service struct {
	st      store.Store
	now     func() time.Time
	publish PublishFunc
	log     *slog.Logger
	// scanLimit: Config.ListScanLimit.
	scanLimit int

	queue chan *trail.Event

	mu      sync.Mutex
	pending int        // guarded by mu: events queued or being processed
	idle    *sync.Cond // signalled when pending reaches 0
}

// New returns the service. Call Run to raise findings from observed events.
func New(cfg Config) *Service {
	s := &Service{st: cfg.Store, now: cfg.Now, publish: cfg.Publish, log: cfg.Log, scanLimit: cfg.ListScanLimit}
	if s.scanLimit <= 0 {
		s.scanLimit = DefaultScanLimit
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	n := cfg.QueueSize
	if n <= 0 {
		n = 8192
	}
	s.queue = make(chan *trail.Event, n)
	s.idle = sync.NewCond(&s.mu)
	return s
}

// SetPublish sets where findings go (EventBridge's Put), for wiring after construction.
func (s *Service) SetPublish(fn PublishFunc) { s.publish = fn }

// The messages of GuardDuty's BadRequestException that Rootward answers. AWS documents the
// exception, not its messages; these are the texts AWS answers in practice for the same cases.
const (
	msgNotOwned = "The request is rejected because the input detectorId is not owned by the current account."
	msgExists   = "The request is rejected because a detector already exists for the current account."
	msgInvalid  = "The request is rejected because an invalid or out-of-range value is specified as an input parameter."
)

func badRequest(msg string, args ...any) error {
	return awserr.New(awserr.GuardDutyBadRequest, msg, args...)
}

// newID is a GuardDuty identifier: 32 lowercase hex digits, the form of AWS's detector and finding
// IDs.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// timeFormat is how GuardDuty writes times in findings and detectors: ISO 8601 in UTC with
// milliseconds ("2026-12-06T15:04:05.000Z").
const timeFormat = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// Observe queues the root events of a committed trail batch for Run (trail.Recorder.Subscribe). It
// never blocks: a full queue drops the event and logs it.
func (s *Service) Observe(events []*trail.Event) {
	for _, e := range events {
		if e.UserIdentity.Type != "Root" {
			continue
		}
		s.mu.Lock()
		s.pending++
		s.mu.Unlock()
		select {
		case s.queue <- e:
		default:
			s.done()
			s.log.Error("guardduty: event queue full; root event not analysed", "account", e.RecipientAccountID, "event_id", e.EventID, "event", e.EventName)
		}
	}
}

func (s *Service) done() {
	s.mu.Lock()
	s.pending--
	if s.pending == 0 {
		s.idle.Broadcast()
	}
	s.mu.Unlock()
}

// Run raises the findings of observed events until ctx ends.
func (s *Service) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-s.queue:
			if err := s.Analyse(ctx, e); err != nil && ctx.Err() == nil {
				s.log.Error("guardduty: raising a finding", "account", e.RecipientAccountID, "event_id", e.EventID, "err", err)
			}
			s.done()
		}
	}
}

// Wait returns once every event observed so far has been analysed (for tests and shutdown; Run
// must be running).
func (s *Service) Wait() {
	s.mu.Lock()
	for s.pending > 0 {
		s.idle.Wait()
	}
	s.mu.Unlock()
}
