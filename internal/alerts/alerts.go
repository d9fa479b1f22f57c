// Package alerts is Rootward's built-in root-activity alert, on by default in every account: the
// EventBridge rule RootwardRootActivity on each account's default bus (ManagedBy "rootward"),
// matching every event whose detail.userIdentity.type is Root — root sign-ins, root API calls and
// calls inside privileged root sessions — with a target that Rootward serves itself
// (arn:aws:rootward:REGION:ACCOUNT:alert/root-activity). Each match is emailed to the account's
// root email and SECURITY alternate contact, to the management account's SECURITY contact for a
// member account, and to the extra recipients the organization set, with what happened, when,
// from where, whether MFA was used, and the organization's runbook.
//
// It follows AWS's own guidance for root use (IAM User Guide, "Monitor root user activity" and
// "Root user best practices for your AWS account": an EventBridge rule on root activity whose
// notification reaches the security team and leads to a response procedure). The rule is an
// ordinary rule to its account: ListRules shows it, DisableRule and DeleteRule work on it, and
// each such change is recorded in the trail and announced to the same recipients (RuleChanged).
//
// EventBridge is reached through function values (Config.Ensure; HandleTarget and RuleChanged are
// what EventBridge calls), so that this package does not depend on it.
package alerts

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// The managed rule.
const (
	RuleName  = "RootwardRootActivity"
	ManagedBy = "rootward"
	// EventPattern matches every event on the bus whose detail's userIdentity.type is Root:
	// EventBridge puts each CloudTrail record there as the detail of an "AWS API Call via
	// CloudTrail" or "AWS Console Sign In via CloudTrail" event.
	EventPattern    = `{"detail":{"userIdentity":{"type":["Root"]}}}`
	RuleDescription = "Rootward's root-activity alert: every use of the root user, emailed to the account's security contacts with the organization's runbook."
	// TargetID is the ID of the rule's one target.
	TargetID = "rootward-root-activity-alert"
	// TargetService is the service part of the target's ARN, which EventBridge routes to
	// HandleTarget (HandleTargets("rootward", ...)).
	TargetService = "rootward"
	// Purpose labels the alert emails in the outbox.
	Purpose = "root-activity-alert"
	// PurposeRuleChange labels the announcements of a disabled, enabled or deleted rule.
	PurposeRuleChange = "root-activity-alert-rule-change"
)

// ManagedRule is a rule Rootward owns on an account's default bus, as EventBridge's
// EnsureManagedRule takes it (the lead's wiring converts it to eventbridge.ManagedRule).
type ManagedRule struct {
	Name, Description, ManagedBy, EventPattern string
	Targets                                    []Target
}

// Target is one target of a ManagedRule.
type Target struct {
	ID, ARN string
}

// EnsureFunc creates the managed rule r on account's default bus if it is not there
// (EventBridge's EnsureManagedRule).
type EnsureFunc func(ctx context.Context, account string, r ManagedRule) error

// Notifier sends a message (notify.Notifier).
type Notifier interface {
	Send(ctx context.Context, m notify.Message) error
}

// Contacts reads an account's root email, name and SECURITY alternate contact
// (rootuser.Service; issue 13 moves them behind the Account API).
type Contacts interface {
	AccountDetails(ctx context.Context, account string) (*rootuser.AccountDetails, error)
}

// Organizations tells an account's organization (orgs.Service).
type Organizations interface {
	OrganizationOf(ctx context.Context, account string) (*orgs.Organization, error)
}

// Config configures the service.
type Config struct {
	Store store.Store
	IAM   *iam.Service
	// Contacts and Notifier are needed to send alerts; the settings commands need neither.
	Contacts Contacts
	// Orgs, when set, finds a member account's management account and the organization whose
	// runbook applies; without it every account stands alone.
	Orgs     Organizations
	Notifier Notifier
	// Trail, when set, records the rule's changes and the settings' edits.
	Trail *trail.Recorder
	// Announce, set in serve, puts a record on its account's default bus: serve's Trail is
	// followed by its bus, and Run announces the settings changes other processes queued. Without
	// it (a command), each settings change recorded is also queued for serve to announce
	// (announce.go).
	Announce AnnounceFunc
	// Ensure creates the rule in an account (EventBridge's EnsureManagedRule); nil until the
	// EventBridge service is wired, in which case no rule is created.
	Ensure EnsureFunc
	// Region is the region of the rule's target ARN (default us-east-1).
	Region string
	// ConsoleURL, when set, is where the email says the alert settings are ("https://…/console").
	ConsoleURL string
	Now        func() time.Time
	Log        *slog.Logger
	// AccountQueue bounds the new accounts waiting for Run to ensure their rule (default 1024);
	// past it Run ensures every account's rule once the queue drains.
	AccountQueue int
}

// Service sends the alerts and keeps their settings.
type Service struct {
	cfg Config

	mu       sync.Mutex
	ensured  map[string]bool // guarded by mu: accounts whose rule was ensured, as this process knows
	accounts chan string
	// missed is set when a burst of new accounts overflowed accounts: Run then ensures every
	// account's rule again rather than leave some without it until the next start.
	missed atomic.Bool
}

// New returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.IAM == nil {
		return nil, errors.New("alerts: Store and IAM are required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.AccountQueue <= 0 {
		cfg.AccountQueue = 1024
	}
	return &Service{cfg: cfg, ensured: map[string]bool{}, accounts: make(chan string, cfg.AccountQueue)}, nil
}

// SetEnsure sets EventBridge's EnsureManagedRule, for wiring after construction.
func (s *Service) SetEnsure(fn EnsureFunc) { s.cfg.Ensure = fn }

