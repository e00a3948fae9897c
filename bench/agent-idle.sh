#!/bin/sh
# Agent footprint when idle (SPEC 8): start `bbt-agent run` under umockdev
# watching a mocked touch frame, mouse and keyboard, let it idle
# BENCH_IDLE_S seconds (default 30), and print its resident memory and its
# wakeups per second (context switches of all its threads, from
# /proc/PID/task/*/status). Figures only; the pass/fail bound is the
# integration test tests/integration/agent_run_idle.sh.
set -u
: "${BBT_BUILD:?}" "${BBT_TMP:=$(mktemp -d)}"
idle=${BENCH_IDLE_S:-30}
data=$(cd "$(dirname "$0")/../tests/data" && pwd)
state="$BBT_TMP/state"; conf="$BBT_TMP/agent.conf"; log="$BBT_TMP/agent.log"
pidfile="$BBT_TMP/agent.pid"; ev="$BBT_TMP/none.events"
mkdir -p "$state"
printf '# EVEMU 1.3\n' >"$ev"
printf '[detector]\nidle_gap = 600\n' >"$conf"
command -v umockdev-run >/dev/null || { echo "umockdev-run missing (make deps)"; exit 1; }

umockdev-run -d "$data/touch-irtouch.umockdev" -d "$data/mouse-usb.umockdev" \
	-d "$data/keyboard-usb.umockdev" -e "/dev/input/event10=$ev" -- \
	sh -c 'echo $$ >"$0"; exec "$1" --config "$2" --state-dir "$3" run' \
	"$pidfile" "$BBT_BUILD/bbt-agent" "$conf" "$state" >"$log" 2>&1 &
umd=$!
trap 'kill "$umd" 2>/dev/null' EXIT INT TERM
i=0
until grep -q "running:" "$log" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then echo "agent did not start:"; cat "$log"; exit 1; fi
	sleep 0.1
done
pid=$(cat "$pidfile")
switches() {
	cat /proc/"$pid"/task/*/status | awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 }
		END { print n + 0 }'
}
sleep 1
a=$(switches)
sleep "$idle"
b=$(switches)
rss=$(awk '/^VmRSS:/ { print $2 }' /proc/"$pid"/status)
hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/"$pid"/status)
anon=$(awk '/^RssAnon:/ { print $2 }' /proc/"$pid"/status)
threads=$(ls /proc/"$pid"/task | wc -l)
kill -TERM "$pid"
wait "$umd"
awk -v rss="$rss" -v hwm="$hwm" -v anon="$anon" -v n=$((b - a)) -v t="$idle" -v th="$threads" 'BEGIN {
	printf "agent idle: VmRSS %.1f MiB (peak %.1f MiB; private RssAnon %.1f MiB; the rest is\n", rss / 1024, hwm / 1024, anon / 1024
	printf "  shared libraries, umockdev preload included), %d thread(s)\n", th
	printf "agent idle: %d wakeups in %d s = %.3f wakeups/s (limit in SPEC 8: well under 1/s)\n", n, t, n / t
}'
