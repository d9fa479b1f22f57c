package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/internal/changefeed"
)

// The change feed on SQLite: an Update adds a row per object it wrote to the changes table before
// it commits, and hands the rows to this process's subscribers once committed. Writers are
// serialized (on this file, across processes), so rows become visible in number order; the poll
// (changefeed) finds those of other processes sharing the file.
const (
	insertChangeSQL = `INSERT INTO changes (kind, account, key) VALUES (?, ?, ?)`
	maxChangeSQL    = `SELECT coalesce(max(seq), 0) FROM changes`
	// The holes are a JSON array: one statement, prepared once, for any number of them. The two
	// conditions are two rowid lookups joined by UNION ALL, not one OR: with the OR, SQLite walks
	// the table in seq order from its first row testing each (EXPLAIN QUERY PLAN: SCAN changes),
	// which costs every row not yet pruned on every poll.
	readChangesSQL = `SELECT seq, kind, account, key FROM (
			SELECT seq, kind, account, key FROM changes WHERE seq > ?1
			UNION ALL
			SELECT seq, kind, account, key FROM changes
				WHERE seq IN (SELECT value FROM json_each(?2)) AND seq <= ?1
		) ORDER BY seq LIMIT ?3`
	pruneChangesSQL = `DELETE FROM changes WHERE seq IN (SELECT seq FROM changes WHERE seq <= ? ORDER BY seq LIMIT ?)`
)

// Changes implements store.Store.
func (db *DB) Changes() store.Feed { return db.feed }

// recordChanges adds the rows of written to the changes table.
func (t *tx) recordChanges(written []store.Change) ([]changefeed.Row, error) {
	rows := make([]changefeed.Row, 0, len(written))
	for _, c := range written {
		res, err := t.exec(insertChangeSQL, blob(c.Kind), blob(c.Account), blob(c.Key))
		if err != nil {
			return nil, fmt.Errorf("sqlite: recording changes: %w", err)
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return nil, fmt.Errorf("sqlite: recording changes: %w", err)
		}
		rows = append(rows, changefeed.Row{Seq: seq, Change: c})
	}
	return rows, nil
}

// sqlRows adapts *sql.Rows, whose Close returns an error, to changefeed.Rows.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

// changeSource is the changes table for changefeed.
type changeSource struct{ db *DB }

func (s changeSource) Max(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.readStmts[maxChangeSQL].QueryRowContext(ctx).Scan(&n)
	return n, err
}

func (s changeSource) Read(ctx context.Context, after int64, holes []int64, limit int) ([]changefeed.Row, error) {
	if holes == nil {
		holes = []int64{}
	}
	list, err := json.Marshal(holes)
	if err != nil {
		return nil, err
	}
	rs, err := s.db.readStmts[readChangesSQL].QueryContext(ctx, after, string(list), limit)
	if err != nil {
		return nil, err
	}
	return changefeed.ScanRows(sqlRows{rs})
}

func (s changeSource) Prune(ctx context.Context, upTo int64, limit int) (int, error) {
	res, err := s.db.writeStmts[pruneChangesSQL].ExecContext(ctx, upTo, limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
