// Package rootuser is the lifecycle of an account's root user, and the per-principal state console
// sign-in (internal/signin) reads, as Go services: every step of a flow is one method call, so the
// web console is a thin layer that renders forms and calls them.
//
//   - MFA devices (mfa.go): up to eight per principal, any mix of virtual TOTP, hardware TOTP and
//     FIDO2/WebAuthn keys, stored by internal/iam; the 35-day window in which a root user must
//     register one (MFARegistrationWindow, signin_api.go).
//   - Recovery (recovery.go): password reset by a one-hour, single-use emailed link; lost MFA by
//     email link and phone code within 30 minutes, then a cooling-off period during which every
//     security contact may cancel.
//   - Throttling (throttle.go): per-identity and per-source-IP counters updated atomically in the
//     store before any password or code is checked, so parallel guesses cannot slip past them.
//   - Root credentials (credentials.go): root access keys and signing certificates only after an
//     explicit confirmation that names the risk, with a high-severity event and notification, and a
//     flag the console shows on every page while one exists; account details and contacts.
//   - Session epochs (service.go): recovery, a password change and "sign out everywhere" end every
//     console session of a principal.
//
// Console sign-in itself — passwords, the MFA step, pending sign-ins, device cookies — is
// internal/signin's, which calls this package for the state above (signin_api.go).
//
// Every password change, MFA change, recovery step and root credential creation is recorded as a
// CloudTrail-format event (events.go). Messages go through internal/notify.
package rootuser

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/throttle"
	"github.com/rootward/rootward/internal/trail"
)

// verifyPassword checks a password against an argon2id hash. Sign-in steps call it exactly once
// whether or not the account, user or password exists (against a dummy hash of the same cost when
// there is nothing to check), so the work, and with it the response time, does not reveal which
// emails and users exist. A variable so that a test can count the calls and see the hashes.
var verifyPassword = password.Verify

// Store kinds, all prefixed so they cannot meet another package's.
const (
	kindState    = "ru.state"    // account → rootState
	kindThrottle = throttle.Kind // global: counter key → throttle.Counter
	kindReset    = "ru.reset"    // global: hex SHA-256(token) → resetRecord
	kindRecovery = "ru.recovery" // global: recovery ID → recoveryRecord
	kindRecToken = "ru.rectoken" // global: hex SHA-256(token) → recoveryToken
	kindCeremony = "ru.ceremony" // global: hex SHA-256(token) → ceremonyRecord
	kindUserAux  = "ru.user"     // account, lower(user) → userAux
	keyState     = "state"
)

// Defaults. Sources: AWS Account Management guide ("Reset a lost or forgotten root user password":
// the link expires after one hour, … ) and the IAM User Guide ("Recover an MFA protected identity":
// email and phone both verified); the 35-day window from "Root user best practices … MFA
// enforcement"; the cooling-off period is Rootward's own addition.
const (
	DefaultCoolingOff   = 24 * time.Hour
	ResetLinkLifetime   = time.Hour
	RecoveryWindow      = 30 * time.Minute
	MFAGracePeriod      = 35 * 24 * time.Hour
	ceremonyLifetime    = 5 * time.Minute
	phoneCodeAttempts   = 5
	phoneCodeResendWait = 30 * time.Second
)

// Service runs the flows. It is safe for concurrent use.
type Service struct {
	iam        *iam.Service
	st         store.Store
	notify     *notify.Notifier
	trail      *trail.Recorder
	wa         *webauthn.WebAuthn
	consoleURL *url.URL
	cli        string
	now        func() time.Time

	coolingOff      time.Duration
	recoveryAllowed func(ctx context.Context, a *iam.Account) (bool, error)
	limits          Limits
	counters        *throttle.Counters
	dummyHash       func() string // password.Decoy
	log             *slog.Logger
	bg              sync.WaitGroup
	approval        Approval
}

// Config holds what a Service needs.
type Config struct {
	IAM      *iam.Service
	Notifier *notify.Notifier
	Trail    *trail.Recorder
	// ConsoleURL is the console's base URL ("https://rootward.example.com"); emailed links point
	// under it, and it is the WebAuthn origin, its host the relying party ID.
	ConsoleURL string
	// RPDisplayName is the name authenticators show; "Rootward" when empty.
	RPDisplayName string
	// CLI is how the rootward commands that messages name start ("rootward", or
	// "go run ./cmd/rootward" while serve runs from go run); "rootward" when empty.
	CLI string
}

// Option tunes a Service.
type Option func(*Service)

// WithClock injects the clock: tests move it across the 35-day window, link lifetimes and
// cooling-off periods instead of sleeping.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithCoolingOff sets the lost-MFA cooling-off period (default 24 hours).
func WithCoolingOff(d time.Duration) Option { return func(s *Service) { s.coolingOff = d } }

