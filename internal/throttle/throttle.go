// Package throttle limits guessing: of passwords and MFA codes at console sign-in (internal/rootuser)
// and of MFA codes on the API (internal/iam). It holds no secret and checks none; callers reserve an
// attempt, check the secret themselves, and clear or refund the reservation when it was right.
//
// Each attempt first reserves itself in every counter that applies (the identity, the source
// address, the device …) in one store transaction, counting as a failure until it succeeds. Store
// updates are serialisable on both backends, so however many guesses run in parallel, on however
// many nodes share the database, each sees the counts of all that reserved before it: none slips
// past a limit. Only then is the secret checked.
//
// From BackoffAfter failures on, each attempt must wait twice as long as the previous one (1 s,
// 2 s, 4 s …); LockAfter failures lock the counter for LockDuration. A lock ends by itself, and
// leaves the counter in back-off, so a few more failures lock it again.
package throttle

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Kind is the store kind of the counters (global, keyed by scope). The name dates from when the
// counters lived in internal/rootuser; it is kept so counters survive an upgrade, and so the
// console's and the API's MFA counters of one principal are the same record.
const Kind = "ru.throttle"

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

// DefaultLimits: back-off after 5 failures, a temporary lock after 10.
var DefaultLimits = Limits{
	BackoffAfter: 5, LockAfter: 10, BackoffBase: time.Second, LockDuration: 15 * time.Minute,
	IPBackoffAfter: 20, IPLockAfter: 100, Forget: 24 * time.Hour, MessagesPerHour: 5,
}

// Scope is one counter: its key and its thresholds.
type Scope struct {
	Key          string
	BackoffAfter int
	LockAfter    int
	Base         time.Duration
	Lock         time.Duration
}

// Identity is the scope of one identity (an email, an account and user name, a device serial …)
// under the identity thresholds; kind keeps the counters of different checks apart.
func (l Limits) Identity(kind, id string) Scope {
	return Scope{Key: kind + ":" + id, BackoffAfter: l.BackoffAfter, LockAfter: l.LockAfter, Base: l.BackoffBase, Lock: l.LockDuration}
}

// Address returns the source address's scope; ok is false when there is no usable address.
func (l Limits) Address(kind, ip string) (Scope, bool) {
	addr, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return Scope{}, false
	}
	addr = addr.Unmap()
	key := addr.String()
	if addr.Is6() {
		// One IPv6 host usually holds a whole /64: counting addresses would let it rotate freely.
		p, _ := addr.Prefix(64)
		key = p.String()
	}
	return Scope{Key: kind + "-ip:" + key, BackoffAfter: l.IPBackoffAfter, LockAfter: l.IPLockAfter, Base: l.BackoffBase, Lock: l.LockDuration}, true
}

// Messages is the scope of the messages sent for id: MessagesPerHour, then wait out the hour.
func (l Limits) Messages(id string) Scope {
	n := l.MessagesPerHour
	return Scope{Key: "msg:" + id, BackoffAfter: n, LockAfter: n, Base: time.Hour, Lock: time.Hour}
}

// Counter is one throttling counter.
type Counter struct {
	Failures int
	Last     time.Time
	// Prev is Last before the latest reservation, which Refund restores: a refunded attempt does
	// not push back the wait the failures before it earned.
	Prev time.Time
}

// counterRecord is a Counter as stored. The counters are typed records like every other kind (a
// version in the body, listed by store.Kinds), not raw rows: they are small, read by key, and
// have no index, so the record costs nothing but the envelope's two bytes.
type counterRecord struct {
	Failures int       `json:"failures"`
	Last     time.Time `json:"last"`
	Prev     time.Time `json:"prev,omitzero"`
}

var counterKind = store.Define(store.Kind[counterRecord]{Name: Kind, Version: 1})

// Idle returns a test of stored counters (their bodies, as rootuser's Sweep reads them): true
// when the counter's last failure is at or before cutoff (now minus Limits.Forget: it is
// forgotten).
func Idle(cutoff time.Time) func(body []byte) (bool, error) {
	return func(b []byte) (bool, error) {
		r, err := counterKind.Decode(b)
		if err != nil {
			return false, err
		}
		return !cutoff.Before(r.Last), nil
	}
}

// wait returns how long c must wait before another attempt under sc, 0 if it may go now. A lock
// that has run out leaves the counter in back-off.
func (sc Scope) wait(c *Counter, now time.Time) time.Duration {
	var until time.Time
	switch {
	case c.Failures >= sc.LockAfter:
		until = c.Last.Add(sc.Lock)
		if !now.Before(until) {
			c.Failures = min(sc.BackoffAfter, sc.LockAfter-1)
			return sc.wait(c, now)
		}
	case c.Failures >= sc.BackoffAfter:
		exp := c.Failures - sc.BackoffAfter
		d := time.Duration(float64(sc.Base) * math.Pow(2, float64(exp)))
		until = c.Last.Add(d)
	default:
		return 0
	}
	if d := until.Sub(now); d > 0 {
		return d
	}
	return 0
}

