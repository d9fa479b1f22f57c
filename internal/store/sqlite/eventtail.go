package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The event log's tail: the events this process appended that are in its segment files but not yet
// in the blocks and postings. See the comment at the top of events.go.

const (
	// segmentSyncDelay bounds how long a read-only record stays written but not fsynced.
	segmentSyncDelay = 100 * time.Millisecond
	// indexDelay is how long the indexer lets events gather after the first one of a pass, unless
	// indexBatch of them gather sooner: large batches make indexing cheap per event (the postings
	// of a block are shared by its 64 events), while the tail a lookup reads stays small.
	indexDelay = 250 * time.Millisecond
	indexBatch = 4096
	// maxTail bounds the tail: an append waits for the indexer while the tail holds this many
	// events (indexing failing, say, on a full disk), instead of filling the memory.
	maxTail = 16 * indexBatch
	// seqReserve is how many seqs a process reserves at a time (event_meta seq_next): seqs are
	// assigned at append, before the events reach the database, and two processes may append.
	seqReserve = 1 << 16
	// indexRetry is the pause after a failed index pass.
	indexRetry = time.Second
)

// Statements of the tail, on the writer (reserving seqs) and at Open.
const (
	seqNextSQL = `SELECT max(coalesce((SELECT value FROM event_meta WHERE name = 'seq_next'), 1),
		coalesce((SELECT block + count FROM event_blocks ORDER BY block DESC LIMIT 1), 1))`
	setSeqNextSQL = `INSERT INTO event_meta (name, value) VALUES ('seq_next', ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`
	maxPostedIDSQL = `SELECT CAST(value AS TEXT) FROM event_postings WHERE account = x'' AND attr = 8 ORDER BY value DESC LIMIT 1`
)

// eventTail is the append side of the event log: the segment this process writes, the events not
// indexed yet, and the indexer that moves them into blocks.
type eventTail struct {
	db        *DB
	dir       string
	log       *slog.Logger
	syncDelay time.Duration

	// syncMu is held by syncOwed's fsync, which runs without appendMu (appends go on meanwhile),
	// and by whoever closes segments, so that no segment is closed under that fsync. Lock order:
	// indexMu, then syncMu, then appendMu.
	syncMu    sync.Mutex
	syncFile  func(*os.File) error // fsyncs a segment for syncOwed: (*os.File).Sync, or a test's
	appendMu  sync.Mutex           // held by an append: one at a time
	active    *segment             // guarded by appendMu: the segment appends write; nil before the first
	dirty     bool                 // guarded by appendMu: active has records not fsynced
	writes    uint64               // guarded by appendMu: records written to segments, ever
	syncTimer *time.Timer          // guarded by appendMu: fsyncs active within syncDelay of a dirty write
	closed    bool                 // guarded by appendMu: Close has begun
	broken    error                // guarded by appendMu: a segment can no longer be trusted; appends fail
	next, end int64                // guarded by appendMu: the reserved seqs not yet assigned, [next, end)
	maxID     string               // guarded by appendMu: no stored or tail event has a greater ID

	// Ring files (ring.go): ringDir is where they go ("" for none: then, or once making one
	// failed, read-only records go to the segment like the others).
	ringDir, ringPrefix string // ringDir guarded by appendMu
	ring                *ring  // guarded by appendMu: the ring read-only appends copy into; nil before the first

	mu      sync.RWMutex
	events  []*store.StoredEvent // guarded by mu: appended, not indexed, in seq order
	indexed chan struct{}        // guarded by mu: closed (and replaced) when events shrink

	indexMu      sync.Mutex // held by an index pass
	retired      []*segment // guarded by indexMu: segments no longer appended to, deleted once indexed
	retiredRings []*ring    // guarded by indexMu: rings no longer appended to, reused once indexed
	pool         []*ring    // guarded by indexMu: indexed rings, reset, for the next pass to write

	kick, full chan struct{} // capacity 1: the tail became non-empty; it holds indexBatch events
	stop, done chan struct{}
	closeOnce  sync.Once
	closeErr   error
}

