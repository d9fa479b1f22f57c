-- The trail's own table (store.EventLog): append-only, one row per CloudTrail record. Every index
-- leads with the recipient account and ends with (event_time, seq), so "this account's events
-- with X = ?, newest first" is one index range scan in the order of the page. The columns a lookup
-- compares are bytea, as in the objects table: a request parameter may hold NUL or invalid UTF-8,
-- which text rejects, and a record must never fail to store because of what a client sent.
--
-- Existing records (objects of kind "event", keyed by account and "time/ID") are copied in, in
-- key order, with their columns read from the JSON body, and leave the objects table with their
-- account index (kind "event-account"). The columns are derived as internal/trail derives them
-- (trail.columns); internal/trail's migration test checks the two agree.

-- +goose Up
CREATE TABLE events (
	seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account       bytea       NOT NULL,
	event_time    timestamptz NOT NULL,
	event_id      bytea       NOT NULL UNIQUE,
	event_name    bytea       NOT NULL,
	event_source  bytea       NOT NULL,
	user_name     bytea       NOT NULL,
	access_key_id bytea       NOT NULL,
	resource_type bytea       NOT NULL,
	resource_name bytea       NOT NULL,
	read_only     boolean     NOT NULL,
	body          bytea       NOT NULL
);
CREATE INDEX events_by_time ON events (account, event_time, seq);
CREATE INDEX events_by_name ON events (account, event_name, event_time, seq);
CREATE INDEX events_by_source ON events (account, event_source, event_time, seq);
CREATE INDEX events_by_user ON events (account, user_name, event_time, seq);
CREATE INDEX events_by_key ON events (account, access_key_id, event_time, seq);
CREATE INDEX events_by_resource_type ON events (account, resource_type, event_time, seq);
CREATE INDEX events_by_resource_name ON events (account, resource_name, event_time, seq);
CREATE INDEX events_by_read_only ON events (account, read_only, event_time, seq);
-- Retention deletes the oldest events of every account.
CREATE INDEX events_expiry ON events (event_time, seq);

INSERT INTO events (account, event_time, event_id, event_name, event_source, user_name,
	access_key_id, resource_type, resource_name, read_only, body)
SELECT account, event_time, convert_to(event_id, 'UTF8'), convert_to(event_name, 'UTF8'),
	convert_to(event_source, 'UTF8'), convert_to(user_name, 'UTF8'), convert_to(access_key_id, 'UTF8'),
	convert_to(resource_type, 'UTF8'), convert_to(resource_name, 'UTF8'), read_only, body
FROM (
	SELECT account, key,
		coalesce((j->>'eventTime')::timestamptz, 'epoch') AS event_time,
		coalesce(j->>'eventID', convert_from(key, 'UTF8')) AS event_id,
		coalesce(j->>'eventName', '') AS event_name,
		coalesce(j->>'eventSource', '') AS event_source,
		coalesce(j->'userIdentity'->>'userName', '') AS user_name,
		coalesce(j->'userIdentity'->>'accessKeyId', '') AS access_key_id,
		CASE
			WHEN jsonb_typeof(j->'requestParameters'->'userName') = 'string' AND j->'requestParameters'->>'userName' <> '' THEN 'AWS::IAM::User'
			WHEN jsonb_typeof(j->'requestParameters'->'roleName') = 'string' AND j->'requestParameters'->>'roleName' <> '' THEN 'AWS::IAM::Role'
			WHEN jsonb_typeof(j->'requestParameters'->'groupName') = 'string' AND j->'requestParameters'->>'groupName' <> '' THEN 'AWS::IAM::Group'
			WHEN jsonb_typeof(j->'requestParameters'->'policyArn') = 'string' AND j->'requestParameters'->>'policyArn' <> '' THEN 'AWS::IAM::Policy'
			WHEN jsonb_typeof(j->'requestParameters'->'instanceProfileName') = 'string' AND j->'requestParameters'->>'instanceProfileName' <> '' THEN 'AWS::IAM::InstanceProfile'
			WHEN jsonb_typeof(j->'requestParameters'->'accessKeyId') = 'string' AND j->'requestParameters'->>'accessKeyId' <> '' THEN 'AWS::IAM::AccessKey'
			WHEN jsonb_typeof(j->'requestParameters'->'accountId') = 'string' AND j->'requestParameters'->>'accountId' <> '' THEN 'AWS::Organizations::Account'
			ELSE ''
		END AS resource_type,
		coalesce(
			CASE WHEN jsonb_typeof(j->'requestParameters'->'userName') = 'string' AND j->'requestParameters'->>'userName' <> '' THEN j->'requestParameters'->>'userName' END,
			CASE WHEN jsonb_typeof(j->'requestParameters'->'roleName') = 'string' AND j->'requestParameters'->>'roleName' <> '' THEN j->'requestParameters'->>'roleName' END,
			CASE WHEN jsonb_typeof(j->'requestParameters'->'groupName') = 'string' AND j->'requestParameters'->>'groupName' <> '' THEN j->'requestParameters'->>'groupName' END,
			CASE WHEN jsonb_typeof(j->'requestParameters'->'policyArn') = 'string' AND j->'requestParameters'->>'policyArn' <> '' THEN j->'requestParameters'->>'policyArn' END,
			CASE WHEN jsonb_typeof(j->'requestParameters'->'instanceProfileName') = 'string' AND j->'requestParameters'->>'instanceProfileName' <> '' THEN j->'requestParameters'->>'instanceProfileName' END,
			CASE WHEN jsonb_typeof(j->'requestParameters'->'accessKeyId') = 'string' AND j->'requestParameters'->>'accessKeyId' <> '' THEN j->'requestParameters'->>'accessKeyId' END,
			CASE WHEN jsonb_typeof(j->'requestParameters'->'accountId') = 'string' AND j->'requestParameters'->>'accountId' <> '' THEN j->'requestParameters'->>'accountId' END,
			'') AS resource_name,
		coalesce((j->>'readOnly')::boolean, false) AS read_only,
		body
	-- jsonb refuses the escape \u0000 (a NUL in a request parameter): the columns are read from
	-- the body with U+FFFD in its place, an escape of the same shape, so the JSON stays valid
	-- whatever backslashes precede it; the body itself is copied unchanged.
	FROM (SELECT account, key, body, replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb AS j
		FROM objects WHERE kind = convert_to('event', 'UTF8')) o
) e
ORDER BY account, key
ON CONFLICT (event_id) DO NOTHING;
DELETE FROM objects WHERE kind IN (convert_to('event', 'UTF8'), convert_to('event-account', 'UTF8'));

-- +goose Down
DROP TABLE events;
