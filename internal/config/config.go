// Package config is Rootward's AWS Config: AWS managed rules over the compliance engine
// (internal/compliance), their evaluations kept one record per rule and resource, the compliance
// queries over them, organization rules deployed to every member account, aggregators over an
// organization, and the configuration recorder and delivery channel, which are stored and answered
// but not needed: the rules read Rootward's own IAM state, not recorded configuration items.
//
// Evaluation. A rule is evaluated when it is created or updated, when StartConfigRulesEvaluation
// asks, when the trail shows a committed write to IAM, the root user, the account's contacts or the
// organization in the rule's account (Observe, subscribed with trail.Recorder.Subscribe; debounced),
// and periodically at its MaximumExecutionFrequency. Every rule of an account, periodic or not, is
// evaluated on a change: IAM is Rootward's own state, so a change is seen the moment it commits
// (issue 13 decided that a change is evaluated within 10 seconds). Run does the work on its own
// goroutine; OnEvaluated hands each account's results to Security Hub.
//
// Results map to AWS Config's compliance types: PASSED → COMPLIANT, FAILED → NON_COMPLIANT,
// NOT_APPLICABLE → NOT_APPLICABLE. A result ERROR (the facts could not be read) stores no
// evaluation — the resource keeps its last one — and sets the rule's LastErrorCode and
// LastErrorMessage in DescribeConfigRuleEvaluationStatus.
package config

import (
	"context"
	"crypto/rand"
	"log/slog"
	"sync"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// Gatherer reads what the checks read about one account (compliance.Gatherer).
type Gatherer interface {
	Gather(ctx context.Context, account string) (*compliance.Facts, error)
}

// EvaluatedFunc is told the results of every check (compliance.EvaluateAll, default parameters)
// each time an account is evaluated, whether or not it has Config rules: Security Hub's findings.
type EvaluatedFunc func(ctx context.Context, account string, results []compliance.Result)

// Config configures the service.
type Config struct {
	Store    store.Store
	IAM      *iam.Service
	Orgs     *orgs.Service
	Gatherer Gatherer
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	Log *slog.Logger
	// Debounce is how long Run waits after a change before evaluating its account, so that a burst
	// of changes is evaluated once (default 1 s; negative: no wait).
	Debounce time.Duration
	// Ticks, when set, drives the periodic pass (tests send on it after moving the clock); else a
	// ticker of Interval (default one minute) does.
	Ticks    <-chan time.Time
	Interval time.Duration
	// QueueSize bounds the accounts waiting for Run (default 4096); a change that finds it full
	// marks every account for the next pass instead of blocking the trail.
	QueueSize int
}

// Service is AWS Config over a store.
type Service struct {
	st       store.Store
	iam      *iam.Service
	orgs     *orgs.Service
	gather   Gatherer
	now      func() time.Time
	log      *slog.Logger
	debounce time.Duration
	ticks    <-chan time.Time
	interval time.Duration

	queue chan job

	mu        sync.Mutex
	pending   int                  // guarded by mu: jobs queued or being run
	idle      *sync.Cond           // signalled when pending reaches 0
	overflow  bool                 // guarded by mu: a change was dropped; the next pass evaluates every account
	lastHook  map[string]time.Time // guarded by mu: when OnEvaluated was last told of each account
	evaluated []EvaluatedFunc
}

// job is a unit of Run's work: an account's change (every rule), named rules
// (StartConfigRulesEvaluation, a put), an account's due rules, or the periodic pass over every
// account.
type job struct {
	account, region string
	rules           []string // nil: every rule of the account
	periodic        bool
	change          bool
	pass            bool // the periodic pass over every account
}

// New returns the service. Call Run to evaluate rules.
func New(cfg Config) *Service {
	s := &Service{st: cfg.Store, iam: cfg.IAM, orgs: cfg.Orgs, gather: cfg.Gatherer, now: cfg.Now, log: cfg.Log,
		debounce: cfg.Debounce, ticks: cfg.Ticks, interval: cfg.Interval}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.debounce == 0 {
		s.debounce = time.Second
	}
	if s.interval <= 0 {
		s.interval = time.Minute
	}
	n := cfg.QueueSize
	if n <= 0 {
		n = 4096
	}
	s.queue = make(chan job, n)
	s.idle = sync.NewCond(&s.mu)
	return s
}

// OnEvaluated adds fn to those told of each account's results (Security Hub). Call it before Run.
func (s *Service) OnEvaluated(fn EvaluatedFunc) {
	s.mu.Lock()
	s.evaluated = append(s.evaluated, fn)
	s.mu.Unlock()
}

// invalid is InvalidParameterValueException, AWS Config's answer to a value it refuses.
func invalid(format string, args ...any) error {
	return awserr.New(awserr.ConfigInvalidParameterValue, format, args...)
}

// idChars are the characters of the random part of Config's IDs (config-rule-ab12cd).
const idChars = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomID is n characters of idChars.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idChars[int(b[i])%len(idChars)]
	}
	return string(b)
}

