package iam

import (
	"context"
	"math"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/throttle"
)

// Guessing limits (internal/throttle) for the secrets the API checks itself, as the console's
// sign-in limits passwords and MFA codes.
//
// MFA codes: every code presented to STS (GetSessionToken and AssumeRole TokenCode) or to
// EnableMFADevice and ResyncMFADevice first reserves an attempt in a counter per device and one per
// principal, in one store transaction shared by every node; a right code clears them, an answer
// that is not about the code (an unknown user, a malformed serial) takes the attempt back. After 5
// failures in a row each attempt waits twice as long as the one before (1 s, 2 s …); the 10th
// locks the counter for 15 minutes, during which even the right code is refused unchecked. The
// principal's counter is the console MFA step's (the same key), so the console and the API share
// one allowance. A device is counted only when it is the principal's own: naming another user's
// serial cannot lock it.
//
// Old passwords: ChangePassword counts wrong ones per user, under the same thresholds.

// passwordThrottled is ChangePassword's answer while its counter waits; the message is Rootward's.
func passwordThrottled(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	return awserr.New(awserr.Throttling, "Rate exceeded: too many incorrect old passwords. Try again in %d seconds.", secs)
}

// MFALock describes a lock that a wrong MFA code has just set.
type MFALock struct {
	Account  string
	UserName string // "" for the root user
	Serial   string
	// Device and Principal tell which counters locked; Until is when the lock ends.
	Device    bool
	Principal bool
	Until     time.Time
	// Operation is the API operation the code was presented to.
	Operation string
}

// MFALockedError is the refusal of the wrong code that set a lock; errors.As finds it under the
// AWS error it wraps, so the caller can record the lock and alert the account.
type MFALockedError struct {
	Lock MFALock
	Err  error
}

func (e *MFALockedError) Error() string { return e.Err.Error() }
func (e *MFALockedError) Unwrap() error { return e.Err }

// mfaScopes are the counters of a code for serial presented by (account, user): the device's when
// owned, and always the principal's.
func (s *Service) mfaScopes(account, user, serial string, owned bool) (device, principal throttle.Scope, scopes []throttle.Scope) {
	l := s.guesses.Limits()
	device = l.Identity("mfa-device", account+"/"+serial)
	// The console's MFA step counts under "mfa:ACCOUNT/lower(user)" (internal/rootuser).
	principal = l.Identity("mfa", account+"/"+fold(user))
	if owned {
		return device, principal, []throttle.Scope{device, principal}
	}
	return device, principal, []throttle.Scope{principal}
}

// mfaThrottled is the API's answer while a counter is in back-off or locked. AWS documents no
// answer for this case; Throttling with HTTP 400 is what IAM and STS answer to a caller over its
// rate ("Rate exceeded"), and the SDKs know it as retryable. The message is Rootward's.
func mfaThrottled(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	return awserr.New(awserr.Throttling, "Rate exceeded: too many invalid MFA codes for this device or user. Try again in %d seconds.", secs)
}

// guard runs check, which verifies a secret, after reserving an attempt in scopes: a success
// clears them, a wrong secret (wrong tells it from any other error, which refunds the attempt)
// stays counted. While a scope is in back-off or locked, check is not run and the answer is
// Throttling (refused). locking lists the scopes this wrong secret has just locked.
func (s *Service) guard(ctx context.Context, scopes []throttle.Scope, refused func(time.Duration) error, wrong func(error) bool, check func() error) (locking []throttle.Scope, err error) {
	res, err := s.guesses.Reserve(ctx, scopes...)
	if err != nil {
		if wait, ok := throttle.RetryAfter(err); ok {
			return nil, refused(wait)
		}
		return nil, err
	}
	cerr := check()
	if cerr == nil {
		return nil, s.guesses.Clear(ctx, scopes...)
	}
	if !wrong(cerr) {
		if err := s.guesses.Refund(ctx, scopes...); err != nil {
			return nil, err
		}
		return nil, cerr
	}
	return res.Locking(), cerr
}

