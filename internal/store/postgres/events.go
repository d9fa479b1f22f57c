package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rootward/rootward/internal/store"
)

// The event log (store.EventLog) lives in the events table (migrations/00003_events.sql), its
// string columns bytea (bound as []byte: any bytes a client sent, NUL included, store). Its
// transactions run at the default READ COMMITTED isolation: an append only inserts rows no other
// transaction writes (event IDs are unique and DO NOTHING on a repeat), expiry deletes rows
// nothing else deletes, and a lookup is one statement, so none of them needs SERIALIZABLE, and none
// can lose a serialization conflict to the Updates running beside it.

const appendEventSQL = `INSERT INTO events (account, event_time, event_id, event_name, event_source,
	user_name, access_key_id, resource_type, resource_name, read_only, body)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (event_id) DO NOTHING RETURNING seq`

// AppendEvents stores events in one transaction, sent as one batch; see store.EventLog.
func (db *DB) AppendEvents(ctx context.Context, events []*store.StoredEvent) error {
	if len(events) == 0 {
		return nil
	}
	pgTx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer rollback(ctx, pgTx) // a no-op after Commit
	var b pgx.Batch
	for _, e := range events {
		b.Queue(appendEventSQL, []byte(e.Account), e.Time.UTC().Truncate(time.Microsecond), []byte(e.ID), []byte(e.Name),
			[]byte(e.Source), []byte(e.UserName), []byte(e.AccessKey), []byte(e.ResourceType), []byte(e.ResourceName),
			e.ReadOnly, nonNil(e.Body))
	}
	br := pgTx.SendBatch(ctx, &b)
	for _, e := range events {
		var seq int64
		err := br.QueryRow().Scan(&seq)
		switch {
		case errors.Is(err, pgx.ErrNoRows): // the ID is stored already
			e.Seq = 0
		case err != nil:
			_ = br.Close()
			return fmt.Errorf("postgres: append event: %w", err)
		default:
			e.Seq = seq
		}
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("postgres: append event: %w", err)
	}
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// LookupEvents returns the events q selects; see store.EventLog.
func (db *DB) LookupEvents(ctx context.Context, q store.EventQuery) ([]store.StoredEvent, error) {
	if q.Limit <= 0 {
		return nil, errors.New("postgres: lookup events: limit must be positive")
	}
	var (
		where = []string{"account = $1"}
		args  = []any{[]byte(q.Account)}
	)
	cond := func(c string, v ...any) {
		s := c
		for range v {
			args = append(args, nil)
			s = strings.Replace(s, "?", dollar(len(args)), 1)
		}
		copy(args[len(args)-len(v):], v)
		where = append(where, s)
	}
	for _, f := range q.Filters() {
		cond(f.Column+" = ?", []byte(f.Value))
	}
	if q.ReadOnly != nil {
		cond("read_only = ?", *q.ReadOnly)
	}
	if !q.Start.IsZero() {
		cond("event_time >= ?", q.Start.UTC().Truncate(time.Microsecond))
	}
	if !q.End.IsZero() {
		cond("event_time <= ?", q.End.UTC().Truncate(time.Microsecond))
	}
	order := "ASC"
	if q.Newest {
		order = "DESC"
	}
	if q.After != nil {
		// A row comparison is one B-tree range condition on the index's last two columns.
		op := ">"
		if q.Newest {
			op = "<"
		}
		cond("(event_time, seq) "+op+" (?, ?)", q.After.Time.UTC().Truncate(time.Microsecond), q.After.Seq)
	}
	args = append(args, q.Limit)
	query := `SELECT ` + eventColumns + ` FROM events WHERE ` +
		strings.Join(where, " AND ") + ` ORDER BY event_time ` + order + `, seq ` + order + ` LIMIT ` + dollar(len(args))
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: lookup events: %w", err)
	}
	return scanEventRows(rows)
}

// scanEventRows reads rows of the event columns eventColumns names, and closes them.
func scanEventRows(rows pgx.Rows) ([]store.StoredEvent, error) {
	defer rows.Close()
	var out []store.StoredEvent
	for rows.Next() {
		var (
			e    store.StoredEvent
			cols [8][]byte
		)
		if err := rows.Scan(&e.Seq, &cols[0], &e.Time, &cols[1], &cols[2], &cols[3], &cols[4], &cols[5],
			&cols[6], &cols[7], &e.ReadOnly, &e.Body); err != nil {
			return nil, fmt.Errorf("postgres: read events: %w", err)
		}
		e.Account, e.ID, e.Name, e.Source = string(cols[0]), string(cols[1]), string(cols[2]), string(cols[3])
		e.UserName, e.AccessKey, e.ResourceType, e.ResourceName = string(cols[4]), string(cols[5]), string(cols[6]), string(cols[7])
		e.Time = e.Time.UTC()
		e.Body = nonNil(e.Body)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read events: %w", err)
	}
	return out, nil
}

// eventColumns are the columns scanEventRows reads, in its order.
const eventColumns = `seq, account, event_time, event_id, event_name, event_source, user_name,
	access_key_id, resource_type, resource_name, read_only, body`

// ScanEvents returns events of every account after `after`; see store.EventLog. It reads the
// expiry index (event_time, seq).
func (db *DB) ScanEvents(ctx context.Context, after *store.EventPos, limit int) ([]store.StoredEvent, error) {
	if limit <= 0 {
		return nil, errors.New("postgres: scan events: limit must be positive")
	}
	where, args := "", []any{}
	if after != nil {
		where = "WHERE (event_time, seq) > ($1, $2) "
		args = append(args, after.Time.UTC().Truncate(time.Microsecond), after.Seq)
	}
	args = append(args, limit)
	rows, err := db.pool.Query(ctx, `SELECT `+eventColumns+` FROM events `+where+
		`ORDER BY event_time, seq LIMIT `+dollar(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: scan events: %w", err)
	}
	return scanEventRows(rows)
}

// ExpireEvents deletes up to batch events older than before; see store.EventLog.
func (db *DB) ExpireEvents(ctx context.Context, before time.Time, batch int) (int, error) {
	if batch <= 0 {
		return 0, fmt.Errorf("postgres: expire events: batch %d must be positive", batch)
	}
	tag, err := db.pool.Exec(ctx, `DELETE FROM events WHERE seq IN
		(SELECT seq FROM events WHERE event_time < $1 ORDER BY event_time, seq LIMIT $2)`,
		before.UTC().Truncate(time.Microsecond), batch)
	if err != nil {
		return 0, fmt.Errorf("postgres: expire events: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
