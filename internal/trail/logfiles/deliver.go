package logfiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// route is a trail delivery serves: a logging one, or one that stopped logging (or was deleted)
// at until, whose events from before then are still to be delivered.
type route struct {
	TrailConfig
	until time.Time // zero while logging
}

// syncTrails records each logging trail's configuration (for validate), notes the trails that
// stopped logging, and starts the digest chain of each trail with validation on, or starts it
// again after validation or logging was off. It returns the trails to deliver to: the logging
// ones, and those that stopped after the last round's cutoff.
func (d *Deliverer) syncTrails(ctx context.Context, now time.Time, cfgs []TrailConfig) ([]route, error) {
	dir, err := filepath.Abs(d.dir)
	if err != nil {
		return nil, err
	}
	var routes []route
	err = d.st.Update(ctx, func(tx store.Tx) error {
		routes = routes[:0]
		if err := d.fence(tx); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, c := range cfgs {
			seen[c.ARN] = true
			routes = append(routes, route{TrailConfig: c})
			rec, ok, err := trails.Get(tx, "", c.ARN)
			if err != nil {
				return err
			}
			if !ok {
				rec = &trailRecord{}
			}
			if !ok || !sameConfig(rec.Config, c) || rec.Dir != dir || !rec.Logging {
				rec.Config, rec.Dir, rec.Logging, rec.StoppedAt = c, dir, true, time.Time{}
				if err := trails.Put(tx, "", c.ARN, rec); err != nil {
					return err
				}
			}
			if c.Validation {
				if err := activate(tx, c.ARN, c.Account, c.Region, now, nil); err != nil {
					return err
				}
			}
		}
		var cur cursorRecord
		if _, err := cursors.Load(tx, "", "cursor", &cur); err != nil {
			return err
		}
		all, err := listAll(tx, trails, "")
		if err != nil {
			return err
		}
		for _, e := range all {
			r := e.Record
			if seen[e.Key] {
				continue
			}
			if r.Logging {
				r.Logging, r.StoppedAt = false, now
				if err := trails.Put(tx, "", e.Key, r); err != nil {
					return err
				}
			}
			if !r.StoppedAt.IsZero() && !cur.LastRound.Add(-d.grace).After(r.StoppedAt) {
				routes = append(routes, route{TrailConfig: r.Config, until: r.StoppedAt})
			}
		}
		return nil
	})
	return routes, err
}

// sameConfig compares trail configurations, their times as instants (a stored time comes back
// in another location).
func sameConfig(a, b TrailConfig) bool {
	same := a.LoggingSince.Equal(b.LoggingSince)
	a.LoggingSince, b.LoggingSince = time.Time{}, time.Time{}
	return same && a == b
}

// activate makes sure the chain of (trail, account, region) is active, starting it (again) at
// now when it is not, and adds files to its pending log files.
func activate(tx store.Tx, trail, account, region string, now time.Time, files []fileRecord) error {
	key := chainKey(trail, account, region)
	c, ok, err := chains.Get(tx, "", key)
	if err != nil {
		return err
	}
	for i := range files {
		if err := pendings.Put(tx, "", pendingKey(&files[i]), &files[i]); err != nil {
			return err
		}
	}
	if ok && c.Active {
		return nil
	}
	if !ok {
		c = &chainRecord{Trail: trail, Account: account, Region: region}
	}
	c.Active, c.Linked, c.Start = true, false, now
	return chains.Put(tx, "", key, c)
}

// event is what delivery reads of a stored record beyond its columns.
type event struct {
	AWSRegion string `json:"awsRegion"`
}

func regionOf(body []byte) string {
	var e event
	if json.Unmarshal(body, &e) != nil || e.AWSRegion == "" {
		return "us-east-1"
	}
	return e.AWSRegion
}

// logFile is a log file being built.
type logFile struct {
	fileRecord
	validation bool
	bodies     [][]byte
	gz         []byte
}

// render sets the file's content and hash from its bodies: {"Records":[…]} with each
// record as stored, the form CloudTrail's log files take ("CloudTrail log file examples").
func (f *logFile) render() {
	var raw bytes.Buffer
	raw.WriteString(`{"Records":[`)
	for i, b := range f.bodies {
		if i > 0 {
			raw.WriteByte(',')
		}
		raw.Write(b)
	}
	raw.WriteString("]}")
	sum := sha256.Sum256(raw.Bytes())
	f.Hash = hex.EncodeToString(sum[:])
	f.gz = gzipBytes(raw.Bytes())
}