// guardMFA runs check, which verifies a code of serial for (account, user), under the MFA limits,
// and wraps the wrong code that sets a lock in an *MFALockedError.
func (s *Service) guardMFA(ctx context.Context, op, account, user, serial string, owned bool, wrong func(error) bool, check func() error) error {
	device, principal, scopes := s.mfaScopes(account, user, serial, owned)
	locking, err := s.guard(ctx, scopes, mfaThrottled, wrong, check)
	if len(locking) == 0 {
		return err
	}
	lock := MFALock{Account: account, UserName: user, Serial: serial, Operation: op}
	for _, sc := range locking {
		lock.Device = lock.Device || sc.Key == device.Key
		lock.Principal = lock.Principal || sc.Key == principal.Key
		lock.Until = s.Now().Add(sc.Lock)
	}
	return &MFALockedError{Lock: lock, Err: err}
}

// ownsMFADevice reports whether serial is assigned to (account, user).
func (s *Service) ownsMFADevice(ctx context.Context, account, user, serial string) (bool, error) {
	var owned bool
	err := s.view(ctx, func(t txn) (err error) {
		owned, err = t.mfaAssigned(account, user, serial)
		return err
	})
	return owned, err
}

// CheckMFACode is VerifyMFACode under the MFA guessing limits, for the codes STS receives
// (GetSessionToken and AssumeRole TokenCode). op names the operation for a lock's record. Returns
// AccessDenied (VerifyMFACode's), Throttling while the device or the principal is in back-off or
// locked, and an *MFALockedError wrapping AccessDenied when this wrong code set a lock.
func (s *Service) CheckMFACode(ctx context.Context, op, account, user, serial, code string, now time.Time) error {
	owned, err := s.ownsMFADevice(ctx, account, user, serial)
	if err != nil {
		return err
	}
	return s.guardMFA(ctx, op, account, user, serial, owned, func(err error) bool { return awserr.IsCode(err, awserr.AccessDenied) },
		func() error { return s.VerifyMFACode(ctx, account, user, serial, code, now) })
}

// federationThrottled is the answer to an unsigned federation call from an address in back-off or
// locked: Throttling "Rate exceeded" (400), as STS answers a caller over its rate.
func federationThrottled(time.Duration) error {
	return awserr.New(awserr.Throttling, "Rate exceeded")
}

// GuardFederation runs check — an unsigned AssumeRoleWithSAML or AssumeRoleWithWebIdentity call —
// under the guessing limits of its source address, as console sign-in limits passwords per
// address: every call reserves an attempt; one that succeeds, or fails for a reason that is not
// the client's (an internal error), takes it back, so that only refused assertions and tokens
// count. From 20 refusals on the address backs off, 100 lock it for 15 minutes, during which
// check is not run and the answer is Throttling. A call with no usable address is not counted.
func (s *Service) GuardFederation(ctx context.Context, sourceIP string, check func() error) error {
	sc, ok := s.guesses.Limits().Address("federation", sourceIP)
	if !ok {
		return check()
	}
	if _, err := s.guesses.Reserve(ctx, sc); err != nil {
		if wait, ok := throttle.RetryAfter(err); ok {
			return federationThrottled(wait)
		}
		return err
	}
	cerr := check()
	if _, public := awserr.As(cerr); cerr == nil || !public {
		if err := s.guesses.Refund(ctx, sc); err != nil && cerr == nil {
			return err
		}
	}
	return cerr
}

// passwordScope is the counter of OldPassword guesses for an IAM user: the console's forced
// password change and the API's ChangePassword share it. (The root user's password changes are
// counted under "password-change:ACCOUNT" by internal/rootuser.)
func (s *Service) passwordScope(account, user string) throttle.Scope {
	return s.guesses.Limits().Identity("password-change", account+"/"+fold(user))
}

// wrongCode tells EnableMFADevice's and ResyncMFADevice's answer to a wrong code.
func wrongCode(err error) bool { return awserr.IsCode(err, awserr.InvalidAuthenticationCode) }
