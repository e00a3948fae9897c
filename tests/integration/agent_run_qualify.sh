#!/bin/sh
# A power cut right after a session first reaches min_session (CONTRACT 4.2,
# agent/daemon.c): the checkpoint is written at that moment, not at the
# next 60 s tick, so SIGKILL just after it still leaves the lesson to be
# recovered at the next start. The checkpoint interval is the product's
# default (60 s): no BBT_AGENT_CHECKPOINT_S here.
set -u
. "$(dirname "$0")/lib/agent_run.sh"

write_conf 30 5
ev="$BBT_TMP/lesson.events"
{ events_header; gen_taps 0 40 0.5; } >"$ev"	# touches for 20 s

unset BBT_AGENT_CHECKPOINT_S
start_agent "$ev"
i=0
while [ "$(sql 'SELECT count(*) FROM checkpoint' 2>/dev/null)" != 1 ]; do
	i=$((i + 1)); [ $i -gt 150 ] && fail "no checkpoint 15 s into a session that qualifies at 5 s"
	sleep 0.1
done
kill -KILL "$AGENT_PID"
wait_exit 10 || fail "agent survived SIGKILL"
dur=$(sql 'SELECT duration_s FROM checkpoint')
[ "$dur" -ge 5 ] || fail "checkpoint holds ${dur}s, want >= min_session 5"
ok "checkpointed at ${dur}s, killed at once"

empty="$BBT_TMP/empty.events"; events_header >"$empty"
start_agent "$empty"
wait_log "recovered" 5 || fail "no recovery logged"
kill -TERM "$AGENT_PID"
wait_exit 10 || fail "agent did not stop"
row=$(sql 'SELECT duration_s, flags FROM sessions')
IFS='|' read -r d flags <<ROW
$row
ROW
[ -n "$d" ] && [ "$d" -ge 5 ] || fail "want the recovered lesson of >= 5 s, have '$row'"
[ $((flags & 2)) = 2 ] || fail "flags $flags lack recovered"
ok "the lesson killed right after it qualified is recovered (${d}s)"
