#!/bin/sh
# No polling (CONTRACT 8, agent/daemon.c + agent/platform_linux.c): after a
# lesson has closed, the agent watching a touch frame, a mouse and a
# keyboard (and ignoring a power button) idles 60 s with fewer than 10
# wakeups, counted as the context switches (voluntary + nonvoluntary) of
# all its threads in /proc/PID/task/*/status.
set -u
. "$(dirname "$0")/lib/agent_run.sh"

write_conf 3 5
ev="$BBT_TMP/lesson.events"
{ events_header; gen_taps 0 7 1; } >"$ev"

switches() {
	cat /proc/"$AGENT_PID"/task/*/status 2>/dev/null |
		awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

start_agent "$ev" -d "$DATA/mouse-usb.umockdev" -d "$DATA/keyboard-usb.umockdev" \
	-d "$DATA/power-button.umockdev"
grep -q '3 input device(s)' "$LOG" || fail "want 3 devices watched"
grep -q 'Power Button' "$LOG" && fail "the power button must not be watched"
wait_log "session .* logged" 20 || fail "lesson not logged"
sleep 2
a=$(switches)
sleep 60
alive || fail "agent died while idle"
b=$(switches)
threads=$(ls /proc/"$AGENT_PID"/task | wc -l)
n=$((b - a))
echo "idle 60 s: $n wakeups over $threads thread(s)"
[ "$n" -lt 10 ] || fail "$n wakeups in 60 s idle (want < 10): a polling loop?"
kill -TERM "$AGENT_PID"
wait_exit 10 || fail "agent did not stop"
ok "idle 60 s with $n wakeups"
