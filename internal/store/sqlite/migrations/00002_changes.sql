-- The change feed (store.Feed): one row per object a committed Update wrote, in the same
-- transaction, read by every process that caches on this file (a serve process learns of a CLI
-- command's writes by polling it) and pruned after a few minutes. AUTOINCREMENT, not a plain
-- rowid: numbers are never reused, also after pruning has emptied the table, so a reader that has
-- seen number n can always ask for what came after it (https://www.sqlite.org/autoinc.html).

-- +goose Up
CREATE TABLE changes (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	at      INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
	kind    BLOB NOT NULL,
	account BLOB NOT NULL,
	key     BLOB NOT NULL
);

-- The per-account generation rows ("meta", account, "generation") that every IAM write used to
-- rewrite, and caches read, before the change feed replaced them: nothing reads them any more.
DELETE FROM objects WHERE kind = X'6d657461' AND key = X'67656e65726174696f6e';

-- +goose Down
DROP TABLE changes;
