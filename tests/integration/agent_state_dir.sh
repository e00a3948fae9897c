#!/bin/sh
# [agent] state_dir end to end (CONTRACT 4.1, issue 11 restore software): with
# the state dir named only in the config (no --state-dir), everything the
# agent keeps is there: the buffer, the enrollment and device key, the
# sync process's backoff state, the detector settings it shares with
# capture; `status` names it, `run` (capture) logs into it, and a second
# config pointing elsewhere sees none of it (a fresh state).
. tests/sync/lib.sh
P="$BBT_TMP/persist"; S="$BBT_TMP/srv"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$BBT_TMP/agent.conf" <<EOT
[server]
url = http://127.0.0.1:$PORT/
enroll_token = enroll-me
school = 610102001
room = 三年级二班
[sync]
interval = 5
backoff_cap = 5
[agent]
state_dir = $P
EOT
AG="$A --config $BBT_TMP/agent.conf"
ST=$P
cd "$BBT_TMP"
# Collector down: the failed pass leaves its backoff state in state_dir.
$AG sync --auto > "$BBT_TMP/p1.log" 2>&1 && fail "a pass with the collector down succeeded"
[ -f "$P/buffer.db" ] || fail "no buffer in state_dir"
# sync_loop.h's state: "FAILURES DUE_BOOT_US BOOT_ID".
failures() { meta sync_backoff | cut -d' ' -f1; }
[ "$(failures)" = 1 ] || fail "backoff state not in state_dir: $(meta sync_backoff)"
due_us=$(meta sync_backoff | cut -d' ' -f2)
up_us=$(awk '{ printf "%d", $1 * 1000000 }' /proc/uptime)
left=$(( (due_us - up_us) / 1000000 ))
# Still backing off (when the jittered wait leaves time to see it): not
# due, nothing tried.
if [ "$left" -ge 2 ]; then
	$AG sync --auto > "$BBT_TMP/p2.log" 2>&1 || fail "a pass not due failed"
	[ "$(failures)" = 1 ] || fail "a pass ran during the backoff"
fi
start_fault "$S" --port "$PORT" --settings '{"idle_gap":300,"min_session":600,"stuck_contact":60}'
sleep 6
$AG sync --auto > "$BBT_TMP/p3.log" 2>&1 || { cat "$BBT_TMP/p3.log"; fail "pass after the backoff"; }
[ "$(meta enrolled)" = 1 ] || fail "enrollment not in state_dir"
[ -n "$(meta device_token)" ] || fail "no device token in state_dir"
[ "$(failures)" = 0 ] || fail "backoff not reset after a good pass"
ls "$P" | grep -q key || fail "no device key in state_dir: $(ls "$P")"
grep -qx 'idle_gap=300 min_session=600 stuck_contact=60' "$P/server-settings" ||
	fail "detector settings not shared in state_dir"
$AG status --json > "$BBT_TMP/status.json" || fail "status"
python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))
assert s["state_dir"] == sys.argv[2] and s["enrolled"] is True, s' "$BBT_TMP/status.json" "$P" ||
	{ cat "$BBT_TMP/status.json"; fail "status does not show the state_dir enrolled"; }
echo "ok: buffer, enrollment, key, backoff state and settings all in state_dir"

$AG run > "$BBT_TMP/run.log" 2>&1 &
RPID=$!; PIDS="$PIDS $RPID"
i=0
until grep -q 'running: state '"$P" "$BBT_TMP/run.log"; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$BBT_TMP/run.log"; fail "run did not use state_dir"; }
	sleep 0.1
done
grep -q 'detector settings from the server: idle_gap=300' "$BBT_TMP/run.log" ||
	{ cat "$BBT_TMP/run.log"; fail "capture did not take the settings from state_dir"; }
kill -TERM "$RPID"; wait "$RPID" || fail "run exit status"
echo "ok: run (capture) works in state_dir and applies the shared settings"

# The restore-software case: the state dir is gone, the agent starts fresh.
sed -i "s|^state_dir = .*|state_dir = $BBT_TMP/wiped|" "$BBT_TMP/agent.conf"
$AG status --json > "$BBT_TMP/status2.json" || :
python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))
assert s["enrolled"] is False, s' "$BBT_TMP/status2.json" || fail "a fresh state dir is enrolled"
echo "ok: another state_dir is a fresh state"
