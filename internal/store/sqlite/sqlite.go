// Package sqlite implements store.Store on SQLite, through modernc.org/sqlite: a translation of
// SQLite's C source to Go, so the rootward binary needs no cgo and cross-compiles.
//
// One process-wide writer and a pool of readers: Update runs on a single connection, so writers
// of one process queue in Go instead of contending for SQLite's write lock, and begins with
// BEGIN IMMEDIATE, so writers of different processes queue on that lock (under busy_timeout)
// before reading anything. Writers are therefore serialized, which makes every Update
// serializable and means no Update is ever retried. View runs on read-only connections that, in
// WAL mode, read a stable snapshot while a writer commits.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/pressly/goose/v3"
	// The driver registers itself as "sqlite".
	_ "modernc.org/sqlite"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/internal/changefeed"
	"github.com/rootward/rootward/internal/store/internal/keyrange"
)

//go:embed migrations/*.sql
var migrations embed.FS

// busyTimeoutMS is how long a connection waits for a lock held by another process (another
// rootward writer, or a reader running WAL recovery) before failing with SQLITE_BUSY. Long enough
// for any Update to finish; the wait ends early if the Update's context is canceled.
const busyTimeoutMS = "10000"

// DB is a SQLite database holding a store. It is safe for concurrent use.
type DB struct {
	write *sql.DB // exactly one connection: this process's only writer
	read  *sql.DB // query_only connections for View

	// Every statement a transaction runs, prepared once at Open, by SQL text; read-only after
	// Open. Parsing a statement costs about as much as running a point lookup.
	writeStmts, readStmts map[string]*sql.Stmt

	feed *changefeed.Hub

	// The event log's segments and the events not yet indexed (eventtail.go).
	tail *eventTail
}

var _ store.Store = (*DB)(nil)

// Open opens (creating if needed) the SQLite database file at path and brings its schema up to
// date. Open does not read the objects, so its cost does not grow with the database.
//
// SQLite itself creates path-wal and path-shm beside the file; Open adds path-open.lock, a lock
// file that keeps two processes from setting up (journal mode, migrations) the same file at once,
// and the directory path-trail, which holds the trail's segment files (events.go) and its rings' ID
// and the directories they were made in (ring.go). All are readable and writable by their owner only (see private).
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}

	// Opening is serialized between processes from the first connection on, not only around
	// the migrations: switching a new file to WAL needs exclusive access, and SQLite answers
	// SQLITE_BUSY at once (without the busy handler) when another process is doing the same.
	unlock, err := lockFile(abs + "-open.lock")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer unlock()
	if err := private(abs); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}

	write, err := sql.Open("sqlite", fileURI(abs, url.Values{
		// Wait for another process's lock instead of failing at once. The driver applies it
		// before the other PRAGMAs, which may themselves need a lock.
		"_busy_timeout": {busyTimeoutMS},
		// Write-ahead logging: readers do not block the writer nor the writer readers, and a
		// reader keeps its snapshot while the writer commits, which View relies on. The mode
		// is stored in the file, so read connections inherit it.
		// https://www.sqlite.org/wal.html
		"_journal_mode": {"WAL"},
		// In WAL mode NORMAL syncs only at checkpoints, so a power failure can lose the last
		// commits; FULL syncs the WAL at every commit, so a call that returned success (a new
		// access key, a deleted user) stays done. https://www.sqlite.org/pragma.html#pragma_synchronous
		"_synchronous": {"FULL"},
		// BEGIN IMMEDIATE takes the write lock when Update starts. A deferred transaction that
		// reads and then writes fails with SQLITE_BUSY_SNAPSHOT if another process committed
		// meanwhile, and busy_timeout cannot help it; an immediate one waits its turn instead.
		// https://www.sqlite.org/lang_transaction.html#deferred_immediate_and_exclusive_transactions
		"_txlock": {"immediate"},
		// foreign_keys is left off: the schema has no foreign keys.
	}))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	// One connection serializes this process's writers in Go; see the package comment.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)

	if err := migrate(write); err != nil {
		_ = write.Close()
		return nil, err
	}

	read, err := sql.Open("sqlite", fileURI(abs, url.Values{
		"_busy_timeout": {busyTimeoutMS},
		// The database refuses writes on these connections, a second guard behind
		// store.ErrReadOnly. https://www.sqlite.org/pragma.html#pragma_query_only
		"_query_only": {"1"},
	}))
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	readers := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)

	db := &DB{write: write, read: read}
	db.feed = changefeed.New(changeSource{db}, nil)
	if db.writeStmts, err = prepare(write, append(statements(), writeEventStatements()...)); err == nil {
		db.readStmts, err = prepare(read, append(statements(), readEventStatements()...))
	}
	if err == nil {
		err = moveLegacyEvents(context.Background(), db)
	}
	if err == nil {
		err = indexRootEvents(context.Background(), db)
	}
	if err == nil {
		err = indexSessionEvents(context.Background(), db)
	}
	if err == nil {
		err = indexFederatedEvents(context.Background(), db)
	}
	if err == nil {
		db.tail, err = openTail(context.Background(), db, abs+"-trail")
	}
	if err == nil {
		// The registered kinds' data up to their declarations (store.Migrate), after the schema.
		err = store.Migrate(context.Background(), db)
	}
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// The statements of a transaction. List and Count add a key range condition (keyrange.Where).
const (
	getSQL    = `SELECT body FROM objects WHERE kind = ? AND account = ? AND key = ?`
	insertSQL = `INSERT INTO objects (kind, account, key, body) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`
	putSQL    = `INSERT INTO objects (kind, account, key, body) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, account, key) DO UPDATE SET body = excluded.body`
	deleteSQL = `DELETE FROM objects WHERE kind = ? AND account = ? AND key = ?`
)

