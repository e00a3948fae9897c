#!/bin/sh
# SIGTERM closes the open session at its last activity and logs it, exit 0
# (agent/daemon.c); SIGINT does the same. The session does not wait for
# idle_gap.
set -u
. "$(dirname "$0")/lib/agent_run.sh"

write_conf 600 5
ev="$BBT_TMP/lesson.events"
{ events_header; gen_taps 0 7 1; } >"$ev"	# activity 0 .. 6.1 s

for sig in TERM INT; do
	rm -rf "$STATE"; mkdir -p "$STATE"; : >"$LOG"
	start_agent "$ev"
	sleep 9
	[ "$(sql 'SELECT count(*) FROM sessions')" = 0 ] || fail "session closed before SIG$sig"
	kill -$sig "$AGENT_PID"
	wait_exit 10 || fail "agent did not stop on SIG$sig"
	[ "$AGENT_STATUS" = 0 ] || fail "exit status $AGENT_STATUS after SIG$sig"
	row=$(sql 'SELECT duration_s, touches, flags FROM sessions')
	echo "SIG$sig: $row"
	[ "$(sql 'SELECT count(*) FROM sessions')" = 1 ] || fail "SIG$sig: want 1 session"
	IFS='|' read -r dur touches flags <<ROW
$row
ROW
	# Ends at the last activity (6.1 s), not at the signal (9 s).
	[ "$dur" -ge 5 ] && [ "$dur" -le 7 ] || fail "SIG$sig: duration $dur, want 6 +- 1"
	[ "$touches" = 7 ] || fail "SIG$sig: touches $touches"
	[ "$flags" = 0 ] || fail "SIG$sig: flags $flags"
	ok "SIG$sig logged the open session (${dur}s) and exited 0"
done