// TargetARN is the ARN of the rule's target in account.
func (s *Service) TargetARN(account string) string {
	return arn.Rootward(s.cfg.Region, account, "alert/root-activity")
}

// Rule is the managed rule of account.
func (s *Service) Rule(account string) ManagedRule {
	return ManagedRule{Name: RuleName, Description: RuleDescription, ManagedBy: ManagedBy, EventPattern: EventPattern,
		Targets: []Target{{ID: TargetID, ARN: s.TargetARN(account)}}}
}

// stateRecord is an account's alert state (kind "alerts.state", the account's, key "rule"):
// whether its rule was created, and its last known state.
type stateRecord struct {
	Ensured   bool      `json:"ensured"`
	EnsuredAt time.Time `json:"ensured_at,omitzero"`
	// Rule is ENABLED, DISABLED, DELETED or TARGET_REMOVED, as EventBridge last reported
	// (RuleChanged).
	Rule      string    `json:"rule"`
	ChangedBy string    `json:"changed_by,omitempty"`
	ChangedAt time.Time `json:"changed_at,omitzero"`
}

var states = store.Define(store.Kind[stateRecord]{Name: "alerts.state", Version: 1})

const stateKey = "rule"

// Rule states.
const (
	RuleEnabled  = "ENABLED"
	RuleDisabled = "DISABLED"
	RuleDeleted  = "DELETED"
	// RuleTargetRemoved is a rule whose alert target was removed (RemoveTargets with Force): it
	// matches, but delivers to no alert.
	RuleTargetRemoved = "TARGET_REMOVED"
)

// EnsureAccount creates the account's rule once: after that, a user's DisableRule or DeleteRule
// stands (the rule is not put back behind their back; the change was announced). Without an
// Ensure function it does nothing.
func (s *Service) EnsureAccount(ctx context.Context, account string) error {
	if s.cfg.Ensure == nil {
		return nil
	}
	s.mu.Lock()
	done := s.ensured[account]
	s.mu.Unlock()
	if done {
		return nil
	}
	var st *stateRecord
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		var ok bool
		var err error
		st, ok, err = states.Get(tx, account, stateKey)
		if !ok {
			st = &stateRecord{}
		}
		return err
	})
	if err != nil {
		return err
	}
	if !st.Ensured {
		if err := s.cfg.Ensure(ctx, account, s.Rule(account)); err != nil {
			return err
		}
		err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
			cur, ok, err := states.Get(tx, account, stateKey)
			if err != nil {
				return err
			}
			if !ok {
				cur = &stateRecord{Rule: RuleEnabled}
			}
			cur.Ensured, cur.EnsuredAt = true, s.cfg.Now().UTC()
			return states.Put(tx, account, stateKey, cur)
		})
		if err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.ensured[account] = true
	s.mu.Unlock()
	return nil
}

// EnsureAll ensures the rule of every account.
func (s *Service) EnsureAll(ctx context.Context) error {
	accts, err := s.cfg.IAM.Accounts(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range accts {
		if err := s.EnsureAccount(ctx, a.ID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Run ensures every account's rule, then each new account's as the store reports it, and
// announces the settings changes other processes queued (announce.go), until ctx ends. An account
// whose rule could not be created is tried again at the next change or start.
func (s *Service) Run(ctx context.Context) {
	queued := make(chan struct{}, 1)
	cancel := s.cfg.Store.Changes().Subscribe(func(batch []store.Change) {
		for _, c := range batch {
			switch c.Kind {
			case pending.Name:
				select {
				case queued <- struct{}{}:
				default:
				}
				continue
			case "account":
			default:
				continue
			}
			select {
			case s.accounts <- c.Key:
			default: // a burst of new accounts: Run goes over them all once the queue drains
				if !s.missed.Swap(true) {
					s.cfg.Log.Warn("alerts: new accounts queue full; every account's rule is ensured once it drains", "queue", cap(s.accounts))
				}
			}
		}
	})
	defer cancel()
	s.announcePending(ctx)
	if err := s.EnsureAll(ctx); err != nil && ctx.Err() == nil {
		s.cfg.Log.Error("alerts: creating the root-activity rules", "err", err)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-queued:
			s.announcePending(ctx)
		case a := <-s.accounts:
			if err := s.EnsureAccount(ctx, a); err != nil && ctx.Err() == nil {
				s.cfg.Log.Error("alerts: creating the root-activity rule", "account", a, "err", err)
			}
			if len(s.accounts) == 0 && s.missed.Swap(false) {
				if err := s.EnsureAll(ctx); err != nil && ctx.Err() == nil {
					s.cfg.Log.Error("alerts: creating the root-activity rules", "err", err)
				}
			}
		}
	}
}

// announcePending announces the settings changes other processes queued (AnnouncePending),
// logging a failure: the records stay queued for the next change or start.
func (s *Service) announcePending(ctx context.Context) {
	if _, err := s.AnnouncePending(ctx); err != nil && ctx.Err() == nil {
		s.cfg.Log.Error("alerts: announcing the settings changes of other processes", "err", err)
	}
}

// State is an account's alert state for the console.
type State struct {
	Ensured   bool
	Rule      string // ENABLED, DISABLED, DELETED, TARGET_REMOVED; "" before the rule exists
	ChangedBy string
	ChangedAt time.Time
}

// StateOf returns an account's alert state.
func (s *Service) StateOf(ctx context.Context, account string) (State, error) {
	var out State
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		r, ok, err := states.Get(tx, account, stateKey)
		if ok {
			out = State{Ensured: r.Ensured, Rule: r.Rule, ChangedBy: r.ChangedBy, ChangedAt: r.ChangedAt}
		}
		return err
	})
	return out, err
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
