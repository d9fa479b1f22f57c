package rootuser

import (
	"context"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/throttle"
	"github.com/rootward/rootward/internal/trail"
)

// What console sign-in (internal/signin, the package above this one) needs of the root user's and
// IAM users' state kept here: the 35-day MFA window, a recovery that has become due, the WebAuthn
// relying party and user handles, the throttling counters and the CloudTrail identities.

// ConsoleURL is the console's base URL the service was configured with (sign-in events name it).
func (s *Service) ConsoleURL() string { return s.consoleURL.String() }

// Counters are the throttling counters of the service. Sign-in counts its attempts in the same
// counters, so a source address has one allowance for sign-ins, MFA codes and password checks.
func (s *Service) Counters() *throttle.Counters { return s.counters }

// NoteSignInAttempt starts the root user's 35-day MFA window at its first sign-in attempt,
// successful or not; later attempts change nothing.
func (s *Service) NoteSignInAttempt(ctx context.Context, account string) error {
	st, err := s.loadState(ctx, account)
	if err != nil || st.FirstSignInAttempt != nil {
		return err
	}
	return s.updateState(ctx, account, func(st *rootState) error {
		if st.FirstSignInAttempt == nil {
			now := s.Now()
			st.FirstSignInAttempt = &now
		}
		return nil
	})
}

// MFARegistrationWindow says whether a root user without an MFA device may still postpone
// registering one (optional) and until when (deadline). After a completed lost-MFA recovery
// registration is mandatory at once: optional is false and deadline zero.
func (s *Service) MFARegistrationWindow(ctx context.Context, account string) (optional bool, deadline time.Time, err error) {
	st, err := s.loadState(ctx, account)
	if err != nil {
		return false, time.Time{}, err
	}
	if st.MFARegistrationRequired {
		return false, time.Time{}, nil
	}
	// Every root user with credentials must register MFA within 35 days of its first sign-in
	// attempt: AWS requires it of standalone and management accounts, and of member accounts since
	// June 2025 (IAM User Guide, "Multi-factor authentication for AWS account root user",
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html).
	deadline = s.Now().Add(MFAGracePeriod)
	if st.FirstSignInAttempt != nil {
		deadline = st.FirstSignInAttempt.Add(MFAGracePeriod)
	}
	return s.Now().Before(deadline), deadline, nil
}

// CompleteDueRecovery lets a lost-MFA recovery of the account whose cooling-off has ended take
// effect: sign-in calls it after a right root password, before it lists the devices.
func (s *Service) CompleteDueRecovery(ctx context.Context, account string) error {
	return s.completeDueRecovery(ctx, account)
}

// BeginWebAuthnLogin returns the assertion options for the principal's security keys (user "" =
// the root user) and the session FinishWebAuthnLogin checks the answer against. Returns
// NoSuchEntity when the principal has no security key.
func (s *Service) BeginWebAuthnLogin(ctx context.Context, account, user string) (*protocol.CredentialAssertion, *webauthn.SessionData, error) {
	u, err := s.webAuthnUser(ctx, account, user)
	if err != nil {
		return nil, nil, err
	}
	return BeginKeyLogin(s.wa, u)
}

// FinishWebAuthnLogin checks the JSON of the PublicKeyCredential navigator.credentials.get()
// returned for BeginWebAuthnLogin's options, stores the key's new signature counter and returns
// the serial of the key used. Returns InvalidAuthenticationCode.
func (s *Service) FinishWebAuthnLogin(ctx context.Context, account, user string, session webauthn.SessionData, response []byte) (string, error) {
	return s.validateAssertion(ctx, account, user, session, response)
}

// Identity returns the CloudTrail identity of the root user (user "") or an IAM user.
func (s *Service) Identity(ctx context.Context, account, user string) (trail.UserIdentity, error) {
	return s.identity(ctx, account, user)
}

// RootIdentity is the CloudTrail identity of an account's root user.
func RootIdentity(account string) trail.UserIdentity { return rootIdentity(account) }

// UserIdentity is the CloudTrail identity of an IAM user.
func UserIdentity(account, userID, arn, name string) trail.UserIdentity {
	return userIdentity(account, userID, arn, name)
}

// PrincipalIdentity is the CloudTrail identity of a signed-in principal.
func PrincipalIdentity(p *Principal) trail.UserIdentity { return principalIdentity(p) }

// Purge deletes the expired records of a global store kind, a batch per transaction, as Sweep
// does its own: internal/signin sweeps its pending sign-ins and device cookies with it.
func (s *Service) Purge(ctx context.Context, kind string, expired func(body []byte) (bool, error)) (int, error) {
	return s.purge(ctx, kind, expired)
}

// ExpiresBefore returns a Purge test for records of k whose expiry (at) is not after now.
func ExpiresBefore[R any](k *store.Kind[R], now time.Time, at func(*R) time.Time) func(body []byte) (bool, error) {
	return expiresBefore(k, now, at)
}

// NewToken is a token of the shape every token of this package and of internal/signin has: 256
// bits from crypto/rand, base64url. Store only its TokenKey.
func NewToken() string { return randomToken() }

// TokenKey is the store key of a token: its SHA-256 in hex, so a database reader cannot use it.
func TokenKey(token string) string { return tokenKey(token) }
