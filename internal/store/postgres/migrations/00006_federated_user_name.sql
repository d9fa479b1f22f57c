-- The events of federated users (GetFederationToken sessions) get the federated user's name as
-- user name, as the recorder now derives it (trail.LookupUserName: the last part of
-- userIdentity.arn, arn:aws:sts::ACCOUNT:federated-user/NAME), so that LookupEvents by the
-- Username attribute is one range of events_by_user, as 00005 did for role sessions. Records
-- written before had an empty user name; internal/store/sqlite (indexFederatedEvents) derives the
-- same.
--
-- The body is compact JSON as the recorder wrote it: rows whose body does not hold the bytes
-- "type":"FederatedUser" are not parsed. jsonb refuses the escape \u0000, as in 00003.

-- +goose Up
UPDATE events SET user_name = convert_to(substring(
		(replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'arn')
		FROM ':federated-user/(.+)$'), 'UTF8')
WHERE user_name = ''::bytea
	AND position(convert_to('"type":"FederatedUser"', 'UTF8') IN body) > 0
	AND (replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'type') = 'FederatedUser'
	AND (replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'userName') IS NULL
	AND (replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'arn') ~ ':federated-user/.+$';

-- +goose Down
UPDATE events SET user_name = ''::bytea
WHERE position(convert_to('"type":"FederatedUser"', 'UTF8') IN body) > 0
	AND (replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'type') = 'FederatedUser'
	AND (replace(convert_from(body, 'UTF8'), '\u0000', '\ufffd')::jsonb -> 'userIdentity' ->> 'userName') IS NULL;
