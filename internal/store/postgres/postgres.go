// Package postgres implements store.Store on PostgreSQL, for deployments that run several
// rootward processes against one database.
//
// It uses pgxpool, pgx's native pool, rather than database/sql over pgx/v5/stdlib: the native
// interface sends parameters in the binary protocol, caches prepared statements per connection,
// and reports server errors as *pgconn.PgError with the SQLSTATE the retry logic needs. database/sql
// appears only while migrating, because goose takes a *sql.DB; stdlib.OpenDBFromPool lends it
// connections of the same pool.
//
// Update runs at SERIALIZABLE isolation, so a check-then-act in fn (look a name up, then insert
// it; count keys, then add one) behaves as if Updates ran one after another, across processes.
// PostgreSQL enforces that by aborting one of two conflicting transactions with SQLSTATE 40001;
// Update then runs fn again, a bounded number of times with jittered backoff.
// https://www.postgresql.org/docs/current/transaction-iso.html#XACT-SERIALIZABLE
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/internal/changefeed"
	"github.com/rootward/rootward/internal/store/internal/keyrange"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Retry policy for Update. A transaction that lost a serialization conflict or a deadlock runs
// again for as long as its context lives: such a loss is the database asking for exactly that,
// and PostgreSQL chooses whom to abort so that a retry does not fail again on the same conflict
// (the "safe retry" rule of its SSI implementation, src/backend/storage/lmgr/README-SSI in the
// PostgreSQL sources), so retries make progress. Attempt n first waits a
// random time up to min(baseDelay<<n, maxDelay) ("full jitter",
// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/), so writers that
// collided spread out instead of colliding again in step. A context without a deadline (a
// background job) is given maxRetryTime of retries, so that nothing loops for ever.
const (
	baseDelay    = time.Millisecond
	maxDelay     = 100 * time.Millisecond
	maxRetryTime = 30 * time.Second
)

// SQLSTATEs that mean "this transaction lost to a concurrent one; run it again".
// https://www.postgresql.org/docs/current/errcodes-appendix.html
const (
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
)

// DB is a PostgreSQL database holding a store. It is safe for concurrent use.
type DB struct {
	pool    *pgxpool.Pool
	stats   stats
	channel string // the change feed's notification channel
	node    string // this handle's ID in its notifications, to skip its own
	feed    *changefeed.Hub
}

// stats are Update's counters (Stats).
type stats struct {
	committed, conflicts, abandoned atomic.Uint64
}

// Stats counts Update's transactions since Open.
type Stats struct {
	// Committed is the number of Updates committed.
	Committed uint64
	// Conflicts is the number of attempts that lost a serialization conflict or a deadlock to
	// a concurrent transaction and were rolled back (each was run again, or abandoned).
	Conflicts uint64
	// Abandoned is the number of Updates that still conflicted when their context ended or
	// their retry time ran out, and returned the conflict.
	Abandoned uint64
}

// Stats returns Update's counters: how often transactions had to run again shows contention.
func (db *DB) Stats() Stats {
	return Stats{Committed: db.stats.committed.Load(), Conflicts: db.stats.conflicts.Load(), Abandoned: db.stats.abandoned.Load()}
}

var _ store.Store = (*DB)(nil)

// Open connects to the database named by dsn (a postgres:// URL or key=value string, as libpq
// takes) and brings its schema up to date. The objects live in the first schema of the
// connection's search_path, which the DSN can set (...?search_path=rootward).
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the DSN with the password masked on a best-effort basis only,
		// and the wrapped url.Parse error quotes it in full, so neither is passed on.
		return nil, errors.New("postgres: cannot parse the DSN")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	channel, err := channelName(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, err
	}
	db := &DB{pool: pool, channel: channel, node: newNodeID()}
	db.feed = changefeed.New(changeSource{db}, db.listen)
	// The registered kinds' data up to their declarations (store.Migrate), after the schema. Two
	// nodes starting at once may both do it: it is idempotent.
	if err := store.Migrate(ctx, db); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// migrate applies the embedded migrations under a session advisory lock, so one process migrates
// and the others wait for it and then find nothing left to do.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close() // does not close the pool
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithSessionLocker(schemaLocker{}),
		// As on SQLite: a migration numbered below one already applied is applied when it
		// arrives rather than refused (internal/store/sqlite, migrate).
		goose.WithAllowOutofOrder(true),
	)
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// schemaLocker is a goose SessionLocker holding a session advisory lock keyed on the current
// schema. goose's own PostgreSQL locker uses one fixed key per database and polls for it every
// five seconds; keying on the schema lets separate stores in one database (the tests' schemas)
// migrate independently, and the blocking pg_advisory_lock wakes as soon as the holder is done.
// The server releases the lock if the holder's connection dies.
type schemaLocker struct{}

