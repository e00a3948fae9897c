#!/bin/sh
# Signals to the Linux agent's two processes (docs/agent-run.md) while
# they share the buffer. SIGHUP reloads the capture process's config
# (agent/daemon.c) again and again while the sync process
# (`sync --auto`, agent/syncd.c, started as the units do) uploads: capture
# keeps running and everything is uploaded. SIGTERM to a sync process
# (a pass, `sync`) whose request the server holds ends it at once (it is a one-pass
# process: no thread to drain) and loses nothing: the outbox is emptied
# only by acknowledgements, so a later pass sends the session, and only
# that one. Under `make tsan` the capture process's reloads run beside
# another process's writes: SQLite's locking, not ours, keeps them apart.
. tests/sync/lib.sh
. tests/integration/lib/sync_units.sh
S="$BBT_TMP/srv"
start_fault "$S"
URL="http://127.0.0.1:$PORT/"
agent_conf "$URL"
printf '[sync]\ninterval = 5\nbackoff_cap = 5\n' >> "$BBT_TMP/agent.conf"
enroll "$URL"
$SEED "$ST" 3 7200 1200 none > /dev/null
$AG run > "$BBT_TMP/run.log" 2>&1 &
RPID=$!; PIDS="$PIDS $RPID"
start_units

# Reloads, one every 0.3 s, across several sync passes.
i=0
while [ $i -lt 24 ]; do
	sleep 0.3
	kill -0 "$RPID" 2>/dev/null || { cat "$BBT_TMP/run.log"; fail "run died under SIGHUP"; }
	[ $i = 4 ] && $SEED "$ST" 2 3600 1200 none > /dev/null
	kill -HUP "$RPID"
	i=$((i + 1))
done
sleep 6	# one more interval: the sessions seeded at i = 4
[ "$(grep -c 'reloading the configuration' "$BBT_TMP/run.log")" -ge 20 ] ||
	{ cat "$BBT_TMP/run.log"; fail "reloads not logged"; }
grep -q 'sync: .* acknowledged' "$UNITS_LOG" || { cat "$UNITS_LOG"; fail "no sync logged"; }
[ "$(stored "$S")" = 5 ] || { cat "$UNITS_LOG"; fail "server has $(stored "$S") sessions, not 5"; }
echo "ok: 24 reloads of capture during sync passes, 5 sessions uploaded"

# The next upload is held; SIGTERM to the sync process holding it.
stop_units
echo hold > "$S/mode"
$SEED "$ST" 1 1800 1200 none > /dev/null
$AG sync > "$BBT_TMP/held.log" 2>&1 &
SPID=$!; PIDS="$PIDS $SPID"
i=0
until [ -e "$S/held" ]; do
	i=$((i + 1)); [ $i -lt 200 ] || { cat "$BBT_TMP/held.log"; fail "no request held"; }
	sleep 0.1
done
kill -TERM "$SPID"
i=0
while kill -0 "$SPID" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 30 ] || fail "sync still up 3 s after SIGTERM"
	sleep 0.1
done
kill -0 "$RPID" 2>/dev/null || fail "capture died with the sync process"
echo ok > "$S/mode"; touch "$S/release"
$AG sync > "$BBT_TMP/out" 2>&1 || { cat "$BBT_TMP/out"; fail "the pass after SIGTERM"; }
[ "$(stored "$S")" = 6 ] || fail "server has $(stored "$S") sessions, not 6"
[ "$(unique "$S")" = 6 ] || fail "a session stored twice"
kill -TERM "$RPID"
i=0
while kill -0 "$RPID" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "run still up 5 s after SIGTERM"
	sleep 0.1
done
rc=0; wait "$RPID" || rc=$?
[ "$rc" = 0 ] || { cat "$BBT_TMP/run.log"; fail "exit status $rc after SIGTERM"; }
grep -q stopping "$BBT_TMP/run.log" || fail "no clean stop in the log"
echo "ok: sync stopped mid-request, nothing lost, capture exited 0"
