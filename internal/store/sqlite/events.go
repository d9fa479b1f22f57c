package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The event log (store.EventLog) lives in the events table (migrations/00003_events.sql). Appends
// and expiry run on the writer connection, so they queue with Updates; lookups on the readers.

const appendEventSQL = `INSERT INTO events (account, event_time, event_id, event_name, event_source,
	user_name, access_key_id, resource_type, resource_name, read_only, body)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING RETURNING seq`

// AppendEvents stores events in one transaction; see store.EventLog.
func (db *DB) AppendEvents(ctx context.Context, events []*store.StoredEvent) error {
	if len(events) == 0 {
		return nil
	}
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() { _ = sqlTx.Rollback() }() // a no-op after Commit
	stmt := sqlTx.StmtContext(ctx, db.writeStmts[appendEventSQL])
	for _, e := range events {
		var seq int64
		err := stmt.QueryRowContext(ctx, e.Account, micros(e.Time), e.ID, e.Name, e.Source, e.UserName,
			e.AccessKey, e.ResourceType, e.ResourceName, e.ReadOnly, nonNil(e.Body)).Scan(&seq)
		switch {
		case errors.Is(err, sql.ErrNoRows): // the ID is stored already
			e.Seq = 0
		case err != nil:
			return fmt.Errorf("sqlite: append event: %w", err)
		default:
			e.Seq = seq
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// micros is t as microseconds since the Unix epoch, the event_time column.
func micros(t time.Time) int64 { return t.UnixMicro() }

// LookupEvents returns the events q selects; see store.EventLog.
func (db *DB) LookupEvents(ctx context.Context, q store.EventQuery) ([]store.StoredEvent, error) {
	if q.Limit <= 0 {
		return nil, errors.New("sqlite: lookup events: limit must be positive")
	}
	var (
		where = []string{"account = ?"}
		args  = []any{q.Account}
	)
	// One attribute column picks the index; the others, if any, filter its range.
	for _, f := range q.Filters() {
		where = append(where, f.Column+" = ?")
		args = append(args, f.Value)
	}
	if q.ReadOnly != nil {
		where = append(where, "read_only = ?")
		args = append(args, *q.ReadOnly)
	}
	if !q.Start.IsZero() {
		where = append(where, "event_time >= ?")
		args = append(args, micros(q.Start))
	}
	if !q.End.IsZero() {
		where = append(where, "event_time <= ?")
		args = append(args, micros(q.End))
	}
	order := "ASC"
	if q.Newest {
		order = "DESC"
	}
	if q.After != nil {
		// A row value comparison is a range constraint on the index's last two columns
		// (event_time, then the rowid it carries): https://www.sqlite.org/rowvalue.html#row_value_comparisons
		op := ">"
		if q.Newest {
			op = "<"
		}
		where = append(where, "(event_time, seq) "+op+" (?, ?)")
		args = append(args, micros(q.After.Time), q.After.Seq)
	}
	query := `SELECT ` + eventColumns + ` FROM events WHERE ` +
		strings.Join(where, " AND ") + ` ORDER BY event_time ` + order + `, seq ` + order + ` LIMIT ?`
	args = append(args, q.Limit)
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lookup events: %w", err)
	}
	return scanEventRows(rows)
}

// scanEventRows reads rows of the event columns eventColumns names, and closes them.
func scanEventRows(rows *sql.Rows) ([]store.StoredEvent, error) {
	defer rows.Close()
	var out []store.StoredEvent
	for rows.Next() {
		var (
			e  store.StoredEvent
			us int64
		)
		if err := rows.Scan(&e.Seq, &e.Account, &us, &e.ID, &e.Name, &e.Source, &e.UserName, &e.AccessKey,
			&e.ResourceType, &e.ResourceName, &e.ReadOnly, &e.Body); err != nil {
			return nil, fmt.Errorf("sqlite: read events: %w", err)
		}
		e.Time = time.UnixMicro(us).UTC()
		e.Body = nonNil(e.Body)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: read events: %w", err)
	}
	return out, nil
}

// eventColumns are the columns scanEventRows reads, in its order.
const eventColumns = `seq, account, event_time, event_id, event_name, event_source, user_name,
	access_key_id, resource_type, resource_name, read_only, body`

// ScanEvents returns events of every account after `after`; see store.EventLog. It reads the
// expiry index (event_time), whose entries end with the rowid (seq).
func (db *DB) ScanEvents(ctx context.Context, after *store.EventPos, limit int) ([]store.StoredEvent, error) {
	if limit <= 0 {
		return nil, errors.New("sqlite: scan events: limit must be positive")
	}
	where, args := "", []any{}
	if after != nil {
		where = "WHERE (event_time, seq) > (?, ?) "
		args = append(args, micros(after.Time), after.Seq)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM events `+where+
		`ORDER BY event_time, seq LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: scan events: %w", err)
	}
	return scanEventRows(rows)
}

const expireEventsSQL = `DELETE FROM events WHERE seq IN
	(SELECT seq FROM events WHERE event_time < ? ORDER BY event_time LIMIT ?)`

// ExpireEvents deletes up to batch events older than before; see store.EventLog.
func (db *DB) ExpireEvents(ctx context.Context, before time.Time, batch int) (int, error) {
	if batch <= 0 {
		return 0, fmt.Errorf("sqlite: expire events: batch %d must be positive", batch)
	}
	res, err := db.writeStmts[expireEventsSQL].ExecContext(ctx, micros(before), batch)
	if err != nil {
		return 0, fmt.Errorf("sqlite: expire events: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: expire events: %w", err)
	}
	return int(n), nil
}
