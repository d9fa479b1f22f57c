-- The one table of objects. An ordinary rowid table, not WITHOUT ROWID: SQLite recommends
-- WITHOUT ROWID only for rows smaller than about a twentieth of a page
-- (https://www.sqlite.org/withoutrowid.html, section 4), and bodies (policy documents, events)
-- are usually larger. The primary key's index holds (kind, account, key), so Count and the key
-- range of List are answered from the index alone.
--
-- BLOB columns compare with memcmp (https://www.sqlite.org/datatype3.html, section 4.1): the
-- bytewise order the store promises, for any bytes, with no collation involved. Every value is
-- bound as a Go []byte so no TEXT value (which sorts before every BLOB) can slip in.

-- +goose Up
CREATE TABLE objects (
	kind    BLOB NOT NULL,
	account BLOB NOT NULL,
	key     BLOB NOT NULL,
	body    BLOB NOT NULL,
	PRIMARY KEY (kind, account, key)
);

-- +goose Down
DROP TABLE objects;
