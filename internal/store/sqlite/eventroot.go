package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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
	return indexUserNames(ctx, db, rootIndexDone, rootIndexCursor, rootUser)
}

// indexSessionEvents gives the events of assumed-role sessions stored before the recorder derived
// their user name the session's name (trail.LookupUserName: the last part of the
// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION ARN, the Username CloudTrail's event history
// shows for them), as indexRootEvents does for root's.
func indexSessionEvents(ctx context.Context, db *DB) error {
	return indexUserNames(ctx, db, sessionIndexDone, sessionIndexCursor, sessionUser)
}

// indexFederatedEvents gives the events of federated users (GetFederationToken sessions) stored
// before the recorder derived their user name the federated user's name (trail.LookupUserName: the
// last part of arn:aws:sts::ACCOUNT:federated-user/NAME), as indexSessionEvents does for role
// sessions.
func indexFederatedEvents(ctx context.Context, db *DB) error {
	return indexUserNames(ctx, db, federatedIndexDone, federatedIndexCursor, federatedUser)
}

// Rows of event_meta that indexFederatedEvents keeps.
const (
	federatedIndexCursor = "federated_user_cursor"
	federatedIndexDone   = "federated_user_indexed"
)

// federatedUser is the name of a federated user's body without a userName, as
// trail.LookupUserName derives it: the part of userIdentity.arn after "federated-user/".
func federatedUser(body []byte) string {
	return identityName(body, "FederatedUser", func(arn string) string {
		_, name, _ := strings.Cut(arn, ":federated-user/")
		return name
	})
}

// Rows of event_meta that indexSessionEvents keeps.
const (
	sessionIndexCursor = "session_user_cursor"
	sessionIndexDone   = "session_user_indexed"
)

// indexUserNames runs one pass over the blocks that gives events without a user name the one
// derive finds in their body (none: ""), its progress and end kept in event_meta under cursorKey
// and doneKey.
func indexUserNames(ctx context.Context, db *DB, doneKey, cursorKey string, derive func(body []byte) string) error {
	var done int64
	err := db.write.QueryRowContext(ctx, `SELECT value FROM event_meta WHERE name = ?`, doneKey).Scan(&done)
	if err == nil && done == 1 {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: indexing user names (%s): %w", doneKey, err)
	}
	for {
		finished := false
		err := db.withWriter(ctx, func(tx *sql.Tx) error {
			var cursor int64
			if err := tx.QueryRowContext(ctx, `SELECT value FROM event_meta WHERE name = ?`, cursorKey).Scan(&cursor); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			next, n, err := indexUserBlocks(ctx, tx, cursor, derive)
			if err != nil {
				return err
			}
			name, value := cursorKey, next
			if n < rootIndexBlocks {
				name, value, finished = doneKey, 1, true
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO event_meta (name, value) VALUES (?, ?)
				ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlite: indexing user names (%s): %w", doneKey, err)
		}
		if finished {
			return nil
		}
	}
}

// indexUserBlocks names the events of up to rootIndexBlocks blocks from block `from` on, and
// returns the block after the last it read and how many it read.
func indexUserBlocks(ctx context.Context, tx *sql.Tx, from int64, derive func([]byte) string) (next int64, n int, err error) {
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
		if err := indexUserBlock(ctx, tx, f.first, f.minTime, f.data, derive); err != nil {
			return 0, 0, err
		}
	}
	return next, len(blocks), nil
}

// indexUserBlock rewrites one block when it holds events without a user name for which derive
// finds one, and merges their postings.
func indexUserBlock(ctx context.Context, tx *sql.Tx, first, minTime int64, data []byte, derive func([]byte) string) error {
	b, err := parseBlock(nil, first, minTime, data)
	if err != nil {
		return err
	}
	named := map[string]bool{}
	events := make([]*store.StoredEvent, b.len())
	for i := range events {
		e, err := b.event(i)
		if err != nil {
			return err
		}
		if e.UserName == "" {
			if n := derive(e.Body); n != "" {
				e.UserName, named[n] = n, true
			}
		}
		events[i] = &e
	}
	if len(named) == 0 {
		return nil
	}
	packed, _ := encodeBlock(events, minTime, nil, nil)
	if _, err := tx.ExecContext(ctx, `UPDATE event_blocks SET data = ? WHERE block = ?`, packed, first); err != nil {
		return err
	}
	for _, p := range blockPostings(events, func(int) bool { return false }) {
		if p.key.attr != attrUser || !named[p.key.value] {
			continue
		}
		// A row the block already had for the value (an IAM user of that name) is replaced by the
		// merged one; its max_time lies within the block's span.
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_postings WHERE account = ? AND attr = ? AND value = ?
			AND max_time BETWEEN ? AND ? AND block = ?`, []byte(p.key.account), attrUser, []byte(p.key.value),
			minTime, minTime+maxBlockSpan, first); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_recent WHERE block = ? AND account = ? AND attr = ? AND value = ?`,
			first, []byte(p.key.account), attrUser, []byte(p.key.value)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, insertPostingSQL, []byte(p.key.account), attrUser, []byte(p.key.value),
			p.maxTime, first, p.minTime, p.entries()); err != nil {
			return err
		}
	}
	return nil
}

// rootUser is "root" for a body rootBody accepts.
func rootUser(body []byte) string {
	if rootBody(body) {
		return rootUserName
	}
	return ""
}

// sessionUser is the session name of an assumed-role body without a userName, as
// trail.LookupUserName derives it: the part of userIdentity.arn after its last '/'. A body without
// the bytes "type":"AssumedRole" is not parsed.
func sessionUser(body []byte) string {
	return identityName(body, "AssumedRole", sessionName)
}

// identityName is the user name name derives from userIdentity.arn of a body whose
// userIdentity.type is typ and that has no userName; "" for any other body. A body without the
// bytes "type":"TYP" (the recorder writes compact JSON) is not parsed.
func identityName(body []byte, typ string, name func(arn string) string) string {
	if !bytes.Contains(body, []byte(`"type":"`+typ+`"`)) {
		return ""
	}
	var e struct {
		UserIdentity struct {
			Type     string `json:"type"`
			UserName string `json:"userName"`
			ARN      string `json:"arn"`
		} `json:"userIdentity"`
	}
	if json.Unmarshal(body, &e) != nil || e.UserIdentity.Type != typ || e.UserIdentity.UserName != "" {
		return ""
	}
	return name(e.UserIdentity.ARN)
}

// sessionName is the session part of an assumed-role ARN (…:assumed-role/ROLE/SESSION), "" for
// another ARN.
func sessionName(a string) string {
	_, res, ok := strings.Cut(a, ":assumed-role/")
	if !ok {
		return ""
	}
	i := strings.LastIndexByte(res, '/')
	if i < 0 {
		return ""
	}
	return res[i+1:]
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
