-- The events of assumed-role sessions get their session's name as user name, as the recorder now
-- derives it (trail.LookupUserName): CloudTrail's event history shows a role session's events
-- under the session's name (the last part of userIdentity.arn,
-- arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), and LookupEvents by the Username attribute is
-- one range of events_by_user. Records written before had an empty user name; internal/store/sqlite
-- (indexSessionEvents) derives the same.
--
-- The body is compact JSON as the recorder wrote it: rows whose body does not hold the bytes
-- "type":"AssumedRole" are not parsed. jsonb refuses the escape \u0000, as in 00003.

-- +goose Up
UPDATE events SET user_name = convert_to(substring(
		(replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'arn')
		FROM ':assumed-role/.*/([^/]+)$'), 'UTF8')
WHERE user_name = ''::bytea
	AND position(convert_to('"type":"AssumedRole"', 'UTF8') IN body) > 0
	AND (replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'type') = 'AssumedRole'
	AND (replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'userName') IS NULL
	AND (replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'arn') ~ ':assumed-role/.*/[^/]+$';

-- +goose Down
UPDATE events SET user_name = ''::bytea
WHERE position(convert_to('"type":"AssumedRole"', 'UTF8') IN body) > 0
	AND (replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'type') = 'AssumedRole'
	AND (replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'userName') IS NULL;
