package sqlite

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/rootward/rootward/internal/store"
)

// Reading the event log. A lookup reads the posting rows of one attribute value of the account
// (the most selective one the query sets) in max_time order, merges their entries by (time, seq),
// and emits an entry only when no later row can hold one that comes before it; the query's other
// attributes are checked on the event itself, read from its block (each block decoded once per
// lookup). ScanEvents does the same over the blocks themselves, in max_time order. Both also read
// the tail (the events appended but not yet indexed, eventtail.go), each of its events a row of its
// own; an event the indexer moved into a block meanwhile can come from both, and is emitted once.

// postingPage is how many posting (or block) rows a lookup reads per query.
const postingPage = 64

// eventReader reads the event log in one read transaction.
type eventReader struct {
	ctx     context.Context
	tx      *sql.Tx
	stmts   map[string]*sql.Stmt
	expired int64            // events before this time are hidden (retention, see ExpireEvents)
	blocks  map[int64]*block // blocks ScanEvents read
	last    *block           // the block a lookup read last; its buffer is reused for the next
	// tail holds the events not yet indexed when the read began; byTailSeq those of them the
	// lookup may emit, by seq.
	tail      []*store.StoredEvent
	byTailSeq map[int64]*store.StoredEvent
}

func (r *eventReader) stmt(q string) *sql.Stmt { return r.tx.StmtContext(r.ctx, r.stmts[q]) }

// readEvents runs fn with a reader over one snapshot of the log.
func (db *DB) readEvents(ctx context.Context, fn func(r *eventReader) error) error {
	// The tail is read before the snapshot: an event the indexer takes out of the tail afterwards
	// was committed before the snapshot, which is taken at the transaction's first read.
	tail := db.tail.snapshot()
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	r := &eventReader{ctx: ctx, tx: tx, stmts: db.readStmts, expired: math.MinInt64, blocks: map[int64]*block{},
		tail: tail, byTailSeq: map[int64]*store.StoredEvent{}}
	err = r.stmt(expiredSQL).QueryRowContext(ctx).Scan(&r.expired)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return fn(r)
}

// event reads the event of seq from block first.
// A lookup decodes the block of each event it returns (64 events, some 80 KB) into one buffer,
// and copies the event's body out of it.
func (r *eventReader) event(first, seq int64) (store.StoredEvent, error) {
	if e := r.byTailSeq[seq]; e != nil {
		c := *e
		c.Body = bytes.Clone(e.Body)
		return c, nil
	}
	b, reused := r.blocks[first], false
	if b == nil {
		reused = true
		if b = r.last; b == nil || b.first != first {
			var (
				minTime int64
				data    []byte
				buf     []byte
			)
			if err := r.stmt(blockSQL).QueryRowContext(r.ctx, first).Scan(&minTime, &data); err != nil {
				return store.StoredEvent{}, err
			}
			if r.last != nil {
				buf = r.last.data
			}
			var err error
			if b, err = parseBlock(buf, first, minTime, data); err != nil {
				return store.StoredEvent{}, err
			}
			r.last = b
		}
	}
	i := int(seq - first)
	if i < 0 || i >= b.len() {
		return store.StoredEvent{}, errBadBlock
	}
	e, err := b.event(i)
	if reused {
		e.Body = bytes.Clone(e.Body)
	}
	return e, err
}

// sourceRow is one posting or block row: its max_time and its entries, with the block they are in.
type sourceRow struct {
	maxTime, block int64
	entries        []entry
}

// candidate is an entry waiting to be emitted.
type candidate struct {
	entry
	block int64
}

