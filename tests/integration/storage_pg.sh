#!/bin/sh
# The PostgreSQL backend's own promises (CONTRACT 5.7, issue 12;
# docs/storage-postgresql.md), on a throwaway cluster of its own
# (tests/pg/cluster.sh), since it stops and starts the server: it runs in
# `make integration`, never beside other scripts on a shared cluster.
#  - Several collectors starting at once on a new database migrate it once
#    (the advisory lock): all start, one version row.
#  - Sessions land in their month's partition: this month's and the next
#    two are made ahead, a backlog's month on demand.
#  - A collector outlives its database: after a restart the next requests
#    are served on new connections; while it is down an upload is refused
#    with a 5xx (not acknowledged, so the agent keeps it) and the collector
#    stays up; once it is back the same upload is stored.
# Covers server/db_pg.c (migrate, partitions, revive, retry outside a
# transaction, a failed BEGIN) and server/db.c.
set -eu
if [ -z "${BBT_PG_OWN:-}" ]; then
	BBT_PG_OWN=1 exec tests/pg/cluster.sh sh "$0"
fi
. tests/server/lib.sh
case $DB in postgres*) ;; *) fail "not on PostgreSQL: $DB" ;; esac
pgctl() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$BBT_PG_BIN/pg_ctl" "$@"
	else "$BBT_PG_BIN/pg_ctl" "$@"; fi
}
psql() { "$BBT_PG_BIN/psql" -qtAX -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }

# Six collectors' first start on an empty database, at once.
"$BBT_PG_BIN/createdb" -h "$BBT_PG_SOCKET" -U postgres -T template0 fresh
fresh="postgresql:///fresh?host=$BBT_PG_SOCKET&user=postgres"
pids=
for i in 1 2 3 4 5 6; do
	"$B/bbt-server" --db "$fresh" check > "$T/check$i" 2>&1 & pids="$pids $!"
done
for p in $pids; do wait "$p" || { cat "$T"/check*; fail "a concurrent first start failed"; }; done
[ "$("$BBT_PG_BIN/psql" -qtAX -d "$fresh" -c 'SELECT count(*) FROM bbt_schema')" = 1 ] ||
	fail "schema version rows after concurrent starts"
[ "$(cat "$T"/check* | grep -c 'migrated to schema v1$')" = 1 ] || fail "migrated more than once"
"$B/bbt-server" --db "$fresh" check > /dev/null || fail "schema not current after the race"

srv school add 610102001 实验小学 > /dev/null
tok=$(srv token create --school 610102001 --uses 5 | tail -1)
start_server --threads 2
expect 201 "$(enroll "$tok" hw-1 r1)" "enroll"
dev=$(jget device_token)
send "$dev" 2026-11-23T08:00:00 2026-11-23T08:40:00

# Made ahead at open: this month's partition and the next two (by calendar).
want=$(python3 -c 'import datetime as d
t = d.datetime.now(d.timezone.utc); y, m = t.year, t.month
for i in range(3):
    print("sessions_y%04dm%02d" % (y + (m - 1 + i) // 12, (m - 1 + i) % 12 + 1))')
for p in $want; do
	[ "$(psql "SELECT to_regclass('$p') IS NOT NULL")" = t ] || fail "no partition $p ahead"
done

# A backlog from March: its month's partition is made for it.
send "$dev" 2026-03-02T08:00:00 2026-03-02T08:40:00
[ "$(psql "SELECT tableoid::regclass FROM sessions ORDER BY start")" = "sessions_y2026m03
sessions_y2026m11" ] || fail "sessions not in their months' partitions"

# A restart: every worker's connection is dead; the next requests reconnect.
pgctl -D "$BBT_PG_DATA" -m fast -w restart -o "$BBT_PG_OPTS" -l "$BBT_PG_LOG" > /dev/null
for i in 1 2 3 4; do
	send "$dev" "2026-11-23T0$((i + 1)):00:00" "2026-11-23T0$((i + 1)):40:00"
	expect 200 "$(req POST /api/v1/heartbeat "$dev" -d '{}')" "heartbeat after restart"
done
[ "$(bbtq "$DB" 'len(r)' sessions)" = 6 ] || fail "sessions after restart: want 6"

# Down: refused, not acknowledged, and the collector stays up.
pgctl -D "$BBT_PG_DATA" -m fast -w stop > /dev/null
python3 - > "$T/batch.json" <<'PY'
import json
print(json.dumps({"agent_time": "2026-11-23T09:00:00+08:00", "sessions": [{
    "id": "7f0e0d6c-1b2a-4c3d-8e9f-0a1b2c3d4e5f", "start": "2026-11-23T08:00:00+08:00",
    "end": "2026-11-23T08:30:00+08:00", "duration_s": 1800, "touches": 9,
    "active_minutes": 5, "teacher": None, "input": None, "flags": []}]}))
PY
code=$(req POST /api/v1/sessions "$dev" -H 'Content-Type: application/json' \
    --data-binary "@$T/batch.json")
case $code in 5??) ;; *) cat "$T/reply"; fail "upload with the database down: $code" ;; esac
kill -0 "$SPID" || fail "the collector died with its database"
pgctl -D "$BBT_PG_DATA" -w start -o "$BBT_PG_OPTS" -l "$BBT_PG_LOG" > /dev/null
expect 200 "$(req POST /api/v1/sessions "$dev" -H 'Content-Type: application/json' \
    --data-binary "@$T/batch.json")" "the same upload once the database is back"
grep -q '"accepted":\["7f0e0d6c' "$T/reply" || grep -q 7f0e0d6c "$T/reply" ||
	{ cat "$T/reply"; fail "not accepted after the restart"; }
[ "$(bbtq "$DB" 'len(r)' sessions)" = 7 ] || fail "sessions at the end: want 7"
grep -q 'reconnected to PostgreSQL' "$T/serve.log" || fail "no reconnection logged"
echo "storage_pg: ok"