// openTail indexes the segments of processes that died (Open holds the open lock, so no other
// process recovers them at the same time) and starts the indexer.
func openTail(ctx context.Context, db *DB, dir string) (*eventTail, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	t := &eventTail{db: db, dir: dir, log: slog.Default(), syncDelay: segmentSyncDelay, syncFile: (*os.File).Sync,
		indexed: make(chan struct{}), kick: make(chan struct{}, 1), full: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
	var err error
	if t.ringDir, err = ringDir(); err != nil {
		return nil, fmt.Errorf("sqlite: the trail's rings: %w", err)
	}
	if t.ringPrefix, err = ringPrefix(dir, t.ringDir != ""); err != nil {
		return nil, fmt.Errorf("sqlite: the trail's rings: %w", err)
	}
	if t.ringDir != "" {
		if err := noteRingDir(dir, t.ringDir); err != nil {
			return nil, fmt.Errorf("sqlite: the trail's rings: %w", err)
		}
	}
	if err := t.recover(ctx); err != nil {
		return nil, fmt.Errorf("sqlite: recovering the trail's segments: %w", err)
	}
	var ranged, posted sql.NullString
	if err := db.write.QueryRowContext(ctx, maxIDSQL).Scan(&ranged); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if err := db.write.QueryRowContext(ctx, maxPostedIDSQL).Scan(&posted); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	t.maxID = max(ranged.String, posted.String)
	go t.run()
	return t, nil
}

// recover indexes the records of every segment file and ring of this trail that no live process
// holds, and deletes the files.
func (t *eventTail) recover(ctx context.Context) (err error) {
	var (
		orphans []*segment
		events  []*store.StoredEvent
	)
	defer func() {
		for _, s := range orphans {
			if err == nil {
				err = s.remove()
			} else {
				_ = s.f.Close() // left for the next Open
			}
		}
		if err == nil && len(orphans) > 0 {
			err = syncDir(t.dir)
		}
	}()
	segments, err := claimOrphans(t.dir, func(name string) bool { return strings.HasSuffix(name, ".seg") },
		func(s *segment, data []byte) {
			es, valid := readSegment(data)
			if valid < len(data) {
				t.log.Warn("trail segment: discarding a torn record at its end", "file", s.path, "bytes", len(data)-valid)
			}
			events = append(events, es...)
		})
	orphans = append(orphans, segments...)
	if err != nil {
		return err
	}
	dirs, err := t.recoveryRingDirs()
	if err != nil {
		return err
	}
	for _, dir := range dirs {
		rings, err := claimOrphans(dir, func(name string) bool { return isRingFile(name, t.ringPrefix) },
			func(s *segment, data []byte) {
				for _, p := range readRing(data) {
					es, err := decodeRecord(p)
					if err != nil {
						t.log.Warn("trail ring: discarding a malformed record and what follows it", "file", s.path)
						break
					}
					events = append(events, es...)
				}
			})
		orphans = append(orphans, rings...)
		if err != nil {
			return fmt.Errorf("the rings in %s (listed in %s): %w", dir, filepath.Join(t.dir, ringDirsFile), err)
		}
	}
	if len(orphans) > 0 {
		t.log.Info("trail: indexing the records of a process that died", "events", len(events), "files", len(orphans))
	}
	slices.SortFunc(events, func(a, b *store.StoredEvent) int { return cmp.Compare(a.Seq, b.Seq) })
	for len(events) > 0 {
		n := min(len(events), indexBatch)
		if err := t.db.indexEvents(ctx, events[:n]); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}

// recoveryRingDirs returns the directories where a dead process may have left rings of this
// trail: those listed in ringDirsFile, the one in use, and the default one, whatever ringEnv says
// now; none when the trail never had rings.
func (t *eventTail) recoveryRingDirs() ([]string, error) {
	if t.ringPrefix == "" {
		return nil, nil
	}
	dirs, err := ringDirs(t.dir)
	if err != nil {
		return nil, err
	}
	dirs = append(dirs, t.ringDir, defaultRingDir)
	slices.Sort(dirs)
	return slices.DeleteFunc(slices.Compact(dirs), func(d string) bool { return d == "" }), nil
}

// claimOrphans takes the regular files of dir whose names match and that no live process holds
// (each process locks the segments and rings it writes): it locks each, passes it and its contents
// to read, and returns the files it took, on an error too (the caller closes them). A missing dir
// has none.
func claimOrphans(dir string, match func(name string) bool, read func(*segment, []byte)) ([]*segment, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var taken []*segment
	for _, de := range entries {
		if !match(de.Name()) || !de.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, de.Name())
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return taken, err
		}
		if ok, err := tryLock(f); err != nil || !ok {
			_ = f.Close() // a live process's file, or an error
			if err != nil {
				return taken, err
			}
			continue
		}
		s := &segment{f: f, path: path}
		taken = append(taken, s)
		data, err := io.ReadAll(f)
		if err != nil {
			return taken, err
		}
		read(s, data)
	}
	return taken, nil
}