// merge emits, in (time, seq) order (descending when newest), the entries of the rows next returns
// in max_time order (descending when newest), until emit says stop or the rows end (next says
// done). keep filters entries before they wait.
func merge(newest bool, next func() (rows []sourceRow, done bool, err error), keep func(entry) bool, emit func(candidate) (bool, error)) error {
	var cands []candidate
	before := func(a, b candidate) int {
		c := compareEntry(a.entry, b.entry)
		if newest {
			return -c
		}
		return c
	}
	// flush emits the waiting candidates that final says no later row can precede.
	flush := func(final func(entry) bool) (bool, error) {
		n := 0
		for n < len(cands) && final(cands[n].entry) {
			more, err := emit(cands[n])
			n++
			if err != nil || !more {
				return false, err
			}
		}
		cands = cands[n:]
		return true, nil
	}
	for {
		rows, done, err := next()
		if err != nil {
			return err
		}
		for _, row := range rows {
			// A row of max_time m holds entries of times in [m - maxBlockSpan, m]: newest first,
			// a waiting entry after m is final; oldest first, one before m - maxBlockSpan is.
			m := row.maxTime
			more, err := flush(func(e entry) bool {
				if newest {
					return e.time > m
				}
				return e.time < m-maxBlockSpan
			})
			if err != nil || !more {
				return err
			}
			added := false
			for _, e := range row.entries {
				if keep(e) {
					cands, added = append(cands, candidate{e, row.block}), true
				}
			}
			if added {
				slices.SortFunc(cands, before)
			}
		}
		if done {
			_, err := flush(func(entry) bool { return true })
			return err
		}
	}
}

// tailRows returns the tail's events that keep accepts as rows of one entry each (a row's block is
// the event's seq), in (time, seq) order (descending when newest), and lets r.event read them.
func (r *eventReader) tailRows(newest bool, keep func(e *store.StoredEvent) bool) []sourceRow {
	var out []sourceRow
	for _, e := range r.tail {
		if !keep(e) {
			continue
		}
		r.byTailSeq[e.Seq] = e
		t := micros(e.Time)
		out = append(out, sourceRow{maxTime: t, block: e.Seq, entries: []entry{{time: t, seq: e.Seq}}})
	}
	sortRows(out, newest)
	return out
}

// sortRows sorts rows in (max_time, block) order, descending when newest.
func sortRows(rows []sourceRow, newest bool) {
	slices.SortFunc(rows, func(a, b sourceRow) int {
		c := cmp.Or(cmp.Compare(a.maxTime, b.maxTime), cmp.Compare(a.block, b.block))
		if newest {
			return -c
		}
		return c
	})
}

// once wraps emit so that an entry emitted twice in a row (an event read both from the tail and
// from the block the indexer moved it into) is passed on once.
func once(emit func(candidate) (bool, error)) func(candidate) (bool, error) {
	var last *entry
	return func(c candidate) (bool, error) {
		if last != nil && *last == c.entry {
			return true, nil
		}
		last = &c.entry
		return emit(c)
	}
}

