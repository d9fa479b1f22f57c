#!/bin/sh
# Provision a local PostgreSQL for Rootward's storage conformance tests (internal/store/postgres).
#
# Run as root on Debian 12 (a CI container or a developer VM); safe to run again and again. It
# installs PostgreSQL if missing, starts a cluster on 127.0.0.1:5432 without needing systemd, and
# makes role rootward (password rootward) own database rootward_test, so that
#
#   ROOTWARD_TEST_POSTGRES='postgres://rootward:rootward@127.0.0.1:5432/rootward_test?sslmode=disable'
#
# works. It prints nothing unless something fails; then it prints the failing step's output.
set -eu

# quiet runs a command with its output captured, and shows that output only if the command fails,
# so a successful run is silent while a failure still explains itself.
quiet() {
	log=$(mktemp)
	if ! "$@" >"$log" 2>&1; then
		echo "postgres.sh: failed: $*" >&2
		cat "$log" >&2
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
}

# as_postgres runs a command as the postgres superuser from a directory it can read (psql warns
# when it cannot chdir back to root's home).
as_postgres() {
	(cd / && runuser -u postgres -- "$@")
}

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
	export DEBIAN_FRONTEND=noninteractive
	quiet apt-get update
	quiet apt-get install -y --no-install-recommends postgresql
fi

# The newest installed major version; Debian 12 ships 15.
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)

# The Debian package creates cluster "main" on install, but a container image may have been built
# with cluster creation disabled (create_main_cluster = false) or had it removed.
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
	quiet pg_createcluster --port 5432 "$version" main
fi

# pg_ctlcluster calls systemctl when systemd is running and pg_ctl directly otherwise, so this
# works in containers. It waits until the server accepts connections.
if ! pg_ctlcluster "$version" main status >/dev/null 2>&1; then
	quiet pg_ctlcluster "$version" main start
fi
quiet pg_isready -q -h 127.0.0.1 -p 5432 -t 30

# Role and database. CREATE DATABASE cannot run inside a DO block, hence \gexec; ALTER ROLE resets
# the password on every run so a changed password does not survive a re-run.
quiet as_postgres psql -X -q -v ON_ERROR_STOP=1 -p 5432 <<'SQL'
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rootward') THEN
		CREATE ROLE rootward LOGIN PASSWORD 'rootward';
	ELSE
		ALTER ROLE rootward LOGIN PASSWORD 'rootward';
	END IF;
END
$$;
SELECT 'CREATE DATABASE rootward_test OWNER rootward'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'rootward_test') \gexec
SQL