// indexEvents writes events (their Seq set, in seq order) into blocks and postings in one
// transaction, leaving out those whose ID is stored already.
func (db *DB) indexEvents(ctx context.Context, events []*store.StoredEvent) error {
	return db.withWriter(ctx, func(tx *sql.Tx) error {
		w := eventWriter{ctx: ctx, tx: tx, stmts: db.writeStmts}
		fresh, err := w.fresh(events)
		if err != nil {
			return err
		}
		return w.writeRuns(fresh)
	})
}

// signal makes a non-blocking send on a wake-up channel of capacity 1.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// snapshot returns the events not yet indexed. The slice is never written below its length, so
// the caller may read it without the lock.
func (t *eventTail) snapshot() []*store.StoredEvent {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.events[:len(t.events):len(t.events)]
}

// append makes events durable in the segment and adds them to the tail; see DB.AppendEvents.
func (t *eventTail) append(ctx context.Context, events []*store.StoredEvent) error {
	for {
		t.mu.RLock()
		n, indexed := len(t.events), t.indexed
		t.mu.RUnlock()
		if n < maxTail {
			break
		}
		signal(t.full)
		select {
		case <-indexed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	t.appendMu.Lock()
	defer t.appendMu.Unlock()
	switch {
	case t.closed:
		return errors.New("database closed")
	case t.broken != nil:
		return t.broken
	}
	fresh, err := t.fresh(ctx, events)
	if err != nil || len(fresh) == 0 {
		return err
	}
	if t.end-t.next < int64(len(fresh)) {
		if err := t.reserve(ctx, max(seqReserve, int64(len(fresh)))); err != nil {
			return err
		}
	}
	full := false
	for i, e := range fresh {
		e.Seq = t.next + int64(i)
		full = full || !e.ReadOnly
	}
	rec, bodies := encodeRecord(fresh)
	if !full && t.appendRing(rec) {
		t.next += int64(len(fresh))
		t.add(fresh, rec, bodies)
		return nil
	}
	if t.active == nil {
		if t.active, err = createSegment(t.dir); err != nil {
			t.active = nil
			return t.unassigned(fresh, err)
		}
	}
	if broken, err := t.active.write(rec); err != nil {
		if broken {
			t.broken = fmt.Errorf("trail segment %s: %w", t.active.path, err)
		}
		return t.unassigned(fresh, err)
	}
	t.next += int64(len(fresh))
	t.writes++
	var serr error
	if full {
		// A record of a change is as durable as the change (committed FULL) before the answer.
		if serr = t.active.f.Sync(); serr != nil {
			// After a failed fsync the kernel may have dropped the pages: nothing more is written to
			// this segment. The record stays in the tail: it may well be on disk, and indexing it
			// makes it durable; the caller is told it is not.
			t.broken = fmt.Errorf("trail segment %s: fsync: %w", t.active.path, serr)
		} else {
			t.dirty = false
		}
	} else {
		t.dirty = true
		if t.syncTimer == nil {
			t.syncTimer = time.AfterFunc(t.syncDelay, t.syncOwed)
		}
	}
	t.add(fresh, rec, bodies)
	if serr != nil {
		return t.unassigned(fresh, serr)
	}
	return nil
}

// appendRing copies a read-only batch's record into the ring, making one if there is none yet, and
// reports whether it did: false when rings are off, when making one failed (rings are then off
// for good, said once in the log), or when the record does not fit. appendMu is held.
func (t *eventTail) appendRing(rec []byte) bool {
	if t.ring == nil {
		if t.ringDir == "" {
			return false
		}
		r, err := createRing(t.ringDir, t.ringPrefix)
		if err != nil {
			t.log.Warn("trail: cannot make a ring file; read-only records go to the segment file", "dir", t.ringDir, "err", err)
			t.ringDir = ""
			return false
		}
		t.ring = r
	}
	return t.ring.append(rec)
}

// unassigned clears the seqs of events that were not appended (or not durably) and returns err.
func (t *eventTail) unassigned(events []*store.StoredEvent, err error) error {
	for _, e := range events {
		e.Seq = 0
	}
	return err
}

// add puts copies of events, just written to the segment as rec, at the end of the tail; their
// bodies are rec's (bodies says where), so that a caller may reuse its own.
func (t *eventTail) add(events []*store.StoredEvent, rec []byte, bodies [][2]int) {
	copies := make([]store.StoredEvent, len(events)) // one allocation for the batch
	t.mu.Lock()
	was := len(t.events)
	for i, e := range events {
		c := &copies[i]
		*c = *e
		c.Time = time.UnixMicro(micros(e.Time)).UTC() // as a block keeps it
		c.Body = rec[bodies[i][0]:bodies[i][1]:bodies[i][1]]
		t.events = append(t.events, c)
		t.maxID = max(t.maxID, e.ID)
	}
	n := len(t.events)
	t.mu.Unlock()
	if was == 0 {
		signal(t.kick)
	}
	if n >= indexBatch {
		signal(t.full)
	}
}

// fresh returns the events whose IDs are neither stored nor in the tail, nor earlier in events. A
// batch of increasing UUIDv7s above every ID this process has seen (what the recorder appends) is
// fresh without a look at the database.
func (t *eventTail) fresh(ctx context.Context, events []*store.StoredEvent) ([]*store.StoredEvent, error) {
	if increasingV7(events) && events[0].ID > t.maxID {
		return events, nil
	}
	// Rare (the recorder's batches take the way above), so the tail's IDs are gathered here rather
	// than kept in a set that every append and every index pass would pay for.
	out := make([]*store.StoredEvent, 0, len(events))
	seen := make(map[string]bool, len(events))
	t.mu.RLock()
	for _, e := range t.events {
		seen[e.ID] = true
	}
	t.mu.RUnlock()
	for _, e := range events {
		if !seen[e.ID] {
			out = append(out, e)
		}
		seen[e.ID] = true
	}
	if len(out) == 0 {
		return out, nil
	}
	// Read after the tail was checked: an event the indexer took out of the tail meanwhile was
	// committed before, so this snapshot holds it.
	tx, err := t.db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	stmt := func(q string) *sql.Stmt { return tx.StmtContext(ctx, t.db.readStmts[q]) }
	kept := out[:0]
	for _, e := range out {
		_, found, err := findID(ctx, stmt, e.ID)
		if err != nil {
			return nil, err
		}
		if !found {
			kept = append(kept, e)
		}
	}
	return kept, nil
}

// reserve takes n more seqs for this process from the database's counter.
func (t *eventTail) reserve(ctx context.Context, n int64) error {
	return t.db.withWriter(ctx, func(tx *sql.Tx) error {
		var first int64
		if err := tx.StmtContext(ctx, t.db.writeStmts[seqNextSQL]).QueryRowContext(ctx).Scan(&first); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, t.db.writeStmts[setSeqNextSQL]).ExecContext(ctx, first+n); err != nil {
			return err
		}
		t.next, t.end = first, first+n
		return nil
	})
}

// syncOwed fsyncs the active segment if it has records not fsynced yet (read-only ones). The fsync
// runs without appendMu, so that appends (a read's record waits for nothing but its write) do not
// wait for it; a record written meanwhile may not be covered, so the fsync is still owed then (that
// append armed the timer again).
func (t *eventTail) syncOwed() {
	t.syncMu.Lock()
	defer t.syncMu.Unlock()
	t.appendMu.Lock()
	t.syncTimer = nil
	seg, written := t.active, t.writes
	if !t.dirty || seg == nil || t.broken != nil {
		t.appendMu.Unlock()
		return
	}
	t.appendMu.Unlock()
	err := t.syncFile(seg.f)
	t.appendMu.Lock()
	defer t.appendMu.Unlock()
	if err != nil {
		// The kernel may have dropped the pages: nothing more is appended (as after a change's
		// failed fsync).
		t.broken = fmt.Errorf("trail segment %s: fsync: %w", seg.path, err)
		t.log.Error("syncing the trail's segment", "err", err)
		return
	}
	if t.active == seg && t.writes == written {
		t.dirty = false
	}
}

// run is the indexer: once events are in the tail, it waits indexDelay (or until indexBatch
// gather) and indexes all of them.
func (t *eventTail) run() {
	defer close(t.done)
	for {
		if t.len() == 0 {
			select {
			case <-t.stop:
				return
			case <-t.kick:
			}
		}
		if t.len() < indexBatch {
			timer := time.NewTimer(indexDelay)
			select {
			case <-t.stop:
				timer.Stop()
				return
			case <-t.full:
			case <-timer.C:
			}
			timer.Stop()
		}
		if err := t.index(context.Background()); err != nil {
			t.log.Error("indexing the trail", "err", err)
			select {
			case <-t.stop:
				return
			case <-time.After(indexRetry):
			}
		}
	}
}

func (t *eventTail) len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.events)
}

