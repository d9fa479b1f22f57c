// Package logfiles delivers CloudTrail log files and digest files. It follows the event log
// (store.EventLog.ScanEvents) in the background, in bounded pages, with a durable cursor, and
// writes each logging trail's events — an organization trail's from the management account and
// every member, a normal trail's from its own account — as gzip JSON {"Records":[…]} files at
// CloudTrail's object keys, under a directory that stands in for S3 (paths.go). For trails with
// log file validation it writes, every digest interval, digest files in CloudTrail's format,
// each signed with SHA256withRSA and chained to the previous one, and keeps the signing keys
// (sealed at rest, rotated, the public halves for ListPublicKeys). Validate checks a trail's
// files as `aws cloudtrail validate-logs` does, and also finds files added.
//
// A trail that stops logging, or is deleted, still receives the events from before delivery saw
// it stop (its StopLogging among them), then its digest chain ends with a last digest; starting
// again starts a new chain, whose first digest has null previous-digest fields, as CloudTrail's.
//
// When several servers share one PostgreSQL database, one delivers at a time: a lease record
// with an expiry names it, and every commit of delivery checks, in its transaction, that this
// node still holds the lease at the time of the commit (the nodes' clocks must agree to well
// within the lease's minute). They must share the directory.
//
// Exactly once: a round reads events after the cursor, builds the files in memory, then in one
// transaction moves the cursor past them, adds their hashes to the digest chains and notes the
// files as being written; it then writes them and clears the note. After a crash the note's
// files are written again from the same events, which give the same bytes. Digests are
// committed with their bytes before they are written, the same way.
//
// Events are delivered once they are older than a grace period (Config.Grace, one minute by
// default): a record's time is taken before its append commits (the trail's writer commits
// within 30 seconds or fails the record), so a reader at the present could pass a time that an
// event still in flight then lands behind.
package logfiles

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/store"
)

// TrailConfig is a trail whose logging is on, as the CloudTrail service (internal/cloudtrail)
// describes it to delivery.
type TrailConfig struct {
	ARN, Name, Account, Region, Bucket, KeyPrefix, OrgID string // OrgID set for an organization trail
	Organization                                         bool
	Validation                                           bool      // LogFileValidationEnabled
	LoggingSince                                         time.Time // the latest StartLogging (or creation)
}

// DeliveryStatus is the delivery state of a trail, for GetTrailStatus.
type DeliveryStatus struct {
	LatestDeliveryTime, LatestDigestDeliveryTime   time.Time
	LatestDeliveryError, LatestDigestDeliveryError string
}

// Defaults and bounds of the intervals (the Decided points): log files every 5 minutes
// and digests every hour, as CloudTrail; down to a second each.
const (
	DefaultDeliveryInterval = 5 * time.Minute
	DefaultDigestInterval   = time.Hour
	MinInterval             = time.Second
	DefaultGrace            = time.Minute
)

// leaseTTL is how long a lease lasts unrenewed; the holder renews it every tick (at most a third
// of it), so another node takes over within leaseTTL of the holder stopping.
const leaseTTL = time.Minute

// Page sizes: the deliverer reads the log a page at a time and commits at most roundEvents
// events per round, so neither its memory nor its transactions grow with the backlog.
const (
	scanPage    = 500
	roundEvents = 10_000
)

// Config configures a Deliverer.
type Config struct {
	Store store.Store
	// Sealer seals the digest signing keys.
	Sealer *seal.Sealer
	// Dir is the directory standing in for S3: a trail's objects are under Dir/BUCKET/.
	Dir string
	// Trails returns the trails whose logging is on (CloudTrail's LoggingTrails).
	Trails func(ctx context.Context) ([]TrailConfig, error)
	// SetStatus, when set, is told each trail's delivery status after it changes.
	SetStatus func(ctx context.Context, trailARN string, st DeliveryStatus) error
	// OrgOf returns the ID of the organization account belongs to, "" for none; an organization
	// trail receives the events of every account of its organization. Nil: no organizations.
	OrgOf func(ctx context.Context, account string) (string, error)

	DeliveryInterval, DigestInterval time.Duration // 0: the defaults
	Grace                            time.Duration // 0: DefaultGrace
	KeyLifetime                      time.Duration // 0: DefaultKeyLifetime
	Now                              func() time.Time
	Log                              *slog.Logger
}