// lockKey is computed by the server so that it names the schema the migrations will write to.
const lockKey = `hashtextextended('rootward migrations ' || coalesce(current_schema(), ''), 0)`

func (schemaLocker) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+lockKey+`)`); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	return nil
}

func (schemaLocker) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	var released bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock(`+lockKey+`)`).Scan(&released); err != nil {
		return fmt.Errorf("migration unlock: %w", err)
	}
	if !released {
		return errors.New("migration unlock: lock was not held")
	}
	return nil
}

// Close closes every connection; it waits for connections in use to be returned.
func (db *DB) Close() error {
	db.feed.Close()
	db.pool.Close()
	return nil
}

// Update runs fn in a SERIALIZABLE transaction; see store.Store. When the transaction loses a
// serialization conflict or a deadlock, at any statement or at commit, fn is run again in a new
// transaction, with jittered exponential backoff, until it commits or ctx ends (see maxRetryTime).
func (db *DB) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	giveUp := time.Now().Add(maxRetryTime)
	if d, ok := ctx.Deadline(); ok {
		giveUp = d
	}
	for attempt := 1; ; attempt++ {
		err, conflict := db.try(ctx, fn)
		if conflict == nil {
			if err == nil {
				db.stats.committed.Add(1)
			}
			return err
		}
		db.stats.conflicts.Add(1)
		wait := rand.N(min(baseDelay<<min(attempt, 30), maxDelay)) + 1
		if time.Now().Add(wait).After(giveUp) {
			db.stats.abandoned.Add(1)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("postgres: transaction still conflicting after %d attempts: %w", attempt, conflict)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			db.stats.abandoned.Add(1)
			return ctx.Err()
		case <-timer.C:
		}
	}
}

// try runs fn in one transaction. conflict is non-nil when the transaction lost to a concurrent
// one and fn should run again; err is what Update returns otherwise.
func (db *DB) try(ctx context.Context, fn func(tx store.Tx) error) (err, conflict error) {
	pgTx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err), nil
	}
	committing := false
	defer func() {
		if !committing {
			// Runs on an error from fn and while a panic in fn unwinds.
			rollback(ctx, pgTx)
		}
	}()
	t := &tx{ctx: ctx, pg: pgTx}
	o := store.Observe(ctx, t)
	if err := fn(o); err != nil {
		// A statement that lost a conflict aborted the transaction, whatever fn then made of
		// its error (returned it, wrapped it, replaced it with an AWS error): run fn again.
		return err, t.conflict
	}
	rows, err := t.recordChanges(db, o.Written())
	if err != nil {
		return err, t.conflict
	}
	committing = true
	if err := pgTx.Commit(ctx); err != nil {
		// SSI often detects the conflict only at commit.
		if isConflict(err) {
			return err, err
		}
		return fmt.Errorf("postgres: commit: %w", err), nil
	}
	db.feed.Local(rows)
	return nil, nil
}

// View runs fn in a READ ONLY, REPEATABLE READ transaction: one snapshot, taken at the first
// statement, for all of fn. It is not SERIALIZABLE because a serializable reader can itself be
// chosen to abort; a snapshot is all View promises.
func (db *DB) View(ctx context.Context, fn func(tx store.Tx) error) error {
	pgTx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer rollback(ctx, pgTx) // nothing to commit
	return fn(store.ObserveReads(ctx, &tx{ctx: ctx, pg: pgTx, readOnly: true}))
}

// rollback ends a transaction even when ctx is already canceled (the connection goes back to the
// pool clean), but does not wait for a dead server for ever.
func rollback(ctx context.Context, pgTx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = pgTx.Rollback(ctx)
}

func isConflict(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == serializationFailure || pgErr.Code == deadlockDetected)
}

// tx implements store.Tx on one PostgreSQL transaction.
type tx struct {
	ctx      context.Context
	pg       pgx.Tx
	readOnly bool
	conflict error // the first statement error that means the transaction must be retried
}

// fail records err for Update's retry decision and wraps it.
func (t *tx) fail(op string, err error) error {
	if t.conflict == nil && isConflict(err) {
		t.conflict = err
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// nonNil makes an empty body read back as an empty, non-nil slice, as on every backend.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func (t *tx) Get(kind, account, key string) ([]byte, error) {
	var body []byte
	err := t.pg.QueryRow(t.ctx,
		`SELECT body FROM objects WHERE kind = $1 AND account = $2 AND key = $3`,
		[]byte(kind), []byte(account), []byte(key)).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, t.fail("get", err)
	}
	return nonNil(body), nil
}

// GetMany reads every key in one query: = ANY of a bytea array is an index lookup per element
// (https://www.postgresql.org/docs/current/functions-comparisons.html#FUNCTIONS-COMPARISONS-ANY-SOME).
func (t *tx) GetMany(kind, account string, keys []string) ([][]byte, error) {
	found := store.NewBodies(keys)
	if len(keys) == 0 {
		return found.Result(), nil
	}
	arg := make([][]byte, len(keys))
	for i, k := range keys {
		arg[i] = []byte(k)
	}
	rows, err := t.pg.Query(t.ctx,
		`SELECT key, body FROM objects WHERE kind = $1 AND account = $2 AND key = ANY($3)`,
		[]byte(kind), []byte(account), arg)
	if err != nil {
		return nil, t.fail("get many", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, body []byte
		if err := rows.Scan(&key, &body); err != nil {
			return nil, t.fail("get many", err)
		}
		found.Found(key, body)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("get many", err)
	}
	return found.Result(), nil
}

func (t *tx) Insert(kind, account, key string, body []byte) error {
	if t.readOnly {
		return store.ErrReadOnly
	}
	// A unique violation would abort the whole transaction; DO NOTHING reports the conflict as
	// zero rows and leaves the transaction usable, so fn can go on after ErrExists.
	tag, err := t.pg.Exec(t.ctx,
		`INSERT INTO objects (kind, account, key, body) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		[]byte(kind), []byte(account), []byte(key), nonNil(body))
	if err != nil {
		return t.fail("insert", err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrExists
	}
	return nil
}