// index moves every event of the tail into blocks and postings: it starts a new segment for the
// appends that follow, indexes the events in transactions of at most indexBatch, takes each
// committed chunk out of the tail, and then deletes the segments that held them.
func (t *eventTail) index(ctx context.Context) error {
	t.indexMu.Lock()
	defer t.indexMu.Unlock()
	if t.len() == 0 && len(t.retired) == 0 && len(t.retiredRings) == 0 {
		return nil
	}
	t.appendMu.Lock()
	closed, used := t.closed, t.active != nil
	t.appendMu.Unlock()
	var next *segment
	// A segment only for a pass that wrote one: with rings, read-only records do not.
	if !closed && used && t.len() > 0 {
		var err error
		if next, err = createSegment(t.dir); err != nil {
			return err
		}
	}
	t.appendMu.Lock()
	batch := t.snapshot()
	old, dirty := t.active, t.dirty
	if old != nil || next != nil {
		t.active, t.dirty = next, false
	}
	if t.ring != nil {
		t.retiredRings = append(t.retiredRings, t.ring)
		t.ring = nil
		if n := len(t.pool); n > 0 {
			t.ring, t.pool = t.pool[n-1], t.pool[:n-1]
		}
	}
	t.appendMu.Unlock()
	if old != nil {
		t.retired = append(t.retired, old)
		if dirty {
			// Its read-only records must not wait for the index to be durable.
			if err := old.f.Sync(); err != nil {
				t.log.Error("syncing the trail's segment", "file", old.path, "err", err)
			}
		}
	}
	for len(batch) > 0 {
		n := min(len(batch), indexBatch)
		if err := t.db.indexEvents(ctx, batch[:n]); err != nil {
			return err
		}
		t.mu.Lock()
		t.events = t.events[n:]
		close(t.indexed)
		t.indexed = make(chan struct{})
		t.mu.Unlock()
		batch = batch[n:]
	}
	var errs []error
	for _, r := range t.retiredRings {
		if len(t.pool) < maxRings-1 {
			r.reset()
			t.pool = append(t.pool, r)
		} else {
			errs = append(errs, r.remove())
		}
	}
	t.retiredRings = nil
	t.syncMu.Lock() // not under syncOwed's fsync of one of them
	for _, s := range t.retired {
		errs = append(errs, s.remove())
	}
	t.syncMu.Unlock()
	t.retired = nil
	return errors.Join(errs...)
}

