-- The change feed (store.Feed): one row per object a committed Update wrote, inserted in the same
-- transaction, which also sends a notification (pg_notify, delivered at commit) to the nodes
-- LISTENing. Nodes also poll the table, and prune rows older than a few minutes. Inserts take
-- their number from the sequence and never conflict with each other, and no write transaction
-- reads the table, so it adds no serialization conflict between writers.
--
-- The columns are bytea for the reasons given in 00001_objects.sql.

-- +goose Up
CREATE TABLE changes (
	seq     bigserial PRIMARY KEY,
	at      timestamptz NOT NULL DEFAULT now(),
	kind    bytea NOT NULL,
	account bytea NOT NULL,
	key     bytea NOT NULL
);

-- The per-account generation rows ("meta", account, "generation") that every IAM write used to
-- rewrite, and caches read, before the change feed replaced them: nothing reads them any more.
DELETE FROM objects WHERE kind = 'meta'::bytea AND key = 'generation'::bytea;

-- +goose Down
DROP TABLE changes;
