// Package signin is console sign-in: the flows that turn what a person types into a signed-in
// principal the console starts a session for. Every step is one method call over an opaque,
// single-use, short-lived pending token that says what comes next, so the web console only renders
// forms and carries the token.
//
//   - Principals (Kind): an account's root user by email and password, an IAM user by account ID
//     or alias, user name and password. Identity Center users are meant to become a third Kind
//     beside them: a Begin… method for their password step, the same pending steps after it.
//   - Steps (signin.go): MFA with any of the principal's devices (TOTP code or WebAuthn
//     assertion), MFA registration (the root user's 35-day window has passed, or MFA recovery
//     completed), a forced password change (IAM users with PasswordResetRequired or an expired
//     password), then done with a Principal and the browser's device cookie.
//   - Pending sign-ins (pending.go): stored under the SHA-256 of their token, spent by every step
//     that succeeds, swept when expired (sweep.go).
//   - Guessing (throttle.go, device.go): every password and code attempt is counted before it is
//     checked, in the root-user service's throttling counters; a browser that completed a
//     sign-in holds a device cookie and is judged by that cookie's own counter.
//
// The principals' state — MFA devices, the 35-day window, recovery, session epochs — is
// internal/rootuser's and internal/iam's; this package reads it through their services and never
// the reverse. Every sign-in is recorded as a CloudTrail ConsoleLogin event (events.go).
package signin

import (
	"context"
	"errors"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/throttle"
	"github.com/rootward/rootward/internal/trail"
)

// verifyPassword checks a password against an argon2id hash. Sign-in steps call it exactly once
// whether or not the account, user or password exists (against a dummy hash of the same cost when
// there is nothing to check), so the work, and with it the response time, does not reveal which
// emails and users exist. A variable so that a test can count the calls and see the hashes.
var verifyPassword = password.Verify

// Store kinds. Their names predate this package (internal/rootuser held sign-in before) and stay,
// so pending sign-ins and device cookies issued before an upgrade still count.
// kindDevice (device.go) is "ru.device" for the same reason.
const kindPending = "ru.pending" // global: hex SHA-256(token) → pendingRecord

// Defaults: a pending sign-in lives ten minutes and ends after three wrong MFA answers.
const (
	pendingLifetime    = 10 * time.Minute
	mfaAttemptsPerStep = 3
)

// Kind is the kind of principal a sign-in is for.
type Kind string

// Kinds of principal.
const (
	// KindRoot is an account's root user, signed in by email and password.
	KindRoot Kind = "root"
	// KindIAMUser is an IAM user, signed in by account ID or alias, user name and password.
	KindIAMUser Kind = "iam-user"
)

// kindOf is the kind of the principal user names in an account ("" = the root user).
func kindOf(user string) Kind {
	if user == "" {
		return KindRoot
	}
	return KindIAMUser
}

// Client is what the service knows of the browser behind a call, for throttling, device cookies
// and events; the root-user service's, so one value serves both.
type Client = rootuser.Client

// Principal is a signed-in console principal: what the console starts a session for.
type Principal = rootuser.Principal

// Device is an MFA device a pending MFA step may be answered with.
type Device = rootuser.Device

// Service runs the sign-in flows. It is safe for concurrent use.
type Service struct {
	iam        *iam.Service
	root       *rootuser.Service
	st         store.Store
	trail      *trail.Recorder
	counters   *throttle.Counters
	consoleURL string
	now        func() time.Time
	// dummyHash is the hash unknown identities are checked against (see New).
	dummyHash func() string
	// approvals is Multi-party approval of root sign-ins (approval.go); nil: none.
	approvals Approvals
}

// Config holds what a Service needs.
type Config struct {
	IAM *iam.Service
	// Root is the root-user service: the principals' MFA state, recovery, session epochs and the
	// throttling counters sign-in shares with it.
	Root  *rootuser.Service
	Trail *trail.Recorder
	// Approvals makes root sign-ins wait for a protecting approval team and runs split-custody
	// and break-glass sign-ins (approval.go); nil: root sign-in needs no approval.
	Approvals Approvals
}

// Option tunes a Service.
type Option func(*Service)

// WithClock injects the clock: tests move it across pending lifetimes and throttling waits
// instead of sleeping. It should be the root-user service's clock.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// New returns a Service.
func New(cfg Config, opts ...Option) (*Service, error) {
	if cfg.IAM == nil || cfg.Root == nil || cfg.Trail == nil {
		return nil, errors.New("signin: IAM, Root and Trail are required")
	}
	s := &Service{
		iam: cfg.IAM, root: cfg.Root, st: cfg.IAM.Store(), trail: cfg.Trail, counters: cfg.Root.Counters(),
		consoleURL: cfg.Root.ConsoleURL(), now: time.Now, approvals: cfg.Approvals,
	}
	for _, o := range opts {
		o(s)
	}
	// Unknown emails and user names are checked against this hash, at the cost real hashes have,
	// so a wrong password takes as long whether or not the identity exists.
	s.dummyHash = password.Decoy(cfg.IAM.PasswordCost())
	return s, nil
}

// Now is the service clock, in UTC and truncated to seconds like IAM's.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Second) }

// txn is sign-in's transaction: the store's, with its JSON helpers.
type txn struct{ store.Txn }

func (s *Service) update(ctx context.Context, fn func(t txn) error) error {
	return store.Update(ctx, s.st, fn)
}

func (s *Service) view(ctx context.Context, fn func(t txn) error) error {
	return store.View(ctx, s.st, fn)
}

// randomToken and tokenKey are the root-user service's: pending sign-ins and device cookies
// are tokens of the same shape, stored under their SHA-256.
var (
	randomToken = rootuser.NewToken
	tokenKey    = rootuser.TokenKey
)