// getManySQL reads the objects of n keys (n of maxGetMany's powers of two: each size is prepared
// once at Open; a batch of another size repeats its last key up to the next one, which IN ignores).
// An IN list of bound parameters is a point lookup per distinct key in the primary key's index
// (https://www.sqlite.org/optoverview.html#the_in_operator).
func getManySQL(n int) string {
	return `SELECT key, body FROM objects WHERE kind = ? AND account = ? AND key IN (?` +
		strings.Repeat(", ?", n-1) + `)`
}

// maxGetMany is the most keys one GetMany query binds; a longer GetMany runs one query per
// maxGetMany keys. A power of two, well under SQLite's limit of bound parameters.
const maxGetMany = 256

func listSQL(cond string) string {
	return `SELECT key, body FROM objects WHERE kind = ? AND account = ?` + cond + ` ORDER BY key LIMIT ?`
}

func countSQL(cond string) string {
	return `SELECT count(*) FROM objects WHERE kind = ? AND account = ?` + cond
}

// statements returns the text of every statement a transaction can run, so that Open can
// prepare them all: database/sql can only prepare on a pool, which inside an Update would wait
// for the writer connection the Update holds.
func statements() []string {
	stmts := []string{getSQL, insertSQL, putSQL, deleteSQL, scanFirstSQL, scanNextSQL,
		insertChangeSQL, maxChangeSQL, readChangesSQL, pruneChangesSQL}
	for n := 1; n <= maxGetMany; n *= 2 {
		stmts = append(stmts, getManySQL(n))
	}
	// Ranges of every shape keyrange.For produces: no bound, prefix, cursor, cursor within a
	// prefix, prefix without an upper bound.
	for _, r := range []keyrange.Range{
		keyrange.For("", ""), keyrange.For("a", ""), keyrange.For("", "a"),
		keyrange.For("a", "ab"), keyrange.For("\xff", ""),
	} {
		cond, _ := r.Where("key", 2, question)
		stmts = append(stmts, listSQL(cond), countSQL(cond))
	}
	return stmts
}

func prepare(db *sql.DB, queries []string) (map[string]*sql.Stmt, error) {
	stmts := make(map[string]*sql.Stmt, len(queries))
	for _, q := range queries {
		s, err := db.Prepare(q)
		if err != nil {
			return nil, fmt.Errorf("sqlite: prepare: %w", err)
		}
		stmts[q] = s
	}
	return stmts, nil
}

// private creates the database file with mode 0600 if it does not exist, and takes group and
// other permissions away from it and from its -wal and -shm files if they exist. The database holds
// sealed secrets and password hashes, and SQLite would otherwise create it 0644 (less the umask).
// SQLite gives the -wal and -shm files it creates the permissions of the database file, whatever
// the umask (os_unix.c: findCreateFileMode for the WAL, unixOpenSharedMemory for the shared-memory
// file, both passing the database's st_mode to robust_open, which fchmods a new file to it), so a
// 0600 database makes all three 0600. https://www.sqlite.org/src/file?name=src/os_unix.c
func private(abs string) error {
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	err = restrict(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	for _, side := range []string{abs + "-wal", abs + "-shm"} {
		f, err := os.Open(side)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		err = restrict(f)
		_ = f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// restrict clears the group and other permission bits of an open file.
func restrict(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return f.Chmod(perm &^ 0o077)
	}
	return nil
}

// fileURI returns the SQLite URI for an absolute path. The path is percent-encoded: the driver
// splits its parameters off at the first '?', and SQLite decodes %XX in URI file names.
// https://www.sqlite.org/uri.html
func fileURI(abs string, params url.Values) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive path, C:/x, becomes file:///C:/x
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: params.Encode()}
	return u.String()
}

