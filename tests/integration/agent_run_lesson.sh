#!/bin/sh
# bbt-agent run under umockdev (agent/daemon.c, agent/platform_linux.c):
# a short lesson replayed in real time on a mocked IR touch frame becomes
# exactly one logged session with the right length, touches, device and
# wall times; a burst shorter than min_session is not logged.
set -u
. "$(dirname "$0")/lib/agent_run.sh"

write_conf 3 5
ev="$BBT_TMP/lesson.events"
{ events_header; gen_taps 0 9 1; gen_taps 14 3 1; } >"$ev"

t0=$(date +%s)
start_agent "$ev"
grep -q 'watching "IRTOUCH Infrared Touch" \[6615:0070\] (touchscreen)' "$LOG" ||
	fail "touch frame not found or not classified as a touch screen"
ok "touch frame classified and watched"

# Lesson 0..8 s closes at ~11 s; the burst 14..16 s is dropped at ~19 s.
wait_log "session .* logged" 20 || fail "no session logged"
sleep 9
kill -TERM "$AGENT_PID"
wait_exit 10 || fail "agent did not stop on SIGTERM"
[ "$AGENT_STATUS" = 0 ] || fail "exit status $AGENT_STATUS, want 0"

[ "$(sql 'SELECT count(*) FROM sessions')" = 1 ] || fail "want exactly 1 session: $(sql 'SELECT * FROM sessions')"
row=$(sql "SELECT duration_s, touches, input_name, input_vid, input_pid, start_s, end_s,
	flags, boot_id FROM sessions")
echo "session: $row"
IFS='|' read -r dur touches name vid pid start end flags boot <<ROW
$row
ROW
# 9 taps one second apart: first activity at 0 s, last at 8.1 s.
[ "$dur" -ge 7 ] && [ "$dur" -le 9 ] || fail "duration $dur, want 8 +- 1"
[ "$touches" = 9 ] || fail "touches $touches, want 9"
[ "$name" = "IRTOUCH Infrared Touch" ] && [ "$vid" = 6615 ] && [ "$pid" = 0070 ] ||
	fail "input $name $vid:$pid"
[ $((end - start)) = "$dur" ] || fail "end - start != duration"
[ "$start" -ge $((t0 - 1)) ] && [ "$start" -le $((t0 + 10)) ] ||
	fail "start $start not at the replay's start ($t0)"
[ "$flags" = 0 ] || fail "flags $flags, want none"
[ "$boot" = "$(cat /proc/sys/kernel/random/boot_id)" ] || fail "boot id $boot"
[ "$(sql 'SELECT count(*) FROM checkpoint')" = 0 ] || fail "checkpoint left behind"
ok "one session of ${dur}s, $touches touches, on $name"