func (t *tx) Put(kind, account, key string, body []byte) error {
	if t.readOnly {
		return store.ErrReadOnly
	}
	_, err := t.pg.Exec(t.ctx,
		`INSERT INTO objects (kind, account, key, body) VALUES ($1, $2, $3, $4)
		 ON CONFLICT (kind, account, key) DO UPDATE SET body = excluded.body`,
		[]byte(kind), []byte(account), []byte(key), nonNil(body))
	if err != nil {
		return t.fail("put", err)
	}
	return nil
}

func (t *tx) Delete(kind, account, key string) error {
	if t.readOnly {
		return store.ErrReadOnly
	}
	tag, err := t.pg.Exec(t.ctx,
		`DELETE FROM objects WHERE kind = $1 AND account = $2 AND key = $3`,
		[]byte(kind), []byte(account), []byte(key))
	if err != nil {
		return t.fail("delete", err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func dollar(n int) string { return fmt.Sprintf("$%d", n) }

func (t *tx) List(kind, account, prefix, after string, limit int) ([]store.Item, error) {
	cond, rangeArgs := keyrange.For(prefix, after).Where("key", 2, dollar)
	args := append([]any{[]byte(kind), []byte(account)}, rangeArgs...)
	var lim *int64 // LIMIT NULL is no limit
	if limit > 0 {
		n := int64(limit)
		lim = &n
	}
	args = append(args, lim)
	rows, err := t.pg.Query(t.ctx,
		`SELECT key, body FROM objects WHERE kind = $1 AND account = $2`+cond+
			` ORDER BY key LIMIT `+dollar(len(args)),
		args...)
	if err != nil {
		return nil, t.fail("list", err)
	}
	defer rows.Close()
	var items []store.Item
	for rows.Next() {
		var key, body []byte
		if err := rows.Scan(&key, &body); err != nil {
			return nil, t.fail("list", err)
		}
		items = append(items, store.Item{Key: string(key), Body: nonNil(body)})
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list", err)
	}
	return items, nil
}

func (t *tx) Count(kind, account, prefix string) (int, error) {
	cond, rangeArgs := keyrange.For(prefix, "").Where("key", 2, dollar)
	var n int64
	err := t.pg.QueryRow(t.ctx,
		`SELECT count(*) FROM objects WHERE kind = $1 AND account = $2`+cond,
		append([]any{[]byte(kind), []byte(account)}, rangeArgs...)...).Scan(&n)
	if err != nil {
		return 0, t.fail("count", err)
	}
	return int(n), nil
}

func (t *tx) Scan(kind string, after *store.Object, limit int) ([]store.Object, error) {
	var rows pgx.Rows
	var err error
	if after == nil {
		rows, err = t.pg.Query(t.ctx,
			`SELECT account, key, body FROM objects WHERE kind = $1 ORDER BY account, key LIMIT $2`,
			[]byte(kind), limit)
	} else {
		rows, err = t.pg.Query(t.ctx,
			`SELECT account, key, body FROM objects WHERE kind = $1 AND (account, key) > ($2, $3)
			ORDER BY account, key LIMIT $4`,
			[]byte(kind), []byte(after.Account), []byte(after.Key), limit)
	}
	if err != nil {
		return nil, t.fail("scan", err)
	}
	defer rows.Close()
	var out []store.Object
	for rows.Next() {
		var account, key, body []byte
		if err := rows.Scan(&account, &key, &body); err != nil {
			return nil, t.fail("scan", err)
		}
		out = append(out, store.Object{Account: string(account), Key: string(key), Body: nonNil(body)})
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("scan", err)
	}
	return out, nil
}
