#!/bin/sh
# bbt-agent run killed with SIGKILL mid-session (agent/daemon.c with the
# store's checkpoints): the next start records the session flagged
# "recovered", ending at its last checkpointed activity, so at most one
# checkpoint interval of it is lost. BBT_AGENT_CHECKPOINT_S=2 is the test
# hook that shortens the product's 60 s interval.
set -u
. "$(dirname "$0")/lib/agent_run.sh"

write_conf 30 5
ev="$BBT_TMP/long.events"
{ events_header; gen_taps 0 40 0.5; } >"$ev"	# touches for 20 s

BBT_AGENT_CHECKPOINT_S=2; export BBT_AGENT_CHECKPOINT_S
start_agent "$ev"
sleep 12
[ "$(sql 'SELECT count(*) FROM checkpoint')" = 1 ] || fail "no checkpoint after 12 s"
ckpt_id=$(sql 'SELECT id FROM checkpoint')
kill -KILL "$AGENT_PID"
wait_exit 10 || fail "agent survived SIGKILL"
[ "$(sql 'SELECT count(*) FROM sessions')" = 0 ] || fail "a session was logged before the kill"
ok "killed mid-session with checkpoint $ckpt_id"

# Restart (no input this time) and stop it cleanly.
empty="$BBT_TMP/empty.events"; events_header >"$empty"
start_agent "$empty"
wait_log "recovered" 5 || fail "no recovery logged"
kill -TERM "$AGENT_PID"
wait_exit 10 || fail "agent did not stop"

[ "$(sql 'SELECT count(*) FROM sessions')" = 1 ] || fail "want 1 session: $(sql 'SELECT * FROM sessions')"
row=$(sql 'SELECT id, duration_s, flags FROM sessions')
echo "session: $row"
IFS='|' read -r id dur flags <<ROW
$row
ROW
[ "$id" = "$ckpt_id" ] || fail "recovered id $id differs from the checkpoint's $ckpt_id"
[ $((flags & 2)) = 2 ] || fail "flags $flags lack recovered"
# Activity ran until the kill at ~12 s; checkpoints every 2 s lose <= 2 s
# (+1 s for the event reading and rounding).
[ "$dur" -ge 8 ] && [ "$dur" -le 13 ] || fail "duration $dur, want 9..12"
[ "$(sql 'SELECT count(*) FROM checkpoint')" = 0 ] || fail "checkpoint not cleared"
ok "recovered ${dur}s of a session killed at ~12 s, same id, flagged recovered"