// LookupEvents returns the events q selects; see store.EventLog.
func (db *DB) LookupEvents(ctx context.Context, q store.EventQuery) ([]store.StoredEvent, error) {
	if q.Limit <= 0 {
		return nil, errors.New("sqlite: lookup events: limit must be positive")
	}
	out := []store.StoredEvent{}
	err := db.readEvents(ctx, func(r *eventReader) error {
		lo, hi := max(r.expired, math.MinInt64), int64(math.MaxInt64)
		if !q.Start.IsZero() {
			lo = max(lo, micros(q.Start))
		}
		if !q.End.IsZero() {
			hi = micros(q.End)
		}
		var after *entry
		if q.After != nil {
			after = &entry{time: micros(q.After.Time), seq: q.After.Seq}
			if q.Newest {
				hi = min(hi, after.time)
			} else {
				lo = max(lo, after.time)
			}
		}
		if lo > hi {
			return nil
		}
		keep := func(e entry) bool {
			if e.time < lo || e.time > hi {
				return false
			}
			if after != nil {
				c := compareEntry(e, *after)
				return (q.Newest && c < 0) || (!q.Newest && c > 0)
			}
			return true
		}
		if q.ID != "" {
			for _, e := range r.tail {
				if e.ID == q.ID {
					if e.Account == q.Account && keep(entry{time: micros(e.Time), seq: e.Seq}) && matches(e, q) {
						r.byTailSeq[e.Seq] = e
						c, err := r.event(0, e.Seq)
						out = append(out, c)
						return err
					}
					return nil
				}
			}
			e, found, err := findID(ctx, r.stmt, q.ID)
			if err != nil || !found || e.Account != q.Account || !keep(entry{time: micros(e.Time), seq: e.Seq}) || !matches(&e, q) {
				return err
			}
			out = append(out, e)
			return nil
		}
		attr, value := selective(q)
		// Rows whose max_time is past hi + maxBlockSpan hold nothing before hi.
		top := hi
		if top < math.MaxInt64-maxBlockSpan {
			top += maxBlockSpan
		}
		curTime, curBlock := int64(math.MinInt64), int64(math.MinInt64)
		if q.Newest {
			curTime, curBlock = top, math.MaxInt64
		}
		mainNext := func() ([]sourceRow, error) {
			var rows *sql.Rows
			var err error
			if q.Newest {
				rows, err = r.stmt(postingsDownSQL).QueryContext(ctx, []byte(q.Account), attr, []byte(value), lo, curTime, curBlock, postingPage)
			} else {
				rows, err = r.stmt(postingsUpSQL).QueryContext(ctx, []byte(q.Account), attr, []byte(value), top, curTime, curBlock, postingPage)
			}
			if err != nil {
				return nil, err
			}
			page, err := postingRows(rows)
			if len(page) > 0 {
				curTime, curBlock = page[len(page)-1].maxTime, page[len(page)-1].block
			}
			return page, err
		}
		if !q.Newest {
			// Ascending, the first rows that can hold an entry at lo have max_time >= lo.
			curTime = lo
		}
		recent, err := r.recent(q.Account, attr, value, lo, top, q.Newest)
		if err != nil {
			return err
		}
		recent = append(recent, r.tailRows(q.Newest, func(e *store.StoredEvent) bool {
			return e.Account == q.Account && matches(e, q)
		})...)
		sortRows(recent, q.Newest)
		return merge(q.Newest, interleave(q.Newest, mainNext, recent), keep, once(func(c candidate) (bool, error) {
			e, err := r.event(c.block, c.seq)
			if err != nil {
				return false, err
			}
			if matches(&e, q) {
				out = append(out, e)
			}
			return len(out) < q.Limit, nil
		}))
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: lookup events: %w", err)
	}
	return out, nil
}

// recent returns the rows of event_recent of one attribute value whose max_time is in [lo, top], in
// (max_time, block) order, descending when newest.
func (r *eventReader) recent(account string, attr int, value string, lo, top int64, newest bool) ([]sourceRow, error) {
	rows, err := r.stmt(recentSQL).QueryContext(r.ctx, []byte(account), attr, []byte(value), lo, top)
	if err != nil {
		return nil, err
	}
	out, err := postingRows(rows)
	if err != nil {
		return nil, err
	}
	sortRows(out, newest)
	return out, nil
}

// postingRows reads rows of (max_time, block, min_time, entries) of postings, and closes them.
func postingRows(rows *sql.Rows) ([]sourceRow, error) {
	defer rows.Close()
	var out []sourceRow
	for rows.Next() {
		var (
			row     sourceRow
			minTime int64
			data    []byte
		)
		if err := rows.Scan(&row.maxTime, &row.block, &minTime, &data); err != nil {
			return nil, err
		}
		var err error
		if row.entries, err = decodeEntries(nil, data, row.block, minTime); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// interleave returns the rows of main's pages (postingPage rows but the last) and of recent in one
// (max_time, block) order, descending when newest, a page at a time.
func interleave(newest bool, main func() ([]sourceRow, error), recent []sourceRow) func() ([]sourceRow, bool, error) {
	var (
		buf      []sourceRow
		mainDone bool
	)
	return func() ([]sourceRow, bool, error) {
		var out []sourceRow
		for len(out) < postingPage {
			if len(buf) == 0 && !mainDone {
				page, err := main()
				if err != nil {
					return nil, false, err
				}
				buf, mainDone = page, len(page) < postingPage
			}
			var fromRecent bool
			switch {
			case len(buf) == 0 && len(recent) == 0:
				return out, true, nil
			case len(buf) == 0:
				fromRecent = true
			case len(recent) > 0:
				c := cmp.Or(cmp.Compare(recent[0].maxTime, buf[0].maxTime), cmp.Compare(recent[0].block, buf[0].block))
				fromRecent = (newest && c > 0) || (!newest && c < 0)
			}
			if fromRecent {
				out, recent = append(out, recent[0]), recent[1:]
			} else {
				out, buf = append(out, buf[0]), buf[1:]
			}
		}
		return out, false, nil
	}
}

// selective returns the attribute whose postings a lookup reads: the one q sets that is likely to
// select the fewest events.
func selective(q store.EventQuery) (attr int, value string) {
	for _, a := range [...]struct {
		attr  int
		value string
	}{{attrUser, q.UserName}, {attrKey, q.AccessKey}, {attrResourceName, q.ResourceName}, {attrName, q.Name},
		{attrResourceType, q.ResourceType}, {attrSource, q.Source}} {
		if a.value != "" {
			return a.attr, a.value
		}
	}
	if q.ReadOnly != nil {
		if *q.ReadOnly {
			return attrReadOnly, "1"
		}
		return attrReadOnly, "0"
	}
	return attrAll, ""
}

// matches reports whether e has every attribute q sets (the account is the posting's).
func matches(e *store.StoredEvent, q store.EventQuery) bool {
	for _, f := range [...][2]string{{q.Name, e.Name}, {q.Source, e.Source}, {q.UserName, e.UserName},
		{q.AccessKey, e.AccessKey}, {q.ResourceType, e.ResourceType}, {q.ResourceName, e.ResourceName}} {
		if f[0] != "" && f[0] != f[1] {
			return false
		}
	}
	return q.ReadOnly == nil || *q.ReadOnly == e.ReadOnly
}

// ScanEvents returns events of every account after `after`; see store.EventLog. It reads the
// blocks in max_time order.
func (db *DB) ScanEvents(ctx context.Context, after *store.EventPos, limit int) ([]store.StoredEvent, error) {
	if limit <= 0 {
		return nil, errors.New("sqlite: scan events: limit must be positive")
	}
	out := []store.StoredEvent{}
	err := db.readEvents(ctx, func(r *eventReader) error {
		lo := r.expired
		var from *entry
		if after != nil {
			from = &entry{time: micros(after.Time), seq: after.Seq}
			lo = max(lo, from.time)
		}
		curTime, curBlock := lo, int64(math.MinInt64)
		main := func() ([]sourceRow, error) {
			rows, err := r.stmt(blocksUpSQL).QueryContext(ctx, curTime, curBlock, postingPage)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var page []sourceRow
			for rows.Next() {
				var (
					row     sourceRow
					minTime int64
					data    []byte
				)
				if err := rows.Scan(&row.maxTime, &row.block, &minTime, &data); err != nil {
					return nil, err
				}
				curTime, curBlock = row.maxTime, row.block
				b, err := parseBlock(nil, row.block, minTime, data)
				if err != nil {
					return nil, err
				}
				r.blocks[row.block] = b
				for i := range b.len() {
					e, err := b.event(i)
					if err != nil {
						return nil, err
					}
					row.entries = append(row.entries, entry{time: micros(e.Time), seq: e.Seq})
				}
				page = append(page, row)
			}
			return page, rows.Err()
		}
		next := interleave(false, main, r.tailRows(false, func(*store.StoredEvent) bool { return true }))
		keep := func(e entry) bool {
			return e.time >= lo && (from == nil || compareEntry(e, *from) > 0)
		}
		return merge(false, next, keep, once(func(c candidate) (bool, error) {
			e, err := r.event(c.block, c.seq)
			if err != nil {
				return false, err
			}
			out = append(out, e)
			return len(out) < limit, nil
		}))
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: scan events: %w", err)
	}
	return out, nil
}
