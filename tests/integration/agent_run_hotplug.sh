#!/bin/sh
# A device arriving while the agent runs (agent/platform_linux.c: inotify
# on /dev/input) is classified and watched, and its input makes a session
# that names it.
set -u
. "$(dirname "$0")/lib/agent_run.sh"

write_conf 3 5
touch_ev="$BBT_TMP/touch.events"; events_header >"$touch_ev"
mouse_ev="$BBT_TMP/mouse.events"
# umockdev replays the first event at once: moves from 0 s to 9 s, the
# mouse arrives at ~1 s (the moves before wait in its pty, read at once).
{ events_header; gen_moves 0 19 0.5; } >"$mouse_ev"

HIDE_NODES=event11; export HIDE_NODES
start_agent "$touch_ev" -d "$DATA/mouse-usb.umockdev" -e "/dev/input/event11=$mouse_ev"
grep -q "1 input device(s)" "$LOG" || fail "the hidden mouse was seen at start"
sleep 1
mv "$TESTBED/hidden-event11" "$TESTBED/dev/input/event11"
wait_log 'watching "Logitech USB Optical Mouse" \[046d:c077\] (mouse)' 5 ||
	fail "hot-plugged mouse not watched"
ok "hot-plugged mouse watched"
wait_log "session .* logged" 20 || fail "no session from the mouse"
row=$(sql 'SELECT duration_s, input_name, input_vid, input_pid FROM sessions')
echo "session: $row"
IFS='|' read -r dur name vid pid <<ROW
$row
ROW
[ "$name" = "Logitech USB Optical Mouse" ] && [ "$vid" = 046d ] && [ "$pid" = c077 ] ||
	fail "input $name $vid:$pid"
[ "$dur" -ge 6 ] && [ "$dur" -le 9 ] || fail "duration $dur, want 7..9 (arrival to 9 s)"
kill -TERM "$AGENT_PID"
wait_exit 10 || fail "agent did not stop"
ok "session of ${dur}s from the hot-plugged mouse"