// Deliverer delivers log files and digests; see the package comment.
type Deliverer struct {
	st                      store.Store
	sealer                  *seal.Sealer
	dir                     string
	trails                  func(context.Context) ([]TrailConfig, error)
	setStatus               func(context.Context, string, DeliveryStatus) error
	orgOf                   func(context.Context, string) (string, error)
	delivery, digest, grace time.Duration
	keyLifetime             time.Duration
	now                     func() time.Time
	log                     *slog.Logger
	node                    string // this deliverer's lease holder name
	signer                  *signer
	signerEnd               time.Time
}

// New checks cfg and returns a Deliverer; Run or Step make it work.
func New(cfg Config) (*Deliverer, error) {
	if cfg.Store == nil || cfg.Trails == nil || cfg.Dir == "" {
		return nil, errors.New("logfiles: Store, Trails and Dir are required")
	}
	d := &Deliverer{
		st: cfg.Store, sealer: cfg.Sealer, dir: cfg.Dir, trails: cfg.Trails, setStatus: cfg.SetStatus, orgOf: cfg.OrgOf,
		delivery: cfg.DeliveryInterval, digest: cfg.DigestInterval, grace: cfg.Grace, keyLifetime: cfg.KeyLifetime,
		now: cfg.Now, log: cfg.Log,
	}
	if d.delivery == 0 {
		d.delivery = DefaultDeliveryInterval
	}
	if d.digest == 0 {
		d.digest = DefaultDigestInterval
	}
	if err := CheckInterval("--trail-delivery-interval", d.delivery); err != nil {
		return nil, err
	}
	if err := CheckInterval("--trail-digest-interval", d.digest); err != nil {
		return nil, err
	}
	if d.grace <= 0 {
		d.grace = DefaultGrace
	}
	if d.keyLifetime <= 0 {
		d.keyLifetime = DefaultKeyLifetime
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	d.node = hex.EncodeToString(b[:])
	return d, nil
}

// CheckInterval refuses an interval under MinInterval.
func CheckInterval(flag string, v time.Duration) error {
	if v < MinInterval {
		return fmt.Errorf("%s %s must be at least %s", flag, v, MinInterval)
	}
	return nil
}

// Run delivers until ctx ends: a Step now and then every tick (the shorter interval, at most
// a third of the lease).
func (d *Deliverer) Run(ctx context.Context) {
	tick := min(d.delivery, d.digest, leaseTTL/3)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if err := d.Step(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("CloudTrail log file delivery", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// errLeaseLost aborts a commit of a node that no longer holds the lease.
var errLeaseLost = errors.New("logfiles: delivery lease lost")

// fence fails the transaction unless this node holds a lease unexpired at the time of the
// commit (not of the step's start: a step that outlived its lease must not write).
func (d *Deliverer) fence(tx store.Tx) error {
	now := d.now()
	l, ok, err := leases.Get(tx, "", "deliverer")
	if err != nil {
		return err
	}
	if !ok || l.Holder != d.node || !now.Before(l.Expires) {
		return errLeaseLost
	}
	return nil
}

// acquire takes or renews the lease; false when another node holds it.
func (d *Deliverer) acquire(ctx context.Context, now time.Time) (bool, error) {
	held := false
	err := d.st.Update(ctx, func(tx store.Tx) error {
		held = false
		l, ok, err := leases.Get(tx, "", "deliverer")
		if err != nil {
			return err
		}
		if ok && l.Holder != d.node && now.Before(l.Expires) {
			return nil
		}
		held = true
		return leases.Put(tx, "", "deliverer", &leaseRecord{Holder: d.node, Expires: now.Add(leaseTTL)})
	})
	return held && err == nil, err
}

// Step does what is due now: takes the lease (or does nothing when another node has it),
// finishes writing what a previous round committed, delivers log files when the delivery
// interval has passed (several rounds when a backlog exceeds one), and writes the digests due.
func (d *Deliverer) Step(ctx context.Context) error {
	now := d.now().UTC()
	held, err := d.acquire(ctx, now)
	if err != nil || !held {
		return err
	}
	cfgs, err := d.trails(ctx)
	if err != nil {
		return fmt.Errorf("listing logging trails: %w", err)
	}
	routes, err := d.syncTrails(ctx, now, cfgs)
	if err != nil {
		return err
	}
	if err := d.finishWriting(ctx, now); err != nil {
		return err
	}
	for backlog := false; ; {
		more, err := d.deliverRound(ctx, now, routes, backlog)
		if err != nil {
			return err
		}
		if !more || ctx.Err() != nil {
			break
		}
		// A backlog takes several rounds: renew the lease between them.
		if held, err := d.acquire(ctx, d.now().UTC()); err != nil || !held {
			return err
		}
		backlog = true
	}
	return d.digests(ctx, now, routes)
}