// WithRecoveryPolicy decides whether an account's root user may recover its password or MFA. The
// organizations service sets it for member accounts whose root credentials are centrally managed
// (recovery only when the management account allowed it); without it every account may recover.
func WithRecoveryPolicy(allowed func(ctx context.Context, a *iam.Account) (bool, error)) Option {
	return func(s *Service) { s.recoveryAllowed = allowed }
}

// WithLogger sets the logger of background failures (never a secret).
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// Approval is multi-party approval's check of a protected root operation (internal/mpa,
// Service.RootApproval): nil once approvers approved this request of requesterARN with these
// params, else AccessDenied naming the approval session. operation is ProtectedRootAccessKey or
// ProtectedRootSigningCertificate.
type Approval func(ctx context.Context, account, operation, requesterARN string, params []byte) error

// The protected operations of this package, as multi-party approval's policies name them.
const (
	ProtectedRootAccessKey          = "CreateRootAccessKey"
	ProtectedRootSigningCertificate = "UploadRootSigningCertificate"
)

// WithApproval makes creating a root access key or uploading a root signing certificate wait for
// multi-party approval.
func WithApproval(a Approval) Option { return func(s *Service) { s.approval = a } }

// approved asks multi-party approval, when wired, whether p may do operation with params.
func (s *Service) approved(ctx context.Context, p *Principal, operation string, params []byte) error {
	if s.approval == nil {
		return nil
	}
	return s.approval(ctx, p.Account, operation, arn.Root(p.Account), params)
}

// WithLimits replaces the throttling limits.
func WithLimits(l Limits) Option { return func(s *Service) { s.limits = l } }

// New returns a Service.
func New(cfg Config, opts ...Option) (*Service, error) {
	if cfg.IAM == nil || cfg.Notifier == nil || cfg.Trail == nil {
		return nil, errors.New("rootuser: IAM, Notifier and Trail are required")
	}
	u, err := url.Parse(cfg.ConsoleURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return nil, fmt.Errorf("rootuser: console URL %q must be an absolute http(s) URL", cfg.ConsoleURL)
	}
	wa, err := NewRelyingParty(cfg.ConsoleURL, cfg.RPDisplayName)
	if err != nil {
		return nil, fmt.Errorf("rootuser: webauthn: %w", err)
	}
	s := &Service{
		iam: cfg.IAM, st: cfg.IAM.Store(), notify: cfg.Notifier, trail: cfg.Trail, wa: wa, consoleURL: u, cli: cmp.Or(cfg.CLI, "rootward"),
		now: time.Now, coolingOff: DefaultCoolingOff, limits: DefaultLimits, log: slog.Default(),
		recoveryAllowed: func(context.Context, *iam.Account) (bool, error) { return true, nil },
	}
	for _, o := range opts {
		o(s)
	}
	s.counters = throttle.New(s.st, s.limits, s.now)
	// Unknown emails and user names are checked against this hash, at the cost real hashes have,
	// so a wrong password takes as long whether or not the identity exists.
	s.dummyHash = password.Decoy(cfg.IAM.PasswordCost())
	return s, nil
}

// Now is the service clock, in UTC and truncated to seconds like IAM's.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Second) }

// Transport names the transport the service's messages of a channel take (notify's
// TransportSMTP, TransportWebhook or TransportOutbox), so a page can say where to look for them.
func (s *Service) Transport(ch notify.Channel) string { return s.notify.Transport(ch) }

// Client is what the service knows of the browser behind a call, for throttling and events.
type Client struct {
	SourceIP  string
	UserAgent string
	// DeviceCookies are the device cookies the browser presented (device.go).
	DeviceCookies []string
}

// Principal is a signed-in console principal: the root user of Account, or its IAM user UserName.
type Principal struct {
	Account  string
	Root     bool
	UserName string
	ARN      string
	// UserID is the IAM user's unique ID, the account ID for the root user.
	UserID string
	// MFA tells whether the sign-in used an MFA device, and which.
	MFA       bool
	MFASerial string
	AuthTime  time.Time
	// Epoch is the principal's session epoch at sign-in. Recovery and "sign out everywhere" raise
	// the epoch; a console session whose Epoch is lower than SessionEpoch's answer has ended.
	Epoch int64
}

