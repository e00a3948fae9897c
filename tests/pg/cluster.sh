#!/bin/sh
# tests/pg/cluster.sh COMMAND...: run COMMAND with a throwaway PostgreSQL
# cluster (CONTRACT 5.7: both backends pass the same suite), then stop it and
# delete it. COMMAND sees BBT_TEST_DB=pg and BBT_PG_SOCKET (the cluster's
# Unix socket directory); tests/integration/lib/test_db.sh gives each
# script its own database there, and BBT_TEST_DB_URL names one for the
# storage conformance unit test.
#
# The cluster listens on a Unix socket only, in a private temp directory,
# with trust authentication (nothing but this run can reach it). initdb is
# run once and its result kept under build/pg-template (remade when the
# PostgreSQL version changes), so a run costs a copy and a start: seconds.
# fsync is off: the tests kill collectors, never the machine, and
# synchronous_commit stays on as the collector sets it. As root the cluster
# runs as user postgres (PostgreSQL refuses root).
set -eu
[ $# -gt 0 ] || { echo "usage: tests/pg/cluster.sh COMMAND..."; exit 2; }
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/initdb" ] || { echo "cluster.sh: no PostgreSQL server (apt install postgresql)"; exit 1; }
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
owner=$(id -un); [ "$(id -u)" != 0 ] || owner=postgres
root=$(pwd)
tpl="$root/build/pg-template"
ver=$("$bindir/postgres" --version)
if [ ! -f "$tpl/ready" ] || [ "$(cat "$tpl/ready")" != "$ver" ]; then
	# Made aside and moved in whole: a run beside this one never copies half.
	mkdir -p "$root/build"; new=$(mktemp -d "$root/build/pg-template.XXXXXX")
	chown "$owner" "$new"
	as_pg "$bindir/initdb" -D "$new/data" -U postgres -A trust -E UTF8 --no-locale \
	    --no-sync > "$new/initdb.log" 2>&1 || { cat "$new/initdb.log"; rm -rf "$new"; exit 1; }
	echo "$ver" > "$new/ready"
	rm -rf "$tpl"; mv "$new" "$tpl"
fi
run=$(mktemp -d "${TMPDIR:-/tmp}/bbt-pg.XXXXXX")
chown "$owner" "$run"; chmod 0711 "$run"
cp -a "$tpl/data" "$run/data"
mkdir "$run/sock"; chown "$owner" "$run/sock"
stop() {
	as_pg "$bindir/pg_ctl" -D "$run/data" -m immediate stop > /dev/null 2>&1 || :
	rm -rf "$run"
}
trap stop EXIT
trap 'exit 130' INT TERM
opts="-c listen_addresses='' -c unix_socket_directories='$run/sock' -c fsync=off \
-c full_page_writes=off -c max_connections=400 -c shared_buffers=64MB"
as_pg "$bindir/pg_ctl" -D "$run/data" -l "$run/log" -w -t 30 -o "$opts" start > /dev/null ||
	{ cat "$run/log"; exit 1; }
# BBT_PG_DATA, _OPTS and _LOG let a test stop and start the server itself.
BBT_TEST_DB=pg; BBT_PG_SOCKET=$run/sock; BBT_PG_BIN=$bindir
BBT_PG_DATA=$run/data; BBT_PG_OPTS=$opts; BBT_PG_LOG=$run/log
export BBT_TEST_DB BBT_PG_SOCKET BBT_PG_BIN BBT_PG_DATA BBT_PG_OPTS BBT_PG_LOG
# A database for the conformance test, and the template each script's
# database is copied from, migrated by the collector under test.
url() { echo "postgresql:///$1?host=$run/sock&user=postgres"; }
"$bindir/createdb" -h "$run/sock" -U postgres bbt_unit
"$bindir/createdb" -h "$run/sock" -U postgres bbt_template
"${BBT_BUILD:-$root/build}/bbt-server" --db "$(url bbt_template)" check > "$run/tpl.log" 2>&1 ||
	{ cat "$run/tpl.log"; exit 1; }
BBT_TEST_DB_URL=$(url bbt_unit); export BBT_TEST_DB_URL
rc=0
"$@" || rc=$?
exit $rc