// gzipBytes compresses b. The header carries no name and no time, so the same content always
// gives the same bytes: a file written again after a crash is the file written before.
func gzipBytes(b []byte) []byte {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(b) // a bytes.Buffer does not fail
	_ = zw.Close()
	return gz.Bytes()
}

// add puts an event in the file.
func (f *logFile) add(ev *store.StoredEvent) {
	f.bodies = append(f.bodies, ev.Body)
	if f.Oldest.IsZero() || ev.Time.Before(f.Oldest) {
		f.Oldest = ev.Time
	}
	if ev.Time.After(f.Newest) {
		f.Newest = ev.Time
	}
}

// router tells which trails receive an account's events: its own trails, and the organization
// trails of its organization.
type router struct {
	d      *Deliverer
	normal map[string][]*route
	org    map[string][]*route
	orgOf  map[string]string
}

func newRouter(d *Deliverer, routes []route) *router {
	r := &router{d: d, normal: map[string][]*route{}, org: map[string][]*route{}, orgOf: map[string]string{}}
	for i := range routes {
		c := &routes[i]
		if c.Organization && c.OrgID != "" {
			r.org[c.OrgID] = append(r.org[c.OrgID], c)
		} else {
			r.normal[c.Account] = append(r.normal[c.Account], c)
		}
	}
	return r
}

func (r *router) targets(ctx context.Context, account string) ([]*route, error) {
	out := r.normal[account]
	if len(r.org) == 0 || r.d.orgOf == nil {
		return out, nil
	}
	id, ok := r.orgOf[account]
	if !ok {
		var err error
		if id, err = r.d.orgOf(ctx, account); err != nil {
			return nil, err
		}
		r.orgOf[account] = id
	}
	if id == "" {
		return out, nil
	}
	return append(out[:len(out):len(out)], r.org[id]...), nil
}

// orgPart is the organization ID in a trail's keys, "" for a normal trail.
func orgPart(c *TrailConfig) string {
	if c.Organization {
		return c.OrgID
	}
	return ""
}

