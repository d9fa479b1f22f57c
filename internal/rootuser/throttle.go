package rootuser

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
)

// Throttling. Each attempt first reserves itself in a counter per identity (the root user's email,
// or account and IAM user name) and one per source address, in one store transaction, counting as
// a failure until it succeeds. Store updates are serialisable on both backends, so however many
// guesses run in parallel, each sees the counts of all that reserved before it: none slips past a
// limit. Only then is the password or code checked; a success clears the identity's counter.
//
// From the fifth failure on, each attempt must wait twice as long as the previous one (1 s, 2 s, 4 s
// …); the tenth locks the identity for a quarter of an hour. The lock ends by itself: a root user is
// never locked out for good, and after it the identity is still in back-off, so five more failures
// lock it again. Counters are keyed by the identity as typed — the email, not the account it may
// name — so known and unknown emails are throttled alike and the answers tell nothing apart.

// Limits are the throttling thresholds.
type Limits struct {
	// BackoffAfter failures of one identity start exponential back-off from BackoffBase;
	// LockAfter failures lock it for LockDuration.
	BackoffAfter int
	LockAfter    int
	BackoffBase  time.Duration
	LockDuration time.Duration
	// IPBackoffAfter and IPLockAfter are the thresholds per source address (IPv4 address, or IPv6
	// /64), higher because many people may share one address behind a NAT.
	IPBackoffAfter int
	IPLockAfter    int
	// Forget is how long after its last failure a counter starts afresh.
	Forget time.Duration
	// MessagesPerHour bounds recovery messages (reset links, phone codes) per identity, so the
	// flows cannot be used to flood a mailbox or a phone.
	MessagesPerHour int
}

// DefaultLimits are the limits of the issue: back-off after 5 failures, a temporary lock after 10.
var DefaultLimits = Limits{
	BackoffAfter: 5, LockAfter: 10, BackoffBase: time.Second, LockDuration: 15 * time.Minute,
	IPBackoffAfter: 20, IPLockAfter: 100, Forget: 24 * time.Hour, MessagesPerHour: 5,
}

// counter is one throttling counter.
type counter struct {
	Failures int       `json:"failures"`
	Last     time.Time `json:"last"`
}

// scope is a counter key with its thresholds.
type scope struct {
	key          string
	backoffAfter int
	lockAfter    int
	base         time.Duration
	lock         time.Duration
}

func (s *Service) identityScope(kind, id string) scope {
	l := s.limits
	return scope{key: kind + ":" + id, backoffAfter: l.BackoffAfter, lockAfter: l.LockAfter, base: l.BackoffBase, lock: l.LockDuration}
}

// ipScope returns the source address's scope; ok is false when there is no usable address.
func (s *Service) ipScope(kind, ip string) (scope, bool) {
	addr, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return scope{}, false
	}
	addr = addr.Unmap()
	key := addr.String()
	if addr.Is6() {
		// One IPv6 host usually holds a whole /64: counting addresses would let it rotate freely.
		p, _ := addr.Prefix(64)
		key = p.String()
	}
	l := s.limits
	return scope{key: kind + "-ip:" + key, backoffAfter: l.IPBackoffAfter, lockAfter: l.IPLockAfter, base: l.BackoffBase, lock: l.LockDuration}, true
}

func (s *Service) messageScope(id string) scope {
	// MessagesPerHour messages, then wait out the hour: a "lock" after the allowance.
	n := s.limits.MessagesPerHour
	return scope{key: "msg:" + id, backoffAfter: n, lockAfter: n, base: time.Hour, lock: time.Hour}
}

// wait returns how long c must wait before another attempt under sc, 0 if it may go now. A lock
// that has run out leaves the counter in back-off.
func (sc scope) wait(c *counter, now time.Time) time.Duration {
	var until time.Time
	switch {
	case c.Failures >= sc.lockAfter:
		until = c.Last.Add(sc.lock)
		if !now.Before(until) {
			c.Failures = min(sc.backoffAfter, sc.lockAfter-1)
			return sc.wait(c, now)
		}
	case c.Failures >= sc.backoffAfter:
		exp := c.Failures - sc.backoffAfter
		d := time.Duration(float64(sc.base) * math.Pow(2, float64(exp)))
		until = c.Last.Add(d)
	default:
		return 0
	}
	if d := until.Sub(now); d > 0 {
		return d
	}
	return 0
}

// Throttled is the error of a refused attempt: awserr code Throttling, with RetryAfter seconds in
// its Fields for the console to show.
func throttled(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	return &awserr.Error{
		Code: awserr.Throttling, Status: 429,
		Message: fmt.Sprintf("Too many failed attempts. Try again in %d seconds.", secs),
		Fields:  map[string]string{"RetryAfter": strconv.Itoa(secs)},
	}
}

// RetryAfter returns how long a Throttling error asks to wait.
func RetryAfter(err error) (time.Duration, bool) {
	e, ok := awserr.As(err)
	if !ok || e.Code != awserr.Throttling {
		return 0, false
	}
	n, err2 := strconv.Atoi(e.Fields["RetryAfter"])
	return time.Duration(n) * time.Second, err2 == nil
}

// reserve counts one attempt in every scope, atomically: when any scope makes the caller wait,
// nothing is counted and the Throttling error says for how long.
func (s *Service) reserve(ctx context.Context, scopes ...scope) error {
	now := s.Now()
	return s.update(ctx, func(t txn) error {
		counters := make([]counter, len(scopes))
		var longest time.Duration
		for i, sc := range scopes {
			if _, err := t.get(kindThrottle, "", sc.key, &counters[i]); err != nil {
				return err
			}
			if !counters[i].Last.IsZero() && now.Sub(counters[i].Last) > s.limits.Forget {
				counters[i] = counter{}
			}
			longest = max(longest, sc.wait(&counters[i], now))
		}
		if longest > 0 {
			return throttled(longest)
		}
		for i, sc := range scopes {
			counters[i].Failures++
			counters[i].Last = now
			if err := t.put(kindThrottle, "", sc.key, &counters[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// clear forgets the counters of scopes after a success.
func (s *Service) clear(ctx context.Context, scopes ...scope) error {
	return s.update(ctx, func(t txn) error {
		for _, sc := range scopes {
			if err := t.del(kindThrottle, "", sc.key); err != nil {
				return err
			}
		}
		return nil
	})
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
