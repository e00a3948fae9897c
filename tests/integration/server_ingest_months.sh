#!/bin/sh
# Concurrent uploads that each open new months (issue 12): four devices at
# once send 8,000 sessions spread over 300 days, so on PostgreSQL several
# collector connections meet months with no partition yet at the same time.
# Creating a partition inside an upload's transaction, after that
# transaction had inserted sessions, deadlocked with another upload doing
# the same (one of them got a 503); partitions are now made before the
# transaction (db_session_ready). Every batch must be accepted whole, and
# every session stored once. The load is bench/ingest_load.py's (one piece
# for the bench and this test). On SQLite the same script checks the same.
# Covers server/ingest.c (ingest_ready), server/db_pg_core.c, db_pg.c.
. tests/server/lib.sh
srv school add 610100001 基准小学 > /dev/null
token=$(srv token create --school 610100001 --uses 4 | tail -1)
start_server --threads 4
port=${URL##*:}
python3 bench/ingest_load.py http "$port" "$token" 8000 200 4 "$T/rows" > "$T/rates" ||
	{ grep -i error "$T/serve.log" | head -5; fail "an upload was not accepted whole"; }
[ "$(bbtq "$DB" 'len(r)' sessions)" = 8000 ] || fail "not 8000 sessions stored"
[ "$(bbtq "$DB" 'len(set(x["start"][:7] for x in r))' sessions)" -ge 10 ] ||
	fail "the sessions do not span ten months"
if grep -q 'deadlock' "$T/serve.log"; then fail "deadlock in the collector's log"; fi
echo "server_ingest_months: ok"
