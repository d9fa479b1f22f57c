package rootuser

import (
	"context"
	"time"

	"github.com/rootward/rootward/internal/throttle"
)

// Throttling is internal/throttle's: each attempt first reserves itself in a counter per identity
// (the root user's email, or account and IAM user name) and one per source address, in one store
// transaction, counting as a failure until it succeeds; only then is the password or code checked.
// From the fifth failure on, each attempt must wait twice as long as the previous one (1 s, 2 s,
// 4 s …); the tenth locks the identity for a quarter of an hour. The lock ends by itself: a root
// user is never locked out for good. Counters are keyed by the identity as typed — the email, not
// the account it may name — so known and unknown emails are throttled alike and the answers tell
// nothing apart.
//
// Only failures count: a success clears the identity's counter and takes its own attempt back
// from the address's (Refund), so successes from one address never add up to a lock for everyone
// behind it. A browser that has completed a sign-in holds a device cookie (device.go) and is judged
// by that cookie's own counter instead, so a stranger's failures cannot lock it out.

// Limits are the throttling thresholds.
type Limits = throttle.Limits

// DefaultLimits are the limits of the issue: back-off after 5 failures, a temporary lock after 10.
var DefaultLimits = throttle.DefaultLimits

// RetryAfter returns how long a Throttling error asks to wait.
func RetryAfter(err error) (time.Duration, bool) { return throttle.RetryAfter(err) }

type scope = throttle.Scope

func (s *Service) identityScope(kind, id string) scope { return s.limits.Identity(kind, id) }

// ipScope returns the source address's scope; ok is false when there is no usable address.
func (s *Service) ipScope(kind, ip string) (scope, bool) { return s.limits.Address(kind, ip) }

func (s *Service) messageScope(id string) scope { return s.limits.Messages(id) }

// throttled is the error of a refused attempt: Throttling, with RetryAfter seconds.
func throttled(wait time.Duration) error { return throttle.Refused(wait) }

// reserve counts one attempt in every scope, atomically: when any scope makes the caller wait,
// nothing is counted and the Throttling error says for how long.
func (s *Service) reserve(ctx context.Context, scopes ...scope) error {
	_, err := s.counters.Reserve(ctx, scopes...)
	return err
}

// scopes returns the identity scope and, when the client has an address, its address scope. The
// address counter is shared by root and IAM-user sign-ins, MFA codes and password checks, so an
// address cannot multiply its allowance by alternating between them.
func (s *Service) scopes(kind, id string, c Client) []scope {
	out := []scope{s.identityScope(kind, id)}
	if ip, ok := s.ipScope("auth", c.SourceIP); ok {
		out = append(out, ip)
	}
	return out
}

// succeeded undoes what the failures before a success and the success's own reservation left:
// the identity's counter is cleared, the address's gives back the one attempt (the failures of
// others behind that address still count).
func (s *Service) succeeded(ctx context.Context, kind, id string, c Client) error {
	if err := s.counters.Clear(ctx, s.identityScope(kind, id)); err != nil {
		return err
	}
	if ip, ok := s.ipScope("auth", c.SourceIP); ok {
		return s.counters.Refund(ctx, ip)
	}
	return nil
}
