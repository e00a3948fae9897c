#!/bin/sh
# Agent footprint when idle (CONTRACT 8, issue 11), measured beside its limit in
# the same run:
#  - what stays resident is the capture process (`bbt-agent run` execs
#    bbt-agent-capture; sync is a process of its own that exits after its
#    pass): its PSS (/proc/PID/smaps_rollup) after BENCH_IDLE_S seconds
#    (default 30) idle under umockdev with a mocked touch frame, mouse and
#    keyboard, and its wakeups (context switches) per minute over that time.
#    umockdev-run LD_PRELOADs libumockdev-preload into it, which no
#    installed agent has: that library's own mappings are left out of the
#    figure (the output says how much that was, and the total with it);
#  - a minimal collectd (cpu, memory and csv plugins, its own config in the
#    temp dir, 10 s interval) started at the same time: its PSS, and the
#    ratio. Limits: capture PSS <= collectd's, and <= 2 MiB;
#  - the sync process's peak RSS (GNU time's %M) for one pass against a
#    real bbt-server: a heartbeat alone, then an upload of BENCH_SESSIONS
#    (default 1000) sessions.
# The largest PSS contributors of the capture process are listed too
# (smaps, by mapping), so a regression shows where it came from.
# Figures only; the pass/fail bound on wakeups is agent_run_idle.sh.
set -u
: "${BBT_BUILD:?}" "${BBT_TMP:=$(mktemp -d)}"
idle=${BENCH_IDLE_S:-30}
nsess=${BENCH_SESSIONS:-1000}
top=$(cd "$(dirname "$0")/.." && pwd)
data="$top/tests/data"
state="$BBT_TMP/state"; conf="$BBT_TMP/agent.conf"; log="$BBT_TMP/agent.log"
pidfile="$BBT_TMP/agent.pid"; ev="$BBT_TMP/none.events"
mkdir -p "$state" "$BBT_TMP/collectd"
printf '# EVEMU 1.3\n' >"$ev"
printf '[detector]\nidle_gap = 600\n' >"$conf"
for t in umockdev-run collectd; do
	command -v "$t" >/dev/null || { echo "$t missing (make deps)"; exit 1; }
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (make deps: time)"; exit 1; }

cat >"$BBT_TMP/collectd.conf" <<EOT
Hostname "bench"
BaseDir "$BBT_TMP/collectd"
PIDFile "$BBT_TMP/collectd/collectd.pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
Interval 10
LoadPlugin cpu
LoadPlugin memory
LoadPlugin csv
<Plugin csv>
  DataDir "$BBT_TMP/collectd/csv"
</Plugin>
EOT

umockdev-run -d "$data/touch-irtouch.umockdev" -d "$data/mouse-usb.umockdev" \
	-d "$data/keyboard-usb.umockdev" -e "/dev/input/event10=$ev" -- \
	sh -c 'echo $$ >"$0"; exec "$1" --config "$2" --state-dir "$3" run' \
	"$pidfile" "$BBT_BUILD/bbt-agent" "$conf" "$state" >"$log" 2>&1 &
umd=$!
collectd -f -C "$BBT_TMP/collectd.conf" >"$BBT_TMP/collectd.log" 2>&1 &
cd_pid=$!
srv_pid=
trap 'kill "$umd" "$cd_pid" $srv_pid 2>/dev/null || :' EXIT INT TERM
i=0
until grep -q "running:" "$log" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then echo "agent did not start:"; cat "$log"; exit 1; fi
	sleep 0.1