// migrate applies the embedded migrations. Open holds the lock file meanwhile, so one process
// migrates and any other waits for it and then finds nothing left to do. goose has no locker for
// SQLite, and no lock inside the database would do: a migration runs on the writer connection,
// which a lock taken on another connection of the same file would block.
func migrate(db *sql.DB) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		// A database migrated by a build that had a later migration but not an earlier one (two
		// branches adding 00002 and 00003 at once) gets the earlier one when it arrives, instead
		// of refusing to open. Rootward's migrations touch separate tables, so their order
		// between themselves does not matter.
		goose.WithAllowOutofOrder(true),
	)
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	if _, err := p.Up(context.Background()); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// Close closes the database. Transactions still running fail.
func (db *DB) Close() error {
	db.feed.Close()
	var terr error
	if db.tail != nil {
		terr = db.tail.close()
	}
	return errors.Join(terr, db.read.Close(), db.write.Close())
}

// Update runs fn in a write transaction; see store.Store. It is never retried: writers are
// serialized before they read anything, so no conflict can arise.
func (db *DB) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			// Runs on an error from fn and also while a panic in fn unwinds, so the writer
			// connection is released before the panic goes on.
			_ = sqlTx.Rollback()
		}
	}()
	t := &tx{ctx: ctx, sql: sqlTx, stmts: db.writeStmts}
	o := store.Observe(ctx, t)
	if err := fn(o); err != nil {
		return err
	}
	rows, err := t.recordChanges(o.Written())
	if err != nil {
		return err
	}
	done = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	db.feed.Local(rows)
	return nil
}

// View runs fn in a read transaction; see store.Store. In WAL mode the snapshot is taken at the
// first read and kept until the end.
func (db *DB) View(ctx context.Context, fn func(tx store.Tx) error) error {
	sqlTx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	// Nothing to commit: a read transaction ends the same way either way.
	defer func() { _ = sqlTx.Rollback() }()
	return fn(store.ObserveReads(ctx, &tx{ctx: ctx, sql: sqlTx, stmts: db.readStmts, readOnly: true}))
}

// tx implements store.Tx on one SQLite transaction.
type tx struct {
	ctx      context.Context
	sql      *sql.Tx
	stmts    map[string]*sql.Stmt
	readOnly bool
}

// stmt returns the prepared statement for q bound to the transaction, or nil if q was not
// prepared (then the caller runs q unprepared: slower, equally correct). database/sql reuses the
// statement already prepared on the transaction's connection, or prepares it there once.
func (t *tx) stmt(q string) *sql.Stmt {
	if s := t.stmts[q]; s != nil {
		return t.sql.StmtContext(t.ctx, s)
	}
	return nil
}

func (t *tx) query(q string, args ...any) (*sql.Rows, error) {
	if s := t.stmt(q); s != nil {
		return s.QueryContext(t.ctx, args...)
	}
	return t.sql.QueryContext(t.ctx, q, args...)
}

func (t *tx) queryRow(q string, args ...any) *sql.Row {
	if s := t.stmt(q); s != nil {
		return s.QueryRowContext(t.ctx, args...)
	}
	return t.sql.QueryRowContext(t.ctx, q, args...)
}

func (t *tx) exec(q string, args ...any) (sql.Result, error) {
	if s := t.stmt(q); s != nil {
		return s.ExecContext(t.ctx, args...)
	}
	return t.sql.ExecContext(t.ctx, q, args...)
}

// blob converts a string to a non-nil []byte: database/sql binds a nil slice as NULL, which
// would break the NOT NULL columns and never compare equal, while every key compares as a BLOB.
func blob(s string) []byte {
	if s == "" {
		return []byte{}
	}
	return []byte(s)
}

// nonNil makes an empty body read back as an empty, non-nil slice (the driver scans a
// zero-length BLOB as nil), so both backends return the same thing.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func (t *tx) Get(kind, account, key string) ([]byte, error) {
	var body []byte
	err := t.queryRow(getSQL, blob(kind), blob(account), blob(key)).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get: %w", err)
	}
	return nonNil(body), nil
}