// Locked reports whether c is locked under sc at now.
func (sc Scope) Locked(c Counter, now time.Time) bool {
	return c.Failures >= sc.LockAfter && now.Before(c.Last.Add(sc.Lock))
}

// Refused is the error of an attempt refused before its secret was checked: awserr code
// Throttling, HTTP 429, with RetryAfter seconds (wait, rounded up) in its Fields for the console
// to show.
func Refused(wait time.Duration) *awserr.Error {
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

// Counters reads and writes the counters in a store.
type Counters struct {
	st     store.Store
	limits Limits
	now    func() time.Time
}

// New returns the counters of st under limits, on the clock now (truncated to seconds).
func New(st store.Store, limits Limits, now func() time.Time) *Counters {
	return &Counters{st: st, limits: limits, now: now}
}

// Limits returns the limits the counters were made with.
func (c *Counters) Limits() Limits { return c.limits }

func (c *Counters) time() time.Time { return c.now().UTC().Truncate(time.Second) }

// Reservation is one attempt counted by Reserve.
type Reservation struct {
	scopes []Scope
	counts []int
}

// Locking returns the scopes that this attempt, if it fails, has just locked: it was the
// LockAfter-th failure in a row. Callers raise their alarms once, on this attempt.
func (r *Reservation) Locking() []Scope {
	var out []Scope
	for i, sc := range r.scopes {
		if r.counts[i] == sc.LockAfter {
			out = append(out, sc)
		}
	}
	return out
}

// Reserve counts one attempt in every scope, atomically: when any scope makes the caller wait,
// nothing is counted and the Throttling error (Refused) says for how long.
func (c *Counters) Reserve(ctx context.Context, scopes ...Scope) (*Reservation, error) {
	now := c.time()
	res := &Reservation{scopes: scopes, counts: make([]int, len(scopes))}
	err := c.st.Update(ctx, func(tx store.Tx) error {
		counters := make([]Counter, len(scopes))
		var longest time.Duration
		for i, sc := range scopes {
			if err := c.get(tx, sc.Key, &counters[i], now); err != nil {
				return err
			}
			longest = max(longest, sc.wait(&counters[i], now))
		}
		if longest > 0 {
			return Refused(longest)
		}
		for i, sc := range scopes {
			counters[i].Failures++
			counters[i].Prev, counters[i].Last = counters[i].Last, now
			res.counts[i] = counters[i].Failures
			if err := put(tx, sc.Key, &counters[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Clear forgets the counters of scopes after a success.
func (c *Counters) Clear(ctx context.Context, scopes ...Scope) error {
	return c.st.Update(ctx, func(tx store.Tx) error {
		for _, sc := range scopes {
			if err := counterKind.DeleteIfExists(tx, "", sc.Key); err != nil {
				return err
			}
		}
		return nil
	})
}

// Refund takes back one reserved attempt of each scope after a success, without forgetting the
// failures before it: a shared counter (an address many people sign in from) then counts only
// failures, while one success cannot wipe out the failures of someone else behind that address.
func (c *Counters) Refund(ctx context.Context, scopes ...Scope) error {
	now := c.time()
	return c.st.Update(ctx, func(tx store.Tx) error {
		for _, sc := range scopes {
			var ct Counter
			if err := c.get(tx, sc.Key, &ct, now); err != nil {
				return err
			}
			if ct.Failures <= 1 {
				if err := counterKind.DeleteIfExists(tx, "", sc.Key); err != nil {
					return err
				}
				continue
			}
			ct.Failures--
			if !ct.Prev.IsZero() {
				ct.Last, ct.Prev = ct.Prev, time.Time{}
			}
			if err := put(tx, sc.Key, &ct); err != nil {
				return err
			}
		}
		return nil
	})
}

// State returns a scope's counter as it stands (a forgotten one is zero).
func (c *Counters) State(ctx context.Context, sc Scope) (Counter, error) {
	var ct Counter
	err := c.st.View(ctx, func(tx store.Tx) error { return c.get(tx, sc.Key, &ct, c.time()) })
	return ct, err
}

// get reads a counter, zero when absent or idle for longer than Forget.
func (c *Counters) get(tx store.Tx, key string, ct *Counter, now time.Time) error {
	r, ok, err := counterKind.Get(tx, "", key)
	if err != nil || !ok {
		return err
	}
	*ct = Counter(*r)
	if !ct.Last.IsZero() && now.Sub(ct.Last) > c.limits.Forget {
		*ct = Counter{}
	}
	return nil
}

func put(tx store.Tx, key string, ct *Counter) error {
	return counterKind.Put(tx, "", key, (*counterRecord)(ct))
}
