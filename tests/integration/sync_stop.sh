#!/bin/sh
# Stopping `bbt-agent run` while its sync thread waits on a server that
# holds the request (agent/sync.c, http_client.c): SIGTERM sets the thread's
# stop flag, which the transfer in flight polls from curl's progress
# callback, so the daemon exits 0 within a few seconds instead of waiting
# out the HTTP timeout. Under `make tsan` the flag is read by the sync
# thread while the main thread writes it: a plain int there is a data race.
. tests/sync/lib.sh
S="$BBT_TMP/srv"
start_fault "$S"
URL="http://127.0.0.1:$PORT/"
agent_conf "$URL"
enroll "$URL"
$SEED "$ST" 2 7200 1200 none > /dev/null
echo hang > "$S/mode"
$AG run > "$BBT_TMP/run.log" 2>&1 &
RPID=$!; PIDS="$PIDS $RPID"
# The fault server logs a held request before it holds it.
i=0
until grep -q ' 0 0$' "$S/requests.log" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 200 ] || { cat "$BBT_TMP/run.log"; fail "no request held"; }
	sleep 0.1
done
held=$(grep -c ' 0 0$' "$S/requests.log")
kill -TERM "$RPID"
i=0
while kill -0 "$RPID" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 50 ] || { cat "$BBT_TMP/run.log"; fail "run still up 5 s after SIGTERM"; }
	sleep 0.1
done
rc=0; wait "$RPID" || rc=$?
[ "$rc" = 0 ] || { cat "$BBT_TMP/run.log"; fail "exit status $rc after SIGTERM"; }
grep -q stopping "$BBT_TMP/run.log" || fail "no clean stop in the log"
[ "$(grep -c ' 0 0$' "$S/requests.log")" = "$held" ] || fail "a request after the stop"
echo "ok: stopped mid-request (held $held request(s)) and exited 0"