// Observe queues the accounts of a committed trail batch's writes to IAM, the root user, the
// account's contacts and the organization (trail.Recorder.Subscribe). It never blocks.
func (s *Service) Observe(events []*trail.Event) {
	seen := map[string]bool{}
	for _, e := range events {
		if e.ReadOnly != nil && *e.ReadOnly || e.ErrorCode != "" || !changes(e) {
			continue
		}
		if a := e.RecipientAccountID; a != "" && !seen[a] {
			seen[a] = true
			s.enqueue(job{account: a, change: true})
		}
	}
}

// changeSources are the event sources whose writes can change a check's outcome.
var changeSources = map[string]bool{
	"iam.amazonaws.com": true, "signin.amazonaws.com": true, "account.amazonaws.com": true,
	"organizations.amazonaws.com": true,
}

func changes(e *trail.Event) bool {
	if changeSources[e.EventSource] {
		return true
	}
	// A privileged root session is opened in the member account's name: what it does is
	// recorded under iam.amazonaws.com; AssumeRoot itself changes nothing but is kept so that a
	// deletion that follows at once is seen even when its own record is of another source.
	return e.EventSource == "sts.amazonaws.com" && e.EventName == "AssumeRoot"
}

func (s *Service) enqueue(j job) {
	if s.gather == nil {
		// Nothing can be evaluated (a server without serve's wiring, which nothing runs).
		return
	}
	s.mu.Lock()
	s.pending++
	s.mu.Unlock()
	select {
	case s.queue <- j:
	default:
		s.mu.Lock()
		s.overflow = true
		s.mu.Unlock()
		s.done()
		s.log.Error("config: evaluation queue full; the account is evaluated on the next periodic pass", "account", j.account)
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

// Wait returns once every change, evaluation request and periodic pass queued so far has been
// evaluated (for tests and shutdown; Run must be running).
func (s *Service) Wait() {
	s.mu.Lock()
	for s.pending > 0 {
		s.idle.Wait()
	}
	s.mu.Unlock()
}

// Run evaluates rules until ctx ends: changes (debounced), StartConfigRulesEvaluation's requests,
// new and updated rules, and the periodic pass.
func (s *Service) Run(ctx context.Context) {
	ticks := s.ticks
	if ticks == nil {
		t := time.NewTicker(s.interval)
		defer t.Stop()
		ticks = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
			s.PeriodicPass()
		case j := <-s.queue:
			if j.change && s.debounce > 0 {
				batch := s.collect(ctx, j)
				for _, b := range batch {
					s.runJob(ctx, b)
				}
				continue
			}
			s.runJob(ctx, j)
		}
	}
}

// collect waits the debounce after a change, gathering further jobs, and returns them with
// repeated changes of one account merged.
func (s *Service) collect(ctx context.Context, first job) []job {
	jobs := []job{first}
	timer := time.NewTimer(s.debounce)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return jobs
		case <-timer.C:
			return mergeChanges(jobs, s.done)
		case j := <-s.queue:
			jobs = append(jobs, j)
		}
	}
}

// mergeChanges keeps the first change job of each account (and every other job); done is called
// for each one dropped, as it will not be run.
func mergeChanges(jobs []job, done func()) []job {
	seen := map[string]bool{}
	var out []job
	for _, j := range jobs {
		if j.change {
			if seen[j.account] {
				done()
				continue
			}
			seen[j.account] = true
		}
		out = append(out, j)
	}
	return out
}

// PeriodicPass queues a periodic pass, as each tick does; Wait returns once it has run.
func (s *Service) PeriodicPass() { s.enqueue(job{pass: true}) }

func (s *Service) runJob(ctx context.Context, j job) {
	defer s.done()
	if j.pass {
		s.runPeriodic(ctx)
		return
	}
	if err := s.evaluateAccount(ctx, j); err != nil && ctx.Err() == nil {
		s.log.Error("config: evaluating rules", "account", j.account, "err", err)
	}
}

// runPeriodic evaluates, in every account, the rules whose MaximumExecutionFrequency has passed
// since their last evaluation, and tells OnEvaluated of every account (Security Hub's periodic
// refresh); after a dropped change, it evaluates every rule of every account.
func (s *Service) runPeriodic(ctx context.Context) {
	s.mu.Lock()
	all := s.overflow
	s.overflow = false
	s.mu.Unlock()
	accounts, err := s.iam.Accounts(ctx)
	if err != nil {
		s.log.Error("config: listing accounts for the periodic evaluation", "err", err)
		return
	}
	for _, a := range accounts {
		if ctx.Err() != nil {
			return
		}
		if err := s.evaluateAccount(ctx, job{account: a.ID, periodic: !all, change: all}); err != nil && ctx.Err() == nil {
			s.log.Error("config: periodic evaluation", "account", a.ID, "err", err)
		}
	}
}
