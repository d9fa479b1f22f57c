-- The root user's events get the user name "root" in the events table (migration 00003), as the
-- recorder now derives it (trail.LookupUserName): CloudTrail's event history shows the root user's
-- events, privileged root sessions' included, under the user name "root", and LookupEvents by the
-- Username attribute "root" is then one range of events_by_user instead of a scan. Records written
-- before had an empty user name when their userIdentity carried no userName; internal/trail's
-- migration test checks this derivation agrees with the recorder's.
--
-- The body is compact JSON as the recorder wrote it: rows whose body does not hold the bytes
-- "type":"Root" are not parsed. jsonb refuses the escape \u0000, as in 00003.

-- +goose Up
UPDATE events SET user_name = convert_to('root', 'UTF8')
WHERE user_name = ''::bytea
	AND position(convert_to('"type":"Root"', 'UTF8') IN body) > 0
	AND (replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'type') = 'Root';

-- +goose Down
UPDATE events SET user_name = ''::bytea
WHERE user_name = convert_to('root', 'UTF8')
	AND (replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'userName') IS NULL;