done
pid=$(cat "$pidfile")
comm=$(cat /proc/"$pid"/comm)
[ "$comm" = bbt-agent-captu ] || { echo "pid $pid is $comm, not the capture program"; exit 1; }
switches() {
	cat /proc/"$1"/task/*/status | awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 }
		END { print n + 0 }'
}
pss() { awk '/^Pss:/ { print $2 }' /proc/"$1"/smaps_rollup; }
# PSS of PID's mappings but those whose path matches RE ("" leaves none out).
pss_but() {
	awk -v re="$2" '/^[0-9a-f]+-[0-9a-f]+ / { skip = (re != "" && $6 ~ re); next }
		/^Pss:/ && !skip { n += $2 } END { print n + 0 }' /proc/"$1"/smaps
}
sleep 1
a=$(switches "$pid")
sleep "$idle"
b=$(switches "$pid")
kill -0 "$cd_pid" 2>/dev/null || { echo "collectd did not stay up:"; cat "$BBT_TMP/collectd.log"; exit 1; }
cap_all=$(pss_but "$pid" ""); cd_pss=$(pss "$cd_pid")
cap_pss=$(pss_but "$pid" libumockdev-preload)
cap_rss=$(awk '/^VmRSS:/ { print $2 }' /proc/"$pid"/status)
cap_threads=$(ls /proc/"$pid"/task | wc -l); cd_threads=$(ls /proc/"$cd_pid"/task | wc -l)
echo "capture process, largest PSS by mapping (KiB; umockdev's preload is a test artefact):"
awk '/^[0-9a-f]+-[0-9a-f]+ / { n = $6; if (n == "") n = "[anon]"; sub(".*/", "", n) }
	/^Pss:/ { p[n] += $2 } END { for (k in p) if (p[k] > 0) printf "%8d  %s\n", p[k], k }' \
	/proc/"$pid"/smaps | sort -rn | head -8
kill -TERM "$pid"
wait "$umd"
kill "$cd_pid"; wait "$cd_pid" 2>/dev/null

# The sync process: one pass against a real collector.
sdb="$BBT_TMP/server.db"; sst="$BBT_TMP/sync-state"
"$BBT_BUILD/bbt-server" --db "$sdb" school add 610102001 bench >/dev/null 2>&1
tok=$("$BBT_BUILD/bbt-server" --db "$sdb" token create --school 610102001 | tail -1)
: >"$BBT_TMP/serve.log"
"$BBT_BUILD/bbt-server" --db "$sdb" serve --listen 127.0.0.1:0 2>"$BBT_TMP/serve.log" &
srv_pid=$!
i=0
until grep -q 'listening on' "$BBT_TMP/serve.log"; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$BBT_TMP/serve.log"; exit 1; }
	sleep 0.1
done
url=$(sed -n 's/.*listening on \([0-9.:]*\) .*/http:\/\/\1\//p' "$BBT_TMP/serve.log" | head -1)
AG="$BBT_BUILD/bbt-agent --config /dev/null --state-dir $sst"
$AG enroll --server "$url" --token "$tok" --school 610102001 --room bench >/dev/null 2>&1 ||
	{ echo "enroll for the sync bench failed"; exit 1; }
peak() { /usr/bin/time -f %M -o "$BBT_TMP/time" $AG sync >/dev/null 2>&1; cat "$BBT_TMP/time"; }
hb_rss=$(peak)
seed="$BBT_BUILD/synctest/sync_seed"
if [ -x "$seed" ]; then
	"$seed" "$sst" "$nsess" 7200 1200 none >/dev/null
	up_rss=$(peak)
else
	up_rss=; echo "($seed not built: make sync-tests; upload pass not measured)"
fi
kill "$srv_pid"; wait "$srv_pid" 2>/dev/null; srv_pid=

awk -v cap="$cap_pss" -v all="$cap_all" -v cd="$cd_pss" -v rss="$cap_rss" -v n=$((b - a)) -v t="$idle" \
    -v th="$cap_threads" -v cth="$cd_threads" -v hb="$hb_rss" -v up="$up_rss" -v ns="$nsess" 'BEGIN {
	printf "capture idle: PSS %d KiB (VmRSS %d KiB, %d thread(s)); collectd (cpu, memory, csv; %d threads): PSS %d KiB\n", cap, rss, th, cth, cd
	printf "(run under umockdev: its libumockdev-preload mappings, %d KiB PSS, are left out of the capture figure; with them %d KiB)\n", all - cap, all
	printf "capture / collectd PSS = %.2f (limit 1.00); capture PSS %.2f MiB (limit 2.00): %s\n", cap / cd, cap / 1024, (cap <= cd && cap <= 2048) ? "met" : "NOT met"
	printf "capture idle: %d wakeups in %d s = %.1f wakeups/min (limit: well under 60/min)\n", n, t, n * 60 / t
	printf "sync process peak RSS per pass: heartbeat only %d KiB", hb
	if (up != "") printf "; upload of %d sessions %d KiB", ns, up
	printf " (it exits after the pass: nothing of it stays resident)\n"
}'