// flush indexes every event appended so far, for a reader of the database itself (Backup) or
// retention, which must see them all.
func (t *eventTail) flush(ctx context.Context) error { return t.index(ctx) }

// close stops the indexer, indexes what is left and deletes this process's segments; a segment
// that could not be indexed stays for the next Open. A second call returns the first's result.
func (t *eventTail) close() error {
	t.closeOnce.Do(func() { t.closeErr = t.shutdown() })
	return t.closeErr
}

func (t *eventTail) shutdown() error {
	close(t.stop)
	<-t.done
	t.appendMu.Lock()
	t.closed = true
	if t.syncTimer != nil {
		t.syncTimer.Stop()
		t.syncTimer = nil
	}
	t.appendMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := t.index(ctx)
	t.indexMu.Lock()
	defer t.indexMu.Unlock()
	t.syncMu.Lock()
	defer t.syncMu.Unlock()
	t.appendMu.Lock()
	defer t.appendMu.Unlock()
	if t.active != nil {
		t.retired = append(t.retired, t.active)
		t.active = nil
	}
	rings := append(t.retiredRings, t.pool...)
	if t.ring != nil {
		rings = append(rings, t.ring)
	}
	t.ring, t.pool, t.retiredRings = nil, nil, nil
	for _, r := range rings {
		if err == nil {
			err = r.remove()
			continue
		}
		// Left for the next Open (closing releases the lock).
		_ = unmap(r.mem)
		_ = r.f.Close()
	}
	for _, s := range t.retired {
		if err == nil {
			err = s.remove()
			continue
		}
		if t.dirty {
			_ = s.f.Sync()
		}
		_ = s.f.Close()
	}
	t.retired = nil
	return err
}
