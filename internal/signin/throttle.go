package signin

import (
	"context"

	"github.com/rootward/rootward/internal/throttle"
)

// Throttling is internal/throttle's, in the root-user service's counters (internal/rootuser
// throttle.go describes the limits): each password or code attempt first reserves itself in a
// counter per identity (the root user's email, or account and IAM user name) and one per source
// address, in one store transaction, counting as a failure until it succeeds; only then is the
// password or code checked. Counters are keyed by the identity as typed — the email, not the
// account it may name — so known and unknown emails are throttled alike and the answers tell
// nothing apart. A browser that has completed a sign-in is judged by its device cookie's own
// counter instead (device.go).

type scope = throttle.Scope

func (s *Service) identityScope(kind, id string) scope {
	return s.counters.Limits().Identity(kind, id)
}

// scopes returns the identity scope and, when the client has an address, its address scope. The
// address counter is the root-user service's "auth" one, shared by root and IAM-user sign-ins, MFA
// codes and password checks, so an address cannot multiply its allowance by alternating between
// them.
func (s *Service) scopes(kind, id string, c Client) []scope {
	out := []scope{s.identityScope(kind, id)}
	if ip, ok := s.counters.Limits().Address("auth", c.SourceIP); ok {
		out = append(out, ip)
	}
	return out
}

// reserve counts one attempt in every scope, atomically: when any scope makes the caller wait,
// nothing is counted and the Throttling error says for how long.
func (s *Service) reserve(ctx context.Context, scopes ...scope) error {
	_, err := s.counters.Reserve(ctx, scopes...)
	return err
}

// succeeded undoes what the failures before a success and the success's own reservation left:
// the identity's counter is cleared, the address's gives back the one attempt (the failures of
// others behind that address still count).
func (s *Service) succeeded(ctx context.Context, kind, id string, c Client) error {
	if err := s.counters.Clear(ctx, s.identityScope(kind, id)); err != nil {
		return err
	}
	if ip, ok := s.counters.Limits().Address("auth", c.SourceIP); ok {
		return s.counters.Refund(ctx, ip)
	}
	return nil
}
