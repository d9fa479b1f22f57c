package portal

import (
	"context"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/throttle"
)

// guessing are the answers that count against a source address: a wrong client secret, device
// code, refresh token or access token. Every other answer — success, authorization_pending,
// slow_down, an expired code — gives its reservation back, so a client polling as told is never
// throttled, while one trying secrets is, like a password guesser at sign-in.
var guessing = map[awserr.Code]bool{
	awserr.OIDCInvalidClient: true, awserr.OIDCInvalidGrant: true, awserr.SSOUnauthorized: true,
}

// Guard runs fn, an unsigned call from sourceIP, counted against the address in the sign-in
// throttling counters ("portal" addresses). While the address must wait, fn does not run and
// the answer is throttled(wait): each service's own throttling error.
func (s *Service) Guard(ctx context.Context, sourceIP string, throttled func(err error) error, fn func() error) error {
	sc, ok := s.counters.Limits().Address("portal", sourceIP)
	if !ok {
		return fn()
	}
	if _, err := s.counters.Reserve(ctx, sc); err != nil {
		if _, t := throttle.RetryAfter(err); t {
			return throttled(err)
		}
		return err
	}
	ferr := fn()
	if e, public := awserr.As(ferr); ferr == nil || !public || !guessing[e.Code] {
		if err := s.counters.Refund(ctx, sc); err != nil && ferr == nil {
			return err
		}
	}
	return ferr
}
