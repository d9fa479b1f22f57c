package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// legacyMoveRows bounds the rows of the events table (migration 00003) that one transaction of
// moveLegacyEvents moves into blocks, so that a large table moves in steps a crash can resume.
const legacyMoveRows = 4096

// moveLegacyEvents moves the rows of the events table of migration 00003 into blocks and postings,
// in seq order and in transactions of at most legacyMoveRows rows, keeping each event's seq (a gap
// in the seqs, or maxBlockEvents, or maxBlockSpan, ends a block), then drops the table. Their IDs
// are random (UUIDv4), so each gets an ID posting unless a run of them happens to be increasing
// UUIDv7s. Open runs it after the schema migrations; a database without the table has nothing to
// move.
func moveLegacyEvents(ctx context.Context, db *DB) error {
	var n int
	if err := db.write.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'`).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: moving events into blocks: %w", err)
	}
	if n == 0 {
		return nil
	}
	for {
		moved := 0
		err := db.withWriter(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT `+legacyColumns+` FROM events ORDER BY seq LIMIT ?`, legacyMoveRows)
			if err != nil {
				return err
			}
			var events []*store.StoredEvent
			for rows.Next() {
				var (
					e  store.StoredEvent
					us int64
				)
				if err := rows.Scan(&e.Seq, &e.Account, &us, &e.ID, &e.Name, &e.Source, &e.UserName, &e.AccessKey,
					&e.ResourceType, &e.ResourceName, &e.ReadOnly, &e.Body); err != nil {
					rows.Close()
					return err
				}
				e.Time = time.UnixMicro(us).UTC()
				e.Body = nonNil(e.Body)
				events = append(events, &e)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			w := eventWriter{ctx: ctx, tx: tx, stmts: db.writeStmts}
			for len(events) > 0 {
				// A run of consecutive seqs is written as blocks from its first seq on.
				run := 1
				for run < len(events) && events[run].Seq == events[run-1].Seq+1 {
					run++
				}
				if err := w.write(events[:run]); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE seq <= ?`, events[run-1].Seq); err != nil {
					return err
				}
				moved += run
				events = events[run:]
			}
			if moved == 0 {
				_, err := tx.ExecContext(ctx, `DROP TABLE events`)
				return err
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("sqlite: moving events into blocks: %w", err)
		}
		if moved == 0 {
			return nil
		}
	}
}

// legacyColumns are the columns of the events table of migration 00003 that moveLegacyEvents reads.
const legacyColumns = `seq, CAST(account AS TEXT), event_time, CAST(event_id AS TEXT), CAST(event_name AS TEXT),
	CAST(event_source AS TEXT), CAST(user_name AS TEXT), CAST(access_key_id AS TEXT),
	CAST(resource_type AS TEXT), CAST(resource_name AS TEXT), read_only, body`
