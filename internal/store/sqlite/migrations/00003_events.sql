-- The trail's own table (store.EventLog): append-only, one row per CloudTrail record. seq is the
-- rowid, so every index below ends with it implicitly (https://www.sqlite.org/fileformat2.html,
-- section 2.6, "Representation Of SQL Indices": an index entry carries the rowid): an index on
-- (account, X, event_time) serves "this account's events with X = ?, newest first" as one range
-- scan in (event_time, seq) order. event_time is microseconds since the Unix epoch, UTC.
--
-- Existing records (objects of kind "event", keyed by account and "time/ID") are copied in, in
-- key order, with their columns read from the JSON body, and leave the objects table with their
-- account index (kind "event-account"). The columns are derived as internal/trail derives them
-- (trail.columns); internal/trail's migration test checks the two agree.

-- +goose Up
CREATE TABLE events (
	seq           INTEGER PRIMARY KEY,
	account       TEXT    NOT NULL,
	event_time    INTEGER NOT NULL,
	event_id      TEXT    NOT NULL UNIQUE,
	event_name    TEXT    NOT NULL,
	event_source  TEXT    NOT NULL,
	user_name     TEXT    NOT NULL,
	access_key_id TEXT    NOT NULL,
	resource_type TEXT    NOT NULL,
	resource_name TEXT    NOT NULL,
	read_only     INTEGER NOT NULL,
	body          BLOB    NOT NULL
);
CREATE INDEX events_by_time ON events (account, event_time);
CREATE INDEX events_by_name ON events (account, event_name, event_time);
CREATE INDEX events_by_source ON events (account, event_source, event_time);
CREATE INDEX events_by_user ON events (account, user_name, event_time);
CREATE INDEX events_by_key ON events (account, access_key_id, event_time);
CREATE INDEX events_by_resource_type ON events (account, resource_type, event_time);
CREATE INDEX events_by_resource_name ON events (account, resource_name, event_time);
CREATE INDEX events_by_read_only ON events (account, read_only, event_time);
-- Retention deletes the oldest events of every account.
CREATE INDEX events_expiry ON events (event_time);

INSERT OR IGNORE INTO events (account, event_time, event_id, event_name, event_source, user_name,
	access_key_id, resource_type, resource_name, read_only, body)
SELECT account, event_time, event_id, event_name, event_source, user_name, access_key_id,
	resource_type, resource_name, read_only, body
FROM (
	SELECT CAST(account AS TEXT) AS account, key,
		coalesce(unixepoch(json_extract(j, '$.eventTime')), 0) * 1000000 AS event_time,
		coalesce(json_extract(j, '$.eventID'), CAST(key AS TEXT)) AS event_id,
		coalesce(json_extract(j, '$.eventName'), '') AS event_name,
		coalesce(json_extract(j, '$.eventSource'), '') AS event_source,
		coalesce(json_extract(j, '$.userIdentity.userName'), '') AS user_name,
		coalesce(json_extract(j, '$.userIdentity.accessKeyId'), '') AS access_key_id,
		CASE
			WHEN json_type(j, '$.requestParameters.userName') = 'text' AND json_extract(j, '$.requestParameters.userName') <> '' THEN 'AWS::IAM::User'
			WHEN json_type(j, '$.requestParameters.roleName') = 'text' AND json_extract(j, '$.requestParameters.roleName') <> '' THEN 'AWS::IAM::Role'
			WHEN json_type(j, '$.requestParameters.groupName') = 'text' AND json_extract(j, '$.requestParameters.groupName') <> '' THEN 'AWS::IAM::Group'
			WHEN json_type(j, '$.requestParameters.policyArn') = 'text' AND json_extract(j, '$.requestParameters.policyArn') <> '' THEN 'AWS::IAM::Policy'
			WHEN json_type(j, '$.requestParameters.instanceProfileName') = 'text' AND json_extract(j, '$.requestParameters.instanceProfileName') <> '' THEN 'AWS::IAM::InstanceProfile'
			WHEN json_type(j, '$.requestParameters.accessKeyId') = 'text' AND json_extract(j, '$.requestParameters.accessKeyId') <> '' THEN 'AWS::IAM::AccessKey'
			WHEN json_type(j, '$.requestParameters.accountId') = 'text' AND json_extract(j, '$.requestParameters.accountId') <> '' THEN 'AWS::Organizations::Account'
			ELSE ''
		END AS resource_type,
		coalesce(
			CASE WHEN json_type(j, '$.requestParameters.userName') = 'text' AND json_extract(j, '$.requestParameters.userName') <> '' THEN json_extract(j, '$.requestParameters.userName') END,
			CASE WHEN json_type(j, '$.requestParameters.roleName') = 'text' AND json_extract(j, '$.requestParameters.roleName') <> '' THEN json_extract(j, '$.requestParameters.roleName') END,
			CASE WHEN json_type(j, '$.requestParameters.groupName') = 'text' AND json_extract(j, '$.requestParameters.groupName') <> '' THEN json_extract(j, '$.requestParameters.groupName') END,
			CASE WHEN json_type(j, '$.requestParameters.policyArn') = 'text' AND json_extract(j, '$.requestParameters.policyArn') <> '' THEN json_extract(j, '$.requestParameters.policyArn') END,
			CASE WHEN json_type(j, '$.requestParameters.instanceProfileName') = 'text' AND json_extract(j, '$.requestParameters.instanceProfileName') <> '' THEN json_extract(j, '$.requestParameters.instanceProfileName') END,
			CASE WHEN json_type(j, '$.requestParameters.accessKeyId') = 'text' AND json_extract(j, '$.requestParameters.accessKeyId') <> '' THEN json_extract(j, '$.requestParameters.accessKeyId') END,
			CASE WHEN json_type(j, '$.requestParameters.accountId') = 'text' AND json_extract(j, '$.requestParameters.accountId') <> '' THEN json_extract(j, '$.requestParameters.accountId') END,
			'') AS resource_name,
		coalesce(json_extract(j, '$.readOnly'), 0) AS read_only,
		body
	FROM (SELECT account, key, body, CAST(body AS TEXT) AS j FROM objects WHERE kind = CAST('event' AS BLOB))
)
ORDER BY account, key;
DELETE FROM objects WHERE kind IN (CAST('event' AS BLOB), CAST('event-account' AS BLOB));

-- +goose Down
DROP TABLE events;
