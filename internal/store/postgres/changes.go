package postgres

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/internal/changefeed"
)

// The change feed on PostgreSQL. An Update that wrote something adds a row per object to the
// changes table and sends a notification, both in the transaction, so both exist exactly when it
// commits (PostgreSQL delivers a transaction's notifications at commit, and drops them at
// rollback: https://www.postgresql.org/docs/current/sql-notify.html). The notification carries the
// rows themselves when they fit the 8000-byte payload, so that a listening node needs no query to
// act on it; a larger one carries none, and the listener reads the table instead. Each node
// LISTENs on a connection of its own and also polls the table (changefeed), which catches what a
// lost connection missed.

// notifyBudget bounds the rows' part of a payload (hex doubles every byte; about 24 bytes of
// sequence number and separators per row), under PostgreSQL's 8000-byte limit.
const notifyBudget = 7800

// recordChangesSQL inserts the rows and sends the notification in one round trip. The payload is
// the sending node's ID, then one line per row: seq, kind, account and key in hex (keys may hold
// any bytes, a payload only text).
const recordChangesSQL = `WITH ins AS (
	INSERT INTO changes (kind, account, key)
	SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::bytea[])
	RETURNING seq, kind, account, key
), msg AS (
	SELECT pg_notify($4, $5 || E'\n' ||
		CASE WHEN sum(2 * (octet_length(kind) + octet_length(account) + octet_length(key)) + 24) <= $6
		THEN string_agg(seq || ' ' || encode(kind, 'hex') || ' ' || encode(account, 'hex') || ' ' || encode(key, 'hex'), E'\n' ORDER BY seq)
		ELSE '' END) AS sent
	FROM ins
)
SELECT ins.seq, ins.kind, ins.account, ins.key FROM ins, msg`

// Changes implements store.Store.
func (db *DB) Changes() store.Feed { return db.feed }

// channelName is the notification channel of the store in the connection's schema: the tests'
// stores share one database in schemas of their own, and notifications are per database.
func channelName(ctx context.Context, pool *pgxpool.Pool) (string, error) {
	var schema *string
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return "", fmt.Errorf("postgres: %w", err)
	}
	if schema == nil {
		return "", errors.New("postgres: no schema in the search_path")
	}
	h := fnv.New64a()
	h.Write([]byte(*schema))
	return fmt.Sprintf("rootward_changes_%016x", h.Sum64()), nil
}

func newNodeID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// recordChanges adds the rows of written to the changes table and notifies the other nodes.
func (t *tx) recordChanges(db *DB, written []store.Change) ([]changefeed.Row, error) {
	if len(written) == 0 {
		return nil, nil
	}
	kinds, accounts, keys := make([][]byte, len(written)), make([][]byte, len(written)), make([][]byte, len(written))
	for i, c := range written {
		kinds[i], accounts[i], keys[i] = []byte(c.Kind), []byte(c.Account), []byte(c.Key)
	}
	rs, err := t.pg.Query(t.ctx, recordChangesSQL, kinds, accounts, keys, db.channel, db.node, notifyBudget)
	if err != nil {
		return nil, t.fail("recording changes", err)
	}
	rows, err := changefeed.ScanRows(rs)
	if err != nil {
		return nil, t.fail("recording changes", err)
	}
	return rows, nil
}

// changeSource is the changes table for changefeed, read outside any transaction of the store.
type changeSource struct{ db *DB }

func (s changeSource) Max(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&n)
	return n, err
}

func (s changeSource) Read(ctx context.Context, after int64, holes []int64, limit int) ([]changefeed.Row, error) {
	if holes == nil {
		holes = []int64{}
	}
	rs, err := s.db.pool.Query(ctx,
		`SELECT seq, kind, account, key FROM changes WHERE seq > $1 OR seq = ANY($2::bigint[]) ORDER BY seq LIMIT $3`,
		after, holes, limit)
	if err != nil {
		return nil, err
	}
	return changefeed.ScanRows(rs)
}

func (s changeSource) Prune(ctx context.Context, upTo int64, limit int) (int, error) {
	tag, err := s.db.pool.Exec(ctx,
		`DELETE FROM changes WHERE seq IN (SELECT seq FROM changes WHERE seq <= $1 ORDER BY seq LIMIT $2)`,
		upTo, limit)
	return int(tag.RowsAffected()), err
}

// listen holds a connection of its own LISTENing on the store's channel and hands the hub what
// other nodes report, until ctx ends or the connection fails.
func (db *DB) listen(ctx context.Context, h *changefeed.Hub) error {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{db.channel}.Sanitize()); err != nil {
		return err
	}
	// Whatever committed while no connection listened is in the table.
	h.Poke()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		node, body, _ := strings.Cut(n.Payload, "\n")
		if node == db.node {
			continue // this node's own: the hub had them at commit
		}
		rows, ok := parsePayload(body)
		if !ok {
			h.Poke()
			continue
		}
		h.Remote(rows)
	}
}

// parsePayload reads the rows of a notification; ok is false when it carries none (too many to
// fit) or cannot be read, and the table must be read instead.
func parsePayload(body string) (rows []changefeed.Row, ok bool) {
	if body == "" {
		return nil, false
	}
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 0, len(body)+1), len(body)+1)
	for sc.Scan() {
		f := strings.Split(sc.Text(), " ")
		if len(f) != 4 {
			return nil, false
		}
		seq, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return nil, false
		}
		var parts [3]string
		for i, x := range f[1:] {
			b, err := hex.DecodeString(x)
			if err != nil {
				return nil, false
			}
			parts[i] = string(b)
		}
		rows = append(rows, changefeed.Row{Seq: seq, Change: store.Change{Kind: parts[0], Account: parts[1], Key: parts[2]}})
	}
	return rows, sc.Err() == nil
}
