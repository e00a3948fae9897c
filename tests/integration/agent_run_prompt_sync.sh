#!/bin/sh
# A closed lesson reaches the real collector within a minute (issue 11,
# restore software; docs/agent-run.md): `bbt-agent run` (capture, under
# umockdev) logs a lesson and rewrites state_dir/sync.kick; the sync
# process, started the way bbt-agent-sync.path starts it (on the kick
# alone: the emulated timer is off and the heartbeat interval is an hour),
# delivers it to a real bbt-server. Then the orderly-shutdown path: a
# lesson still open when capture gets SIGTERM is closed and logged, and the
# shutdown unit's bounded pass (`timeout 30 bbt-agent sync`, as its
# ExecStop) delivers it too. Enrollment is the first timer pass at boot.
. tests/server/lib.sh
. "$(dirname "$0")/lib/agent_run.sh"
ST=$STATE; AG="$AGENT --config $CONF --state-dir $ST"
. "$(dirname "$0")/lib/sync_units.sh"
PIDS=""
trap 'cleanup; for p in $PIDS; do kill "$p" 2>/dev/null || :; done; stop_server' EXIT INT TERM
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

srv school add 610102001 实验小学 > /dev/null
tok=$(srv token create --school 610102001 | tail -1)
# The collector's detector settings win over the agent's: make them short.
srv school set 610102001 --idle-gap 3 --min-session 5 --stuck-contact 60 >/dev/null
start_server
write_conf 3 5
cat >>"$CONF" <<EOT
[server]
url = $URL/
enroll_token = $tok
school = 610102001
room = 三年级二班
[sync]
interval = 3600
EOT
# Boot: the timer's first pass enrolls; the next heartbeat is an hour away.
$AG sync --auto >"$BBT_TMP/boot.log" 2>&1 || { cat "$BBT_TMP/boot.log"; fail "first pass"; }
[ "$(bbtq "$DB" 'len(r)' device list)" = 1 ] || fail "not enrolled by the first pass"
$AG sync --auto >"$BBT_TMP/boot2.log" 2>&1 || fail "second pass"
grep -q 'acknowledged\|enroll' "$BBT_TMP/boot2.log" && fail "a pass ran with nothing due"
ok "enrolled at boot; nothing due until a kick"

UNIT_TIMER_S=0 start_units
ev="$BBT_TMP/lesson.events"
{ events_header; gen_taps 0 9 1; } >"$ev"
start_agent "$ev"
wait_log "session .* logged" 20 || fail "no session logged"
t_logged=$(date +%s)
i=0
until [ "$(bbtq "$DB" 'len(r)' sessions)" = 1 ]; do
	i=$((i + 1)); [ $i -le 600 ] || { cat "$UNITS_LOG"; fail "lesson not at the collector 60 s after it closed"; }
	sleep 0.1
done
took=$(($(date +%s) - t_logged))
grep -q '^path: kick' "$UNITS_LOG" || fail "the pass was not started by the kick"
id=$(sql 'SELECT id FROM sessions')
[ "$(bbtq "$DB" "[x['id'] for x in r]" sessions)" = "$id" ] || fail "another session arrived"
[ "$(sql 'SELECT count(*) FROM sessions WHERE acked_at IS NULL')" = 0 ] || fail "outbox not emptied"
ok "the closed lesson was at the collector ${took}s after it closed (limit 60)"

# Orderly shutdown with a lesson open.
stop_units
kill -TERM "$AGENT_PID"; wait_exit 10 || fail "capture did not stop"
{ events_header; gen_taps 0 30 0.5; } >"$ev"
start_agent "$ev"
sleep 8
kill -TERM "$AGENT_PID"; wait_exit 10 || fail "capture did not stop"
[ "$AGENT_STATUS" = 0 ] || fail "capture exit status $AGENT_STATUS"
[ "$(sql 'SELECT count(*) FROM sessions WHERE acked_at IS NULL')" = 1 ] || fail "the open lesson was not logged at stop"
timeout 30 $AG sync >"$BBT_TMP/stop.log" 2>&1 || { cat "$BBT_TMP/stop.log"; fail "shutdown pass"; }
[ "$(bbtq "$DB" 'len(r)' sessions)" = 2 ] || fail "the lesson open at shutdown is not at the collector"
ok "the lesson open at shutdown was delivered by the bounded stop pass"
