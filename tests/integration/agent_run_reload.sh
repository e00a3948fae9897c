#!/bin/sh
# SIGHUP reloads the config (agent/daemon.c): a bad file is refused with a
# log line naming the problem, the agent keeps running with the old
# settings (and still logs the lesson that follows); a good file's
# detector settings take effect.
set -u
. "$(dirname "$0")/lib/agent_run.sh"

write_conf 3 5
ev="$BBT_TMP/lesson.events"
{ events_header; gen_taps 0 9 1; } >"$ev"	# activity 0 .. 8.1 s

start_agent "$ev"
cp "$CONF" "$BBT_TMP/good.conf"
printf '[detector]\nidle_gap = 3\nmin_session = 5\nno_such_key = 1\n' >"$CONF"
kill -HUP "$AGENT_PID"
wait_log "reload failed" 5 || fail "bad config not reported"
grep "reload failed" "$LOG" | grep -q "no_such_key" || fail "error does not name the key"
sleep 1
alive || fail "agent died on a bad config"
ok "bad config refused, still running"

wait_log "session .* logged" 25 || fail "lesson after the bad reload not logged"
dur=$(sql 'SELECT duration_s FROM sessions')
[ "$dur" -ge 7 ] && [ "$dur" -le 9 ] || fail "duration $dur, want 8 +- 1"
ok "old settings kept: lesson logged (${dur}s)"

printf '[detector]\nidle_gap = 7\nmin_session = 11\nstuck_contact = 9\n' >"$CONF"
kill -HUP "$AGENT_PID"
wait_log "idle_gap=7 min_session=11 stuck_contact=9" 5 || fail "good config not applied"
alive || fail "agent died on reload"
kill -TERM "$AGENT_PID"
wait_exit 10 || fail "agent did not stop"
[ "$AGENT_STATUS" = 0 ] || fail "exit status $AGENT_STATUS"
ok "good config applied"
