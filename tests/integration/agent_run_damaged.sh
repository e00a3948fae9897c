#!/bin/sh
# The buffer damaged under a running agent (CONTRACT 4.2, agent/store.c
# salvage, issue 11 loss 2): `bbt-agent run` logs lesson A while the
# collector refuses uploads, then a page of buffer.db (an index) is
# overwritten with junk, as a failing disk would. The next write meets
# "database disk image is malformed": the file is moved aside, A is
# carried into a new buffer, lesson B is stored there, and both reach the
# collector once it accepts again. Before, B waited in memory forever and
# nothing more was stored. Sync is the separate process the units start
# (lib/sync_units.sh, logging into the same log): whichever of the two
# processes meets the damage first moves the file aside, and the other
# follows the new file.
set -u
. "$(dirname "$0")/lib/agent_run.sh"
ST=$STATE; AG="$AGENT --config $CONF --state-dir $ST"; PIDS=""
. "$(dirname "$0")/lib/sync_units.sh"
UNITS_LOG=$LOG
FAULT="$(dirname "$0")/../faultserver.py"
S="$BBT_TMP/srv"; mkdir -p "$S"
echo "500@sessions" >"$S/mode"
python3 "$FAULT" --dir "$S" 2>>"$S/server.log" &
FPID=$!
cleanup_all() { cleanup; kill "$FPID" $PIDS 2>/dev/null; return 0; }
trap cleanup_all EXIT INT TERM
i=0
while [ ! -s "$S/port" ]; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "fault server did not start"; sleep 0.1
done
cat >"$CONF" <<CONF
[server]
url = http://127.0.0.1:$(cat "$S/port")/
enroll_token = enroll-me
school = 610102001
room = r1
[detector]
idle_gap = 2
min_session = 1
[sync]
interval = 5
CONF
ev="$BBT_TMP/two.events"
{ events_header; gen_taps 0 6 0.5; gen_taps 20 6 0.5; } >"$ev"
start_agent "$ev"
start_units
wait_log "logged" 15 || fail "lesson A not logged"
wait_log "HTTP 500" 10 || fail "no upload refused"
page=$(sql "SELECT pageno FROM dbstat WHERE name = 'sessions_start' LIMIT 1")
[ -n "$page" ] || fail "no index page found"
sql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
dd if=/dev/urandom of="$STATE/buffer.db" bs=4096 seek=$((page - 1)) count=1 \
	conv=notrunc 2>/dev/null
ok "damaged page $page of the buffer under the running agent"
wait_log "damaged buffer" 30 || fail "the damage was not detected"
wait_log "carried from" 5 || fail "nothing carried over"
# B closes at about 23 s, into the new buffer whichever process moved it.
i=0
until [ "$(sql 'SELECT count(*) FROM sessions WHERE acked_at IS NULL')" = 2 ]; do
	i=$((i + 1)); [ $i -le 300 ] ||
		fail "want A (salvaged) and B unsynced in the new buffer: $(sql 'SELECT * FROM sessions')"
	sleep 0.1
done
echo ok >"$S/mode"

i=0
stored() { [ -f "$S/sessions.jsonl" ] && wc -l <"$S/sessions.jsonl" || echo 0; }
while [ "$(stored)" -lt 2 ]; do
	i=$((i + 1)); [ $i -gt 600 ] && fail "the collector has $(stored) of 2 lessons"
	sleep 0.1
done
grep -q "damaged buffer" "$LOG" || fail "no log line for the damaged buffer"
grep -q "carried from" "$LOG" || fail "nothing carried over"
ls "$STATE"/buffer.db.corrupt-* >/dev/null 2>&1 || fail "damaged file not kept aside"
alive || fail "agent died"
stop_units
kill -TERM "$AGENT_PID"
wait_exit 10 || fail "agent did not stop"
[ "$AGENT_STATUS" = 0 ] || fail "exit status $AGENT_STATUS"
[ "$(sql 'SELECT count(*) FROM sessions')" = 2 ] || fail "the new buffer lacks a lesson"
ok "lesson A (salvaged) and lesson B (stored after the damage) reached the collector"