func (t *tx) GetMany(kind, account string, keys []string) ([][]byte, error) {
	found := store.NewBodies(keys)
	for start := 0; start < len(keys); start += maxGetMany {
		if err := t.getMany(kind, account, keys[start:min(start+maxGetMany, len(keys))], found); err != nil {
			return nil, err
		}
	}
	return found.Result(), nil
}

// getMany reads the objects of keys (1 to maxGetMany of them) into found.
func (t *tx) getMany(kind, account string, keys []string, found *store.Bodies) error {
	n := 1
	for n < len(keys) {
		n *= 2
	}
	args := make([]any, 2, 2+n)
	args[0], args[1] = blob(kind), blob(account)
	for i := range n {
		args = append(args, blob(keys[min(i, len(keys)-1)]))
	}
	rows, err := t.query(getManySQL(n), args...)
	if err != nil {
		return fmt.Errorf("sqlite: get many: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, body []byte
		if err := rows.Scan(&key, &body); err != nil {
			return fmt.Errorf("sqlite: get many: %w", err)
		}
		found.Found(key, body)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: get many: %w", err)
	}
	return nil
}

func (t *tx) Insert(kind, account, key string, body []byte) error {
	if t.readOnly {
		return store.ErrReadOnly
	}
	// DO NOTHING rather than a failing INSERT: the caller learns about the conflict from the
	// row count, and no error statement is left in the transaction's history.
	res, err := t.exec(insertSQL, blob(kind), blob(account), blob(key), nonNil(body))
	if err != nil {
		return fmt.Errorf("sqlite: insert: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: insert: %w", err)
	}
	if n == 0 {
		return store.ErrExists
	}
	return nil
}

func (t *tx) Put(kind, account, key string, body []byte) error {
	if t.readOnly {
		return store.ErrReadOnly
	}
	_, err := t.exec(putSQL, blob(kind), blob(account), blob(key), nonNil(body))
	if err != nil {
		return fmt.Errorf("sqlite: put: %w", err)
	}
	return nil
}

func (t *tx) Delete(kind, account, key string) error {
	if t.readOnly {
		return store.ErrReadOnly
	}
	res, err := t.exec(deleteSQL, blob(kind), blob(account), blob(key))
	if err != nil {
		return fmt.Errorf("sqlite: delete: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: delete: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func question(int) string { return "?" }

func (t *tx) List(kind, account, prefix, after string, limit int) ([]store.Item, error) {
	cond, rangeArgs := keyrange.For(prefix, after).Where("key", 2, question)
	if limit <= 0 {
		limit = -1 // SQLite: a negative LIMIT means none
	}
	args := append([]any{blob(kind), blob(account)}, rangeArgs...)
	args = append(args, limit)
	rows, err := t.query(listSQL(cond), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list: %w", err)
	}
	defer rows.Close()
	var items []store.Item
	for rows.Next() {
		var key, body []byte
		if err := rows.Scan(&key, &body); err != nil {
			return nil, fmt.Errorf("sqlite: list: %w", err)
		}
		items = append(items, store.Item{Key: string(key), Body: nonNil(body)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list: %w", err)
	}
	return items, nil
}

func (t *tx) Count(kind, account, prefix string) (int, error) {
	cond, rangeArgs := keyrange.For(prefix, "").Where("key", 2, question)
	var n int
	err := t.queryRow(countSQL(cond), append([]any{blob(kind), blob(account)}, rangeArgs...)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: count: %w", err)
	}
	return n, nil
}

const (
	scanFirstSQL = `SELECT account, key, body FROM objects WHERE kind = ? ORDER BY account, key LIMIT ?`
	scanNextSQL  = `SELECT account, key, body FROM objects WHERE kind = ? AND (account, key) > (?, ?)
		ORDER BY account, key LIMIT ?`
)

func (t *tx) Scan(kind string, after *store.Object, limit int) ([]store.Object, error) {
	var rows *sql.Rows
	var err error
	if after == nil {
		rows, err = t.query(scanFirstSQL, blob(kind), limit)
	} else {
		rows, err = t.query(scanNextSQL, blob(kind), blob(after.Account), blob(after.Key), limit)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: scan: %w", err)
	}
	defer rows.Close()
	var out []store.Object
	for rows.Next() {
		var account, key, body []byte
		if err := rows.Scan(&account, &key, &body); err != nil {
			return nil, fmt.Errorf("sqlite: scan: %w", err)
		}
		out = append(out, store.Object{Account: string(account), Key: string(key), Body: nonNil(body)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: scan: %w", err)
	}
	return out, nil
}
