#!/bin/sh
# Devices coming and going, and lost events (agent/platform_linux.c):
#  - SYN_DROPPED: the events up to the next SYN_REPORT are discarded (a
#    contact begun there is not counted) and the device state is reset;
#  - a device node removed mid-session (inotify IN_DELETE on /dev/input)
#    ends the session at its last activity at once, without waiting for
#    idle_gap (600 s here).
set -u
. "$(dirname "$0")/lib/agent_run.sh"

write_conf 600 5
ev="$BBT_TMP/lesson.events"
{
	events_header
	gen_taps 0 4 1		# 4 touches, 0 .. 3.1 s
	echo "E: 3.500000 0000 0003 0"			# SYN_DROPPED
	echo "E: 3.500000 0003 0039 900"		# lost: not a touch
	echo "E: 3.500000 0003 0035 500"
	echo "E: 3.500000 0000 0000 0"			# SYN_REPORT ends the drop
	gen_taps 4 3 1		# 3 more, 4 .. 6.1 s
} >"$ev"

start_agent "$ev"
sleep 9
wait_log "events dropped" 1 || fail "SYN_DROPPED not noticed"
[ "$(sql 'SELECT count(*) FROM sessions')" = 0 ] || fail "session closed too early"
rm "$TESTBED/dev/input/event10"
wait_log "event10 .* gone" 5 || fail "device removal not noticed"
wait_log "session .* logged" 5 || fail "removal did not close the session"
alive || fail "agent died when its device went away"
row=$(sql 'SELECT duration_s, touches FROM sessions')
echo "session: $row"
IFS='|' read -r dur touches <<ROW
$row
ROW
[ "$touches" = 7 ] || fail "touches $touches, want 7 (the one in the dropped frame is not)"
[ "$dur" -ge 5 ] && [ "$dur" -le 7 ] || fail "duration $dur, want 6 +- 1 (last activity)"
kill -TERM "$AGENT_PID"
wait_exit 10 || fail "agent did not stop"
[ "$AGENT_STATUS" = 0 ] || fail "exit status $AGENT_STATUS"
ok "dropped frame discarded, removal closed the session (${dur}s, $touches touches)"
