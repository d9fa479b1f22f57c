-- The trail's event log in blocks (store.EventLog; internal/store/sqlite/events.go and
-- eventblock.go). Recording cost is per B-tree insert, so a committed batch writes one block row
-- holding up to 64 events and one posting row per distinct (account, attribute, value) of the
-- block, instead of one row and nine index entries per event.
--
-- event_blocks: block is the seq of its first event (event i has seq block + i); times are
-- microseconds since the Unix epoch, UTC; id_lo and id_hi, when set, bound the IDs of a block
-- whose IDs increase (UUIDv7 minted in order by the recorder), and ranges of different blocks
-- never overlap, so an ID is found by reading one block. Events with other IDs have a posting of
-- attribute 8 (account '') instead.
--
-- event_postings: "this account's events with attribute = value, newest first" is one range of
-- the primary key; entries packs (index in the block, time - min_time) of the block's matching
-- events.
--
-- event_recent: the postings of the newest blocks (at most recentSeqs events), keyed by block first,
-- so that a batch appends its posting rows at the right edge of one B-tree (a page or two) instead
-- of one page per distinct value; when it holds recentSeqs events or more, an append moves them all
-- into event_postings in key order, one page per distinct value for many batches. Lookups read
-- both (event_recent whole: it is small). ID postings go straight to event_postings.
--
-- event_meta: expired_before, the retention cutoff: events before it are hidden from reads while
-- the block that holds them waits for all of its events to pass it.
--
-- Rows of the events table (migration 00003) move into blocks when the store opens
-- (moveLegacyEvents), in bounded transactions, keeping their seqs; the table is then dropped.

-- +goose Up
CREATE TABLE event_blocks (
	block    INTEGER PRIMARY KEY,
	min_time INTEGER NOT NULL,
	max_time INTEGER NOT NULL,
	count    INTEGER NOT NULL,
	id_lo    TEXT,
	id_hi    TEXT,
	data     BLOB    NOT NULL
);
-- Retention and ScanEvents read blocks in max_time order.
CREATE INDEX event_blocks_by_time ON event_blocks (max_time);
CREATE INDEX event_blocks_by_id ON event_blocks (id_lo) WHERE id_lo IS NOT NULL;
CREATE TABLE event_postings (
	account  BLOB    NOT NULL,
	attr     INTEGER NOT NULL,
	value    BLOB    NOT NULL,
	max_time INTEGER NOT NULL,
	block    INTEGER NOT NULL,
	min_time INTEGER NOT NULL,
	entries  BLOB    NOT NULL,
	PRIMARY KEY (account, attr, value, max_time, block)
) WITHOUT ROWID;
CREATE TABLE event_recent (
	block    INTEGER NOT NULL,
	account  BLOB    NOT NULL,
	attr     INTEGER NOT NULL,
	value    BLOB    NOT NULL,
	max_time INTEGER NOT NULL,
	min_time INTEGER NOT NULL,
	entries  BLOB    NOT NULL,
	PRIMARY KEY (block, account, attr, value)
) WITHOUT ROWID;
CREATE TABLE event_meta (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE event_meta;
DROP TABLE event_recent;
DROP TABLE event_postings;
DROP TABLE event_blocks;