// deliverRound delivers the events after the cursor that are older than the grace period, at most
// roundEvents of them, as one file per (trail, account, region); more says a backlog remains.
// Unless backlog, it does nothing before the delivery interval has passed since the last round.
func (d *Deliverer) deliverRound(ctx context.Context, now time.Time, cfgs []route, backlog bool) (more bool, err error) {
	var cur cursorRecord
	var ok bool
	if err := d.st.View(ctx, func(tx store.Tx) (err error) {
		ok, err = cursors.Load(tx, "", "cursor", &cur)
		return err
	}); err != nil {
		return false, err
	}
	if cur.Writing != nil {
		return false, nil
	}
	if !ok {
		// The first round starts at the present (less the grace), or at the earliest logging
		// trail's start: the log's history before delivery began goes to no trail.
		start := now.Add(-d.grace)
		for _, c := range cfgs {
			if !c.LoggingSince.IsZero() && c.LoggingSince.Before(start) {
				start = c.LoggingSince
			}
		}
		cur.Pos = store.EventPos{Time: start.UTC().Truncate(time.Second)}
	} else if !backlog && now.Sub(cur.LastRound) < d.delivery {
		return false, nil
	}
	cutoff := now.Add(-d.grace)
	if len(cfgs) == 0 {
		// No trail logs: skip what the log holds up to the cutoff without reading it.
		if skip := (store.EventPos{Time: cutoff.Truncate(time.Microsecond)}); posAfter(skip, cur.Pos) {
			cur.Pos = skip
		}
		return false, d.st.Update(ctx, func(tx store.Tx) error {
			if err := d.fence(tx); err != nil {
				return err
			}
			return cursors.Put(tx, "", "cursor", &cursorRecord{Pos: cur.Pos, LastRound: now})
		})
	}
	rt := newRouter(d, cfgs)
	type groupKey struct{ trail, account, region string }
	groups := map[groupKey]*logFile{}
	badPath := map[string]bool{}
	var order []*logFile
	after, n := cur.Pos, 0
scan:
	for n < roundEvents {
		page, err := d.st.ScanEvents(ctx, &after, min(scanPage, roundEvents-n))
		if err != nil {
			return false, err
		}
		for i := range page {
			ev := &page[i]
			if !ev.Time.Before(cutoff) {
				break scan
			}
			after = ev.Pos()
			n++
			ts, err := rt.targets(ctx, ev.Account)
			if err != nil {
				return false, err
			}
			if len(ts) == 0 {
				continue
			}
			region := regionOf(ev.Body)
			for _, t := range ts {
				since := t.LoggingSince.UTC().Truncate(time.Second)
				if ev.Time.Before(since) || (!t.until.IsZero() && !ev.Time.Before(t.until)) {
					continue
				}
				k := groupKey{t.ARN, ev.Account, region}
				f := groups[k]
				if f == nil && badPath[t.ARN] {
					continue
				}
				if f == nil {
					f = &logFile{validation: t.Validation, fileRecord: fileRecord{
						Trail: t.ARN, Bucket: t.Bucket, Account: ev.Account, Region: region, Since: since, Delivered: now,
						Object: logObject(t.KeyPrefix, orgPart(&t.TrailConfig), ev.Account, region, now, uniqueString()),
					}}
					if _, err := filePath(d.dir, t.Bucket, f.Object); err != nil {
						// A bucket or prefix that cannot be a directory here: the trail's
						// events are not delivered (as CloudTrail's are not to a bucket it
						// cannot write), and its status says why.
						badPath[t.ARN] = true
						d.report(ctx, now, t.ARN, func(s *DeliveryStatus) { s.LatestDeliveryError = deliveryError(err) })
						continue
					}
					groups[k] = f
					order = append(order, f)
				}
				f.add(ev)
			}
		}
		if len(page) < scanPage {
			break
		}
	}
	batch := &batchRecord{After: cur.Pos, Through: after}
	for _, f := range order {
		f.render()
		batch.Files = append(batch.Files, f.fileRecord)
	}
	err = d.st.Update(ctx, func(tx store.Tx) error {
		if err := d.fence(tx); err != nil {
			return err
		}
		next := cursorRecord{Pos: after, LastRound: now}
		if len(batch.Files) > 0 {
			next.Writing = batch
		}
		if err := cursors.Put(tx, "", "cursor", &next); err != nil {
			return err
		}
		for _, f := range order {
			if f.validation {
				if err := activate(tx, f.Trail, f.Account, f.Region, now, []fileRecord{f.fileRecord}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil || len(order) == 0 {
		return false, err
	}
	files := make([]writeItem, len(order))
	for i, f := range order {
		files[i] = writeItem{rec: f.fileRecord, gz: f.gz}
	}
	if err := d.writeBatch(ctx, now, files); err != nil {
		return false, err
	}
	return n >= roundEvents, nil
}

type writeItem struct {
	rec fileRecord
	gz  []byte
}

// writeBatch writes a committed batch's files, then clears the cursor's note of them and
// reports each trail's delivery.
func (d *Deliverer) writeBatch(ctx context.Context, now time.Time, files []writeItem) error {
	failed := map[string]error{}
	var seen []string
	for _, f := range files {
		if _, ok := failed[f.rec.Trail]; !ok {
			failed[f.rec.Trail] = nil
			seen = append(seen, f.rec.Trail)
		}
		p, err := filePath(d.dir, f.rec.Bucket, f.rec.Object)
		if err == nil {
			err = writeFile(p, f.gz)
		}
		if err != nil {
			d.log.Error("writing CloudTrail log file", "trail", f.rec.Trail, "object", f.rec.Object, "err", err)
			if failed[f.rec.Trail] == nil {
				failed[f.rec.Trail] = err
			}
		}
	}
	var firstErr error
	for _, t := range seen {
		if e := failed[t]; e != nil {
			d.report(ctx, now, t, func(s *DeliveryStatus) { s.LatestDeliveryError = deliveryError(e) })
			firstErr = e
			continue
		}
		d.report(ctx, now, t, func(s *DeliveryStatus) { s.LatestDeliveryTime, s.LatestDeliveryError = now, "" })
	}
	if firstErr != nil {
		// The note stays: the next step writes the batch again.
		return firstErr
	}
	return d.st.Update(ctx, func(tx store.Tx) error {
		if err := d.fence(tx); err != nil {
			return err
		}
		var cur cursorRecord
		if _, err := cursors.Load(tx, "", "cursor", &cur); err != nil {
			return err
		}
		cur.Writing = nil
		return cursors.Put(tx, "", "cursor", &cur)
	})
}

// deliveryError is the LatestDeliveryError GetTrailStatus shows: S3's error code where one fits
// (CloudTrail reports S3's), never a server path. Rootward's choice of words.
func deliveryError(err error) string {
	switch {
	case errors.Is(err, errBadPath):
		return "InvalidBucketName"
	case errors.Is(err, fs.ErrPermission):
		return "AccessDenied"
	default:
		return "InternalError"
	}
}

// finishWriting writes what earlier steps committed but may not have written: a batch of log
// files (rebuilt from the same events) and digests (kept whole in their chain records).
func (d *Deliverer) finishWriting(ctx context.Context, now time.Time) error {
	var cur cursorRecord
	var pending []chainRecord
	if err := d.st.View(ctx, func(tx store.Tx) error {
		if _, err := cursors.Load(tx, "", "cursor", &cur); err != nil {
			return err
		}
		all, err := allChains(tx, "")
		for _, c := range all {
			if c.Unwritten {
				pending = append(pending, c)
			}
		}
		return err
	}); err != nil {
		return err
	}
	for _, c := range pending {
		if err := d.writeDigest(ctx, now, &c); err != nil {
			return err
		}
	}
	if cur.Writing == nil {
		return nil
	}
	b := cur.Writing
	files := make([]*logFile, len(b.Files))
	for i := range b.Files {
		files[i] = &logFile{fileRecord: b.Files[i]}
	}
	after := b.After
	for after != b.Through {
		page, err := d.st.ScanEvents(ctx, &after, scanPage)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for i := range page {
			ev := &page[i]
			if posAfter(ev.Pos(), b.Through) {
				after = b.Through
				break
			}
			after = ev.Pos()
			var region string
			for _, f := range files {
				if f.Account != ev.Account || ev.Time.Before(f.Since) {
					continue
				}
				if region == "" {
					region = regionOf(ev.Body)
				}
				if f.Region == region {
					f.bodies = append(f.bodies, ev.Body)
				}
			}
		}
	}
	items := make([]writeItem, len(files))
	for i, f := range files {
		want := f.Hash
		f.render()
		if f.Hash != want {
			// The events are gone (retention) or changed: write what there is; validate will
			// name the file.
			d.log.Error("CloudTrail log file rebuilt with other content", "object", f.Object)
		}
		items[i] = writeItem{rec: b.Files[i], gz: f.gz}
	}
	return d.writeBatch(ctx, now, items)
}

func posAfter(a, b store.EventPos) bool {
	return a.Time.After(b.Time) || (a.Time.Equal(b.Time) && a.Seq > b.Seq)
}

// writeFile writes data to path atomically (a temporary file, synced, renamed), making its
// directories.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o640)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// report updates a trail's delivery status and tells SetStatus. A failure to record it is
// logged: it must not stop delivery.
func (d *Deliverer) report(ctx context.Context, now time.Time, trail string, change func(*DeliveryStatus)) {
	var st DeliveryStatus
	err := d.st.Update(ctx, func(tx store.Tx) error {
		if err := d.fence(tx); err != nil {
			return err
		}
		rec, ok, err := trails.Get(tx, "", trail)
		if err != nil || !ok {
			return err
		}
		change(&rec.Status)
		st = rec.Status
		return trails.Put(tx, "", trail, rec)
	})
	if err == nil && d.setStatus != nil {
		err = d.setStatus(ctx, trail, st)
	}
	if err != nil {
		d.log.Error("recording CloudTrail delivery status", "trail", trail, "err", err)
	}
}

// allChains lists the chain records whose key starts with prefix.
func allChains(tx store.Tx, prefix string) ([]chainRecord, error) {
	es, err := listAll(tx, chains, prefix)
	out := make([]chainRecord, len(es))
	for i, e := range es {
		out[i] = *e.Record
	}
	return out, err
}
