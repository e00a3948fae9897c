#!/bin/sh
# Signals to `bbt-agent run` while its sync thread works (agent/daemon.c,
# sync.c, http_client.c, common/bbt_log.c). SIGHUP reloads the config in
# the run loop while the sync thread uploads and logs: the agent keeps
# running and uploading. SIGTERM while the server holds a request sets the
# thread's stop flag, which the transfer in flight polls from curl's
# progress callback: the daemon exits 0 within seconds instead of waiting
# out the HTTP timeout. Under `make tsan` both are data races unless the
# flags shared by the threads (stop, the log level) are atomics.
. tests/sync/lib.sh
S="$BBT_TMP/srv"
start_fault "$S"
URL="http://127.0.0.1:$PORT/"
agent_conf "$URL"
printf '[sync]\ninterval = 5\nbackoff_cap = 5\n' >> "$BBT_TMP/agent.conf"
enroll "$URL"
$SEED "$ST" 3 7200 1200 none > /dev/null
$AG run > "$BBT_TMP/run.log" 2>&1 &
RPID=$!; PIDS="$PIDS $RPID"

# Reloads, one every 0.3 s, across two sync passes (one at start, one 5 s on).
i=0
while [ $i -lt 24 ]; do
	sleep 0.3
	kill -0 "$RPID" 2>/dev/null || { cat "$BBT_TMP/run.log"; fail "run died under SIGHUP"; }
	[ $i = 4 ] && $SEED "$ST" 2 3600 1200 none > /dev/null
	kill -HUP "$RPID"
	i=$((i + 1))
done
[ "$(grep -c 'reloading the configuration' "$BBT_TMP/run.log")" -ge 20 ] ||
	{ cat "$BBT_TMP/run.log"; fail "reloads not logged"; }
grep -q 'sync: .* acknowledged' "$BBT_TMP/run.log" || { cat "$BBT_TMP/run.log"; fail "no sync logged"; }
[ "$(stored "$S")" = 5 ] || { cat "$BBT_TMP/run.log"; fail "server has $(stored "$S") sessions, not 5"; }
echo "ok: 24 reloads during sync, 5 sessions uploaded"

# The next request is held; SIGTERM once it is.
echo hang > "$S/mode"
$SEED "$ST" 1 1800 1200 none > /dev/null
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
