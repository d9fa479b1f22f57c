-- The one table of objects. Every column is bytea: bytea compares bytewise (memcmp, then length),
-- the order the store promises, with no collation to configure, and it holds any bytes, where
-- text rejects NUL and invalid UTF-8 (https://www.postgresql.org/docs/current/datatype-binary.html).
-- A text column with COLLATE "C" would order the same but could not store every key.
--
-- The primary key's B-tree serves Get, and List and Count as index range scans. Its entries are
-- limited to about a third of a page (2704 bytes with 8 kB pages), which bounds the length of
-- kind + account + key; the store's users keep keys to names and ARNs, well under that.

-- +goose Up
CREATE TABLE objects (
	kind    bytea NOT NULL,
	account bytea NOT NULL,
	key     bytea NOT NULL,
	body    bytea NOT NULL,
	PRIMARY KEY (kind, account, key)
);

-- +goose Down
DROP TABLE objects;
