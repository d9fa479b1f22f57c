package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/rootward/rootward/internal/store"
)

// rootUserName is the user name column the recorder gives the root user's events
// (trail.LookupUserName), privileged root sessions' included: LookupEvents by the Username "root"
// reads its postings.
const rootUserName = "root"

// rootIndexBlocks bounds the blocks one transaction of indexRootEvents rewrites.
const rootIndexBlocks = 256

// Rows of event_meta that indexRootEvents keeps: its progress (the next block to read) and that it
// is done.
const (
	rootIndexCursor = "root_user_cursor"
	rootIndexDone   = "root_user_indexed"
)

// indexRootEvents gives the root user's events stored before the recorder derived their user name
// (their userIdentity.type Root, no userName) the user name "root": each such block is written
// again with the column set, and gets the (account, user, "root") posting its events would have
// had, merged with any row the block already had for that value (an IAM user named root). Open
// runs it once, after moveLegacyEvents, in transactions of at most rootIndexBlocks blocks that a
// crash resumes; internal/trail's migration test checks the derivation agrees with the recorder's.
func indexRootEvents(ctx context.Context, db *DB) error {
	var done int64
	err := db.write.QueryRowContext(ctx, `SELECT value FROM event_meta WHERE name = ?`, rootIndexDone).Scan(&done)
	if err == nil && done == 1 {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: indexing root events: %w", err)
	}
	for {
		finished := false
		err := db.withWriter(ctx, func(tx *sql.Tx) error {
			var cursor int64
			if err := tx.QueryRowContext(ctx, `SELECT value FROM event_meta WHERE name = ?`, rootIndexCursor).Scan(&cursor); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			next, n, err := indexRootBlocks(ctx, tx, cursor)
			if err != nil {
				return err
			}
			name, value := rootIndexCursor, next
			if n < rootIndexBlocks {
				name, value, finished = rootIndexDone, 1, true
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO event_meta (name, value) VALUES (?, ?)
				ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlite: indexing root events: %w", err)
		}
		if finished {
			return nil
		}
	}
}

// indexRootBlocks indexes the root events of up to rootIndexBlocks blocks from block `from` on, and
// returns the block after the last it read and how many it read.
func indexRootBlocks(ctx context.Context, tx *sql.Tx, from int64) (next int64, n int, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT block, min_time, data FROM event_blocks WHERE block >= ? ORDER BY block LIMIT ?`, from, rootIndexBlocks)
	if err != nil {
		return 0, 0, err
	}
	type found struct {
		first, minTime int64
		data           []byte
	}
	var blocks []found
	for rows.Next() {
		var f found
		if err := rows.Scan(&f.first, &f.minTime, &f.data); err != nil {
			rows.Close()
			return 0, 0, err
		}
		blocks = append(blocks, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	next = from
	for _, f := range blocks {
		next = f.first + 1
		if err := indexRootBlock(ctx, tx, f.first, f.minTime, f.data); err != nil {
			return 0, 0, err
		}
	}
	return next, len(blocks), nil
}

// indexRootBlock rewrites one block when it holds root events without the user name.
func indexRootBlock(ctx context.Context, tx *sql.Tx, first, minTime int64, data []byte) error {
	b, err := parseBlock(nil, first, minTime, data)
	if err != nil {
		return err
	}
	changed := false
	events := make([]*store.StoredEvent, b.len())
	for i := range events {
		e, err := b.event(i)
		if err != nil {
			return err
		}
		if e.UserName == "" && rootBody(e.Body) {
			e.UserName, changed = rootUserName, true
		}
		events[i] = &e
	}
	if !changed {
		return nil
	}
	packed, _ := encodeBlock(events, minTime, nil, nil)
	if _, err := tx.ExecContext(ctx, `UPDATE event_blocks SET data = ? WHERE block = ?`, packed, first); err != nil {
		return err
	}
	for _, p := range blockPostings(events, func(int) bool { return false }) {
		if p.key.attr != attrUser || p.key.value != rootUserName {
			continue
		}
		// A row the block already had for the value (an IAM user named root) is replaced by the
		// merged one; its max_time lies within the block's span.
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_postings WHERE account = ? AND attr = ? AND value = ?
			AND max_time BETWEEN ? AND ? AND block = ?`, []byte(p.key.account), attrUser, []byte(rootUserName),
			minTime, minTime+maxBlockSpan, first); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_recent WHERE block = ? AND account = ? AND attr = ? AND value = ?`,
			first, []byte(p.key.account), attrUser, []byte(rootUserName)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, insertPostingSQL, []byte(p.key.account), attrUser, []byte(rootUserName),
			p.maxTime, first, p.minTime, p.entries()); err != nil {
			return err
		}
	}
	return nil
}

// rootBody reports whether a CloudTrail body's userIdentity is the root user's without a userName,
// as trail.LookupUserName decides it. A body without the bytes "type":"Root" (the recorder writes
// compact JSON) is not parsed.
func rootBody(body []byte) bool {
	if !bytes.Contains(body, []byte(`"type":"Root"`)) {
		return false
	}
	var e struct {
		UserIdentity struct {
			Type     string `json:"type"`
			UserName string `json:"userName"`
		} `json:"userIdentity"`
	}
	return json.Unmarshal(body, &e) == nil && e.UserIdentity.Type == "Root" && e.UserIdentity.UserName == ""
}