// rootState is the per-account root-user state this package keeps beside iam's Account.
type rootState struct {
	FirstSignInAttempt *time.Time `json:"first_signin_attempt,omitempty"`
	// MFARegistrationRequired is set when lost-MFA recovery deactivated the devices: the next
	// sign-in goes straight to registration.
	MFARegistrationRequired bool `json:"mfa_registration_required,omitempty"`
	// Phone is the account's contact phone: the primary contact information's phone number
	// (contacts.go), where lost-MFA recovery codes go.
	Phone string `json:"phone,omitempty"`
	// ContactInfo is the rest of the primary contact information; nil until it is set.
	ContactInfo *contactInfoRecord `json:"contact_info,omitempty"`
	// SecurityContact, BillingContact and OperationsContact are the alternate contacts.
	SecurityContact   *contactRecord `json:"security_contact,omitempty"`
	BillingContact    *contactRecord `json:"billing_contact,omitempty"`
	OperationsContact *contactRecord `json:"operations_contact,omitempty"`
	Epoch             int64          `json:"epoch,omitempty"`
	// WebAuthnID is the root user's WebAuthn user handle: random, so it reveals nothing.
	WebAuthnID []byte `json:"webauthn_id,omitempty"`
	// ResetToken is the hash of the one password-reset link that is valid: asking again
	// invalidates the previous link.
	ResetToken string `json:"reset_token,omitempty"`
	// Recovery is the ID of the lost-MFA recovery in progress, if any.
	Recovery string `json:"recovery,omitempty"`
}

// userAux is per-IAM-user state: the session epoch and the WebAuthn user handle.
type userAux struct {
	Epoch      int64  `json:"epoch,omitempty"`
	WebAuthnID []byte `json:"webauthn_id,omitempty"`
}

// Contact is an alternate contact (AWS Account Management: PutAlternateContact), BILLING,
// OPERATIONS or SECURITY.
type Contact struct {
	Name         string
	Title        string
	EmailAddress string
	PhoneNumber  string
}

// txn is the root user's transaction: the store's, with the root state as a method.
type txn struct{ store.Txn }

func (t txn) state(account string) (*rootState, error) {
	var st rootState
	_, err := states.Load(t, account, keyState, &st)
	return &st, err
}

func (s *Service) update(ctx context.Context, fn func(t txn) error) error {
	return store.Update(ctx, s.st, fn)
}

func (s *Service) view(ctx context.Context, fn func(t txn) error) error {
	return store.View(ctx, s.st, fn)
}

// updateState runs fn on the account's root state and stores it.
func (s *Service) updateState(ctx context.Context, account string, fn func(st *rootState) error) error {
	return s.update(ctx, func(t txn) error {
		st, err := t.state(account)
		if err != nil {
			return err
		}
		if err := fn(st); err != nil {
			return err
		}
		return states.Put(t, account, keyState, st)
	})
}

func (s *Service) loadState(ctx context.Context, account string) (*rootState, error) {
	var st *rootState
	err := s.view(ctx, func(t txn) (err error) {
		st, err = t.state(account)
		return err
	})
	return st, err
}

// randomToken is 256 bits from crypto/rand, base64url: the shape of every token this package
// hands out. Only its SHA-256 is stored, so a database reader cannot use one.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// link is an absolute console URL for path with the token as its query.
func (s *Service) link(path, token string) string {
	u := *s.consoleURL
	u.Path = pathJoin(u.Path, path)
	u.RawQuery = url.Values{"token": {token}}.Encode()
	return u.String()
}

func pathJoin(base, p string) string {
	for len(base) > 0 && base[len(base)-1] == '/' {
		base = base[:len(base)-1]
	}
	return base + p
}

// SessionEpoch returns the current session epoch of a principal (user "" = the root user). A
// console session signed in at a lower epoch has been ended.
func (s *Service) SessionEpoch(ctx context.Context, account, user string) (int64, error) {
	if user == "" {
		st, err := s.loadState(ctx, account)
		if err != nil {
			return 0, err
		}
		return st.Epoch, nil
	}
	var aux userAux
	err := s.view(ctx, func(t txn) error {
		_, err := userAuxes.Load(t, account, foldName(user), &aux)
		return err
	})
	return aux.Epoch, err
}

// SessionValid reports whether a signed-in principal's sessions are still current.
func (s *Service) SessionValid(ctx context.Context, p *Principal) (bool, error) {
	user := ""
	if !p.Root {
		user = p.UserName
	}
	e, err := s.SessionEpoch(ctx, p.Account, user)
	return err == nil && p.Epoch >= e, err
}

// EndAllSessions ends every console session of a principal ("sign out everywhere"; user "" = the
// root user) and returns the new epoch.
func (s *Service) EndAllSessions(ctx context.Context, account, user string) (int64, error) {
	var epoch int64
	var err error
	if user == "" {
		err = s.updateState(ctx, account, func(st *rootState) error {
			st.Epoch++
			epoch = st.Epoch
			return nil
		})
	} else {
		err = s.update(ctx, func(t txn) error {
			var aux userAux
			if _, err := userAuxes.Load(t, account, foldName(user), &aux); err != nil {
				return err
			}
			aux.Epoch++
			epoch = aux.Epoch
			return userAuxes.Put(t, account, foldName(user), &aux)
		})
	}
	return epoch, err
}
