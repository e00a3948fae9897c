#!/bin/sh
# No polling (CONTRACT 8, agent/daemon.c + agent/platform_linux.c): after a
# lesson has closed, the agent watching a touch frame, a mouse and a
# keyboard (and ignoring a power button) idles 60 s with fewer than 10
# wakeups, counted as the context switches (voluntary + nonvoluntary) of
# all its threads in /proc/PID/task/*/status. And what stays resident is
# small (CONTRACT 8, agent/capture/resident.h): once idle, no page of
# SQLite's text (r-xp mappings of libsqlite3, Rss in /proc/PID/smaps) is
# left in the capture process.
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
sq=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { m = ($2 == "r-xp" && $6 ~ /libsqlite3/); s += m; next }
	m && /^Rss:/ { r += $2 } END { printf "%d %d\n", s, r }' /proc/"$AGENT_PID"/smaps)
set -- $sq
[ "$1" -gt 0 ] || fail "no r-xp mapping of libsqlite3 in the capture process"
echo "idle: libsqlite3 text resident: $2 KiB over $1 mapping(s)"
[ "$2" -eq 0 ] || fail "$2 KiB of libsqlite3 text still resident after idle (want 0)"
kill -TERM "$AGENT_PID"
wait_exit 10 || fail "agent did not stop"
ok "idle 60 s with $n wakeups, no SQLite text resident"
