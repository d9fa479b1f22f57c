package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The event log (store.EventLog) is kept in blocks and postings (migrations/00004_event_blocks.sql,
// eventblock.go): n indexed events cost one block row per 64 events and one posting row per
// distinct (account, attribute, value) among them, where a row per event with nine indexes cost
// ten B-tree inserts per event.
//
// Appending does not touch the database. AppendEvents copies a batch of read-only events as one
// record into this process's ring (ring.go: a shared mapping of a tmpfs file, no system call), or
// writes a batch with a change, or any batch when rings are off, as one record of its segment file
// (segment.go: one write(2), length-prefixed and checksummed), adds the
// events to the tail held in memory (eventtail.go), and returns; an indexer goroutine moves the
// tail into blocks and postings in large transactions (up to indexBatch events, indexDelay after
// the first), then deletes the segments it emptied. Lookups and ScanEvents read the tail beside
// the blocks, so an acknowledged event is visible at once. Open indexes the segments and rings of
// a process that died (their last record may be torn: it is discarded). Seqs are assigned at append, from a
// range each process reserves in event_meta, so several processes may append to one database.
//
// Durability. A record of a batch that holds an event of a call that changed something (ReadOnly
// false) is fsynced before AppendEvents returns: the change itself was committed with
// synchronous=FULL, so its record is as durable. A batch of read-only events is in the ring, or
// written to the segment (the page cache), both of which survive a crash of the process (kill -9);
// against a power loss it is durable once indexed (the indexer's FULL commit, within indexDelay
// of a pass's first event plus the pass), or, rings off, once the segment is fsynced, within
// segmentSyncDelay. The indexer commits with synchronous=FULL before it deletes a segment or
// reuses a ring.
// https://www.sqlite.org/pragma.html#pragma_synchronous

// Statements of the event log, prepared at Open (writeEventStatements on the writer,
// readEventStatements on the readers).
const (
	maxIDSQL        = `SELECT id_hi FROM event_blocks WHERE id_lo IS NOT NULL ORDER BY id_lo DESC LIMIT 1`
	idPostingSQL    = `SELECT block, min_time, entries FROM event_postings WHERE account = x'' AND attr = 8 AND value = ? LIMIT 1`
	idPostingsInSQL = `SELECT 1 FROM event_postings WHERE account = x'' AND attr = 8 AND value >= ? AND value <= ? LIMIT 1`
	idBlockSQL      = `SELECT block, min_time, id_hi, data FROM event_blocks
		WHERE id_lo IS NOT NULL AND id_lo <= ? ORDER BY id_lo DESC LIMIT 1`
	insertBlockSQL = `INSERT INTO event_blocks (block, min_time, max_time, count, id_lo, id_hi, data)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	insertPostingSQL = `INSERT INTO event_postings (account, attr, value, max_time, block, min_time, entries)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	insertRecentSQL = `INSERT INTO event_recent (account, attr, value, max_time, block, min_time, entries)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	oldestRecentSQL = `SELECT block FROM event_recent ORDER BY block LIMIT 1`
	moveRecentSQL   = `INSERT INTO event_postings (account, attr, value, max_time, block, min_time, entries)
		SELECT account, attr, value, max_time, block, min_time, entries FROM event_recent
		ORDER BY account, attr, value, max_time, block`
	clearRecentSQL = `DELETE FROM event_recent`
	expiredSQL     = `SELECT value FROM event_meta WHERE name = 'expired_before'`
	setExpiredSQL  = `INSERT INTO event_meta (name, value) VALUES ('expired_before', ?)
		ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)`
	expirableSQL = `SELECT block, min_time, id_lo, data FROM event_blocks
		WHERE max_time < ? AND block < (SELECT max(block) FROM event_blocks) ORDER BY max_time, block LIMIT ?`
	deleteBlockSQL   = `DELETE FROM event_blocks WHERE block = ?`
	deletePostingSQL = `DELETE FROM event_postings
		WHERE account = ? AND attr = ? AND value = ? AND max_time = ? AND block = ?`
	deleteRecentSQL = `DELETE FROM event_recent WHERE block = ?`
	// Posting rows of one attribute value whose max_time is within bounds, a page at a time after
	// (before) a (max_time, block) cursor; the row value comparison is a range of the primary key.
	// https://www.sqlite.org/rowvalue.html#row_value_comparisons
	postingsUpSQL = `SELECT max_time, block, min_time, entries FROM event_postings
		WHERE account = ? AND attr = ? AND value = ? AND max_time <= ? AND (max_time, block) > (?, ?)
		ORDER BY max_time, block LIMIT ?`
	postingsDownSQL = `SELECT max_time, block, min_time, entries FROM event_postings
		WHERE account = ? AND attr = ? AND value = ? AND max_time >= ? AND (max_time, block) < (?, ?)
		ORDER BY max_time DESC, block DESC LIMIT ?`
	recentSQL = `SELECT max_time, block, min_time, entries FROM event_recent
		WHERE account = ? AND attr = ? AND value = ? AND max_time >= ? AND max_time <= ?`
	blockSQL    = `SELECT min_time, data FROM event_blocks WHERE block = ?`
	blocksUpSQL = `SELECT max_time, block, min_time, data FROM event_blocks
		WHERE (max_time, block) > (?, ?) ORDER BY max_time, block LIMIT ?`
)

func writeEventStatements() []string {
	return []string{maxIDSQL, idPostingSQL, idPostingsInSQL, idBlockSQL, insertBlockSQL,
		insertPostingSQL, blockSQL, expiredSQL, setExpiredSQL, expirableSQL, deleteBlockSQL,
		deletePostingSQL, insertRecentSQL, oldestRecentSQL, moveRecentSQL, clearRecentSQL, deleteRecentSQL,
		seqNextSQL, setSeqNextSQL}
}

func readEventStatements() []string {
	return []string{idPostingSQL, idBlockSQL, expiredSQL, postingsUpSQL, postingsDownSQL, blockSQL, blocksUpSQL, recentSQL}
}

// micros is t as microseconds since the Unix epoch, the unit of the time columns.
func micros(t time.Time) int64 { return t.UnixMicro() }

// AppendEvents makes events durable in this process's segment and adds them to the tail; see
// store.EventLog and the durability note above. An event whose ID is stored, in the tail or earlier
// in events is skipped (Seq 0). Another process's events are seen once indexed (within indexDelay
// of their append): two processes appending the same ID in that window both keep it.
func (db *DB) AppendEvents(ctx context.Context, events []*store.StoredEvent) error {
	if len(events) == 0 {
		return nil
	}
	for _, e := range events {
		e.Seq = 0
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	if err := db.tail.append(ctx, events); err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	return nil
}

// withWriter runs fn in a transaction on the writer connection (committed with synchronous=FULL).
func (db *DB) withWriter(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// eventWriter writes blocks and postings in one write transaction.
type eventWriter struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	maxID string // id_hi of the block with the greatest ID range; "" when not read yet
	read  bool   // maxID was read
	// v7 is set by fresh when the events it returned are increasing UUIDv7s, so that writeBlock
	// need not check each block's again.
	v7 bool
	// The buffers encodeBlock packs blocks in, reused from one block to the next.
	scratch, packed []byte
}

func (w *eventWriter) stmt(q string) *sql.Stmt { return w.tx.StmtContext(w.ctx, w.stmts[q]) }

// lastID returns the greatest ID of any block's ID range ("" if none).
func (w *eventWriter) lastID() (string, error) {
	if !w.read {
		var hi sql.NullString
		err := w.stmt(maxIDSQL).QueryRowContext(w.ctx).Scan(&hi)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		w.maxID, w.read = hi.String, true
	}
	return w.maxID, nil
}

// fresh returns the events whose IDs are not stored yet, nor earlier in events, in order. A batch
// of increasing UUIDv7s above every stored range, with no ID posting among them, is fresh without
// looking up each ID: that is what the recorder appends.
func (w *eventWriter) fresh(events []*store.StoredEvent) ([]*store.StoredEvent, error) {
	if increasingV7(events) {
		last, err := w.lastID()
		if err != nil {
			return nil, err
		}
		if events[0].ID > last {
			err := w.stmt(idPostingsInSQL).QueryRowContext(w.ctx, []byte(events[0].ID), []byte(events[len(events)-1].ID)).Scan(new(int))
			if errors.Is(err, sql.ErrNoRows) {
				w.v7 = true
				return events, nil
			}
			if err != nil {
				return nil, err
			}
		}
	}
	out := make([]*store.StoredEvent, 0, len(events))
	seen := make(map[string]bool, len(events))
	for _, e := range events {
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		_, found, err := findID(w.ctx, w.stmt, e.ID)
		if err != nil {
			return nil, err
		}
		if !found {
			out = append(out, e)
		}
	}
	return out, nil
}

// findID finds the stored event with the given ID: in its ID posting, or in the one block whose ID
// range can hold it.
func findID(ctx context.Context, stmt func(string) *sql.Stmt, id string) (store.StoredEvent, bool, error) {
	var (
		first, minTime int64
		data           []byte
	)
	err := stmt(idPostingSQL).QueryRowContext(ctx, []byte(id)).Scan(&first, &minTime, &data)
	switch {
	case err == nil:
		es, err := decodeEntries(nil, data, first, minTime)
		if err != nil || len(es) != 1 {
			return store.StoredEvent{}, false, errBadBlock
		}
		var bt int64
		if err := stmt(blockSQL).QueryRowContext(ctx, first).Scan(&bt, &data); err != nil {
			return store.StoredEvent{}, false, err
		}
		b, err := parseBlock(nil, first, bt, data)
		if err != nil {
			return store.StoredEvent{}, false, err
		}
		e, err := b.event(int(es[0].seq - first))
		return e, err == nil, err
	case !errors.Is(err, sql.ErrNoRows):
		return store.StoredEvent{}, false, err
	}
	var hi string
	err = stmt(idBlockSQL).QueryRowContext(ctx, id).Scan(&first, &minTime, &hi, &data)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && hi < id) {
		return store.StoredEvent{}, false, nil
	}
	if err != nil {
		return store.StoredEvent{}, false, err
	}
	b, err := parseBlock(nil, first, minTime, data)
	if err != nil {
		return store.StoredEvent{}, false, err
	}
	for i := range b.len() {
		e, err := b.event(i)
		if err != nil {
			return e, false, err
		}
		if e.ID == id {
			return e, true, nil
		}
	}
	return store.StoredEvent{}, false, nil
}

// writeRuns stores events (their Seq set, increasing) as blocks: a gap in the seqs ends a block.
func (w *eventWriter) writeRuns(events []*store.StoredEvent) error {
	for len(events) > 0 {
		run := 1
		for run < len(events) && events[run].Seq == events[run-1].Seq+1 {
			run++
		}
		if err := w.write(events[:run]); err != nil {
			return err
		}
		events = events[run:]
	}
	return nil
}

// write stores events of consecutive seqs (set) as blocks from the first one's seq on.
func (w *eventWriter) write(events []*store.StoredEvent) error {
	if len(events) == 0 {
		return nil
	}
	first := events[0].Seq
	for len(events) > 0 {
		n := blockLen(events)
		if err := w.writeBlock(events[:n], first); err != nil {
			return err
		}
		events, first = events[n:], first+int64(n)
	}
	// The recent postings move into event_postings once they cover recentSeqs events.
	var oldest int64
	if err := w.stmt(oldestRecentSQL).QueryRowContext(w.ctx).Scan(&oldest); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	}
	if first-oldest < recentSeqs {
		return nil
	}
	if _, err := w.stmt(moveRecentSQL).ExecContext(w.ctx); err != nil {
		return err
	}
	_, err := w.stmt(clearRecentSQL).ExecContext(w.ctx)
	return err
}

// recentSeqs is how many events' postings event_recent holds before they move to event_postings
// (see migrations/00004_event_blocks.sql): enough that a value's page is written once for many
// batches, few enough that a lookup reads the whole table quickly.
const recentSeqs = 1024

// blockLen is how many of events (at least one) go into the next block: at most maxBlockEvents,
// spanning at most maxBlockSpan.
func blockLen(events []*store.StoredEvent) int {
	lo, hi := micros(events[0].Time), micros(events[0].Time)
	for i, e := range events {
		t := micros(e.Time)
		lo, hi = min(lo, t), max(hi, t)
		if i == maxBlockEvents || hi-lo > maxBlockSpan {
			return i
		}
	}
	return len(events)
}

// writeBlock stores one block of events from seq first on, and its postings.
func (w *eventWriter) writeBlock(events []*store.StoredEvent, first int64) error {
	minTime, maxTime := int64(math.MaxInt64), int64(math.MinInt64)
	for _, e := range events {
		minTime, maxTime = min(minTime, micros(e.Time)), max(maxTime, micros(e.Time))
	}
	var idLo, idHi any // NULL: the block has no ID range, its events have ID postings
	last, err := w.lastID()
	if err != nil {
		return err
	}
	ranged := (w.v7 || increasingV7(events)) && events[0].ID > last
	if ranged {
		idLo, idHi = events[0].ID, events[len(events)-1].ID
		w.maxID = events[len(events)-1].ID
	}
	packed, scratch := encodeBlock(events, minTime, w.scratch, w.packed)
	w.scratch, w.packed = scratch, packed
	if _, err := w.stmt(insertBlockSQL).ExecContext(w.ctx, first, minTime, maxTime, len(events), idLo, idHi, packed); err != nil {
		return err
	}
	recent, ids := w.stmt(insertRecentSQL), w.stmt(insertPostingSQL)
	for _, p := range blockPostings(events, func(int) bool { return !ranged }) {
		ins := recent
		if p.key.attr == attrID {
			ins = ids // looked up by value, one at a time: see findID
		}
		if _, err := ins.ExecContext(w.ctx, []byte(p.key.account), p.key.attr, []byte(p.key.value), p.maxTime,
			first, p.minTime, p.entries()); err != nil {
			return err
		}
	}
	return nil
}

// increasingV7 reports whether events' IDs are UUIDv7s in their canonical text, strictly increasing.
func increasingV7(events []*store.StoredEvent) bool {
	for i, e := range events {
		if !isUUIDv7(e.ID) || (i > 0 && e.ID <= events[i-1].ID) {
			return false
		}
	}
	return true
}

// isUUIDv7 reports whether id is a version 7 UUID in lower-case canonical form (RFC 9562, section
// 4), whose text order is the order of its time.
func isUUIDv7(id string) bool {
	if len(id) != 36 || id[14] != '7' || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return false
	}
	for i := 0; i < 36; i++ {
		if !lowerHex[id[i]] && i != 8 && i != 13 && i != 18 && i != 23 {
			return false
		}
	}
	return id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b'
}

// lowerHex marks the bytes of lower-case hexadecimal digits.
var lowerHex = func() (t [256]bool) {
	for _, c := range "0123456789abcdef" {
		t[c] = true
	}
	return t
}()

// ExpireEvents deletes blocks whose events are all before `before`, oldest first, until at least
// batch events are deleted, and hides the events before it that share a block with later ones;
// see store.EventLog. The newest block stays even when it is expired (hidden), so that seqs keep
// growing after everything expired.
func (db *DB) ExpireEvents(ctx context.Context, before time.Time, batch int) (int, error) {
	if batch <= 0 {
		return 0, fmt.Errorf("sqlite: expire events: batch %d must be positive", batch)
	}
	// The tail's events are indexed first, so that expiry sees every event this process appended.
	if err := db.tail.flush(ctx); err != nil {
		return 0, fmt.Errorf("sqlite: expire events: %w", err)
	}
	cutoff, deleted := micros(before), 0
	err := db.withWriter(ctx, func(tx *sql.Tx) error {
		deleted = 0
		w := eventWriter{ctx: ctx, tx: tx, stmts: db.writeStmts}
		if _, err := w.stmt(setExpiredSQL).ExecContext(ctx, cutoff); err != nil {
			return err
		}
		type old struct {
			first, minTime int64
			ranged         bool
			data           []byte
		}
		var blocks []old
		rows, err := w.stmt(expirableSQL).QueryContext(ctx, cutoff, batch)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() && n < batch {
			var (
				b    old
				idLo sql.NullString
			)
			if err := rows.Scan(&b.first, &b.minTime, &idLo, &b.data); err != nil {
				rows.Close()
				return err
			}
			b.ranged = idLo.Valid
			blocks = append(blocks, b)
			pb, err := parseBlock(nil, b.first, b.minTime, b.data)
			if err != nil {
				rows.Close()
				return err
			}
			n += pb.len()
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		delPosting := w.stmt(deletePostingSQL)
		for _, ob := range blocks {
			pb, err := parseBlock(nil, ob.first, ob.minTime, ob.data)
			if err != nil {
				return err
			}
			events := make([]*store.StoredEvent, pb.len())
			for i := range events {
				e, err := pb.event(i)
				if err != nil {
					return err
				}
				events[i] = &e
			}
			for _, p := range blockPostings(events, func(int) bool { return !ob.ranged }) {
				if _, err := delPosting.ExecContext(ctx, []byte(p.key.account), p.key.attr, []byte(p.key.value), p.maxTime, ob.first); err != nil {
					return err
				}
			}
			if _, err := w.stmt(deleteRecentSQL).ExecContext(ctx, ob.first); err != nil {
				return err
			}
			if _, err := w.stmt(deleteBlockSQL).ExecContext(ctx, ob.first); err != nil {
				return err
			}
			deleted += len(events)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: expire events: %w", err)
	}
	return deleted, nil
}
