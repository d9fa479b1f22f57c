package mpa

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/rootward/rootward/internal/throttle"
)

// Guessing limits of a custody sign-in (internal/throttle, the counters the root user's console
// sign-in uses). An attempt ends after custodyAttemptFailures wrong guesses, but anyone may start
// another, so the guesses are also counted across attempts, in counters that outlive them:
//
//   - Starting an attempt counts under the email as typed (one root email is one account, and an
//     unknown email is counted alike) and under the source address's "auth" counter, which the
//     root and IAM-user sign-ins share: an address cannot multiply its allowance by switching
//     between them. A redeemed attempt clears its email's counter.
//   - A code that names no attempt (it is unknown, or the attempt ended) counts under the
//     Identity Center user who entered it, so that nobody signed in to the portal can search
//     the 40-bit codes for other people's attempts.
//   - A wrong share counts under its custodian (in the attempt's account) and under the account.
//   - A wrong MFA code counts under its MFA group member (in the account) and under the root
//     user's own MFA counter ("mfa:ACCOUNT/"), the one the console's and the API's root MFA codes
//     count under: the custody step adds no allowance of its own to guess the root device's codes.
//
// From the fifth failure of a counter on, each guess waits twice as long as the one before; the
// tenth locks it for a quarter of an hour (throttle.DefaultLimits). Every counter names its
// account, so guesses in one account never hold back another. A right guess clears the guesser's
// counter and gives the account's back its one reservation.

// Counter kinds of the custody sign-in.
const (
	custodyStartKind = "custody-start"
	custodyShareKind = "custody-share"
	custodyMFAKind   = "custody-mfa"
	custodyCodeKind  = "custody-code"
)

// codeLookup runs find, which reads the attempt of a code entered by who, as a guess of a code
// under who's counter: find's errNoAttempt stays counted; any other outcome gives the attempt back.
func (s *Service) codeLookup(ctx context.Context, who Person, find func() error) error {
	sc := s.counters().Limits().Identity(custodyCodeKind, who.InstanceARN+"/"+who.UserID)
	if _, err := s.counters().Reserve(ctx, sc); err != nil {
		return throttled(err, "Too many codes that name no root sign-in attempt were entered.")
	}
	err := find()
	if errors.Is(err, errNoAttempt) {
		return err
	}
	if rerr := s.counters().Refund(ctx, sc); rerr != nil && err == nil {
		return rerr
	}
	return err
}

// counters returns the service's throttling counters.
func (s *Service) counters() *throttle.Counters { return s.cfg.Counters }

// startScopes are the counters a custody sign-in's start reserves: the email as typed, and the
// source address when it has one.
func (s *Service) startScopes(email, sourceIP string) []throttle.Scope {
	l := s.counters().Limits()
	out := []throttle.Scope{l.Identity(custodyStartKind, email)}
	if ip, ok := l.Address("auth", sourceIP); ok {
		out = append(out, ip)
	}
	return out
}

// shareScopes are the counters of custodian's share guesses in account: the custodian's, then the
// account's.
func (s *Service) shareScopes(account, custodian string) []throttle.Scope {
	l := s.counters().Limits()
	return []throttle.Scope{l.Identity(custodyShareKind, account+"/"+custodian), l.Identity(custodyShareKind, account)}
}

// mfaScopes are the counters of member's MFA code guesses for account's root user: the member's,
// then the root user's MFA counter (internal/signin and internal/iam count under "mfa", keyed by
// account and user name, empty for the root user).
func (s *Service) mfaScopes(account, member string) []throttle.Scope {
	l := s.counters().Limits()
	return []throttle.Scope{l.Identity(custodyMFAKind, account+"/"+member), l.Identity("mfa", account+"/")}
}

// guessed settles a reservation after the guess was checked: right clears the guesser's counter
// (the first scope) and gives the others back this attempt; not counted (the guess was never
// checked: another refusal came first) gives every scope its attempt back; a wrong guess stays.
func (s *Service) guessed(ctx context.Context, scopes []throttle.Scope, right, counted bool) error {
	switch {
	case right:
		if err := s.counters().Clear(ctx, scopes[0]); err != nil {
			return err
		}
		return s.counters().Refund(ctx, scopes[1:]...)
	case !counted:
		return s.counters().Refund(ctx, scopes...)
	}
	return nil
}

// throttled rewrites a Throttling refusal with a message of its own, ending "Try again in N
// seconds." as throttle.Refused's does; other errors pass unchanged.
func throttled(err error, format string, args ...any) error {
	wait, ok := throttle.RetryAfter(err)
	if !ok {
		return err
	}
	e := throttle.Refused(wait)
	e.Message = fmt.Sprintf(format, args...) + fmt.Sprintf(" Try again in %d seconds.", int(math.Ceil(wait.Seconds())))
	return e
}

// lockedUntil returns, for a reservation that has just locked some of its scopes, when the
// lock ends and which of scopes (by position) it locked; ok false when it locked none.
func lockedUntil(res *throttle.Reservation, scopes []throttle.Scope, now time.Time) (until time.Time, which []int, ok bool) {
	for _, l := range res.Locking() {
		for i, sc := range scopes {
			if sc.Key == l.Key {
				which = append(which, i)
				until = now.Add(l.Lock)
			}
		}
	}
	return until, which, len(which) > 0
}

// guessRefused records a guess refused before it was checked (its counters make it wait), and
// returns the refusal to show: step is "Share" or "MFA".
func (s *Service) guessRefused(account string, who *Person, step string, err error) error {
	wait, ok := throttle.RetryAfter(err)
	if !ok {
		return err
	}
	s.custodyEvent(account, who, "RootCustodyGuessRefused", map[string]any{"step": step, "retryAfterSeconds": int(wait.Seconds())})
	what := map[string]string{"Share": "wrong shares", "MFA": "wrong MFA codes"}[step]
	return throttled(err, "Too many %s were entered for the root user of account %s.", what, account)
}

// guessLocked records, when a wrong guess has just locked its guesser's or its account's counter,
// the lock: RootCustodyGuessesLocked, naming what is locked and until when, told to the team and
// the account's contacts like the sign-in's steps (someone is guessing at the root user's shares
// or MFA codes).
func (s *Service) guessLocked(ctx context.Context, account string, who *Person, step string, res *throttle.Reservation, scopes []throttle.Scope) {
	until, which, ok := lockedUntil(res, scopes, s.cfg.Now().UTC())
	if !ok {
		return
	}
	var locked []string
	for _, i := range which {
		locked = append(locked, map[int]string{0: "Guesser", 1: "Account"}[i])
	}
	s.custodyStep(ctx, account, who, "RootCustodyGuessesLocked", map[string]any{"step": step, "locked": locked, "lockedUntil": until.Format(time.RFC3339)})
}
