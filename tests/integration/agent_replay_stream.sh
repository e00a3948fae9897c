#!/bin/sh
# `bbt-agent replay` streams its input (agent/evemu.c evemu_open/next,
# cmd_replay.c): a 28 MB recording is replayed with a peak RSS that does
# not grow with it (under 24 MB; before, the whole file and every event
# were held: ~97 MB for a 58 MB recording). Peak RSS by /usr/bin/time -v.
set -u
AG="$BBT_BUILD/bbt-agent"
T="$BBT_TMP"
fail() { echo "FAIL: $*"; exit 1; }
[ -x /usr/bin/time ] || fail "/usr/bin/time is not installed (make deps: time)"
unset BBT_AGENT_CONFIG
: > "$T/agent.conf"
awk 'BEGIN { printf "# EVEMU 1.3\nN: IRTOUCH\nI: 0003 6615 0070 0110\nA: 2f 0 9 0 0 0\n"
	for (i = 0; i < 120000; i++) { t = i * 0.5; u = t + 0.1
		printf "E: %.6f 0003 0039 %d\nE: %.6f 0003 0035 %d\n", t, 100 + i % 1000, t, 1000 + i % 500
		printf "E: %.6f 0003 0036 2000\nE: %.6f 0001 014a 1\nE: %.6f 0000 0000 0\n", t, t, t
		printf "E: %.6f 0003 0039 -1\nE: %.6f 0001 014a 0\nE: %.6f 0000 0000 0\n", u, u, u } }' \
	> "$T/big.events"
/usr/bin/time -v "$AG" --config "$T/agent.conf" --state-dir "$T/st" replay \
	--start 2026-11-23T08:00:00+08:00 "$T/big.events" > "$T/out" 2> "$T/err" ||
	{ tail "$T/err"; fail "replay"; }
[ "$(wc -l < "$T/out")" = 1 ] || fail "want the one 16 h session, got $(wc -l < "$T/out")"
rss=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$T/err")
echo "replayed $(wc -c < "$T/big.events") bytes with a peak RSS of $rss KiB"
[ -n "$rss" ] && [ "$rss" -lt 24576 ] || fail "peak RSS $rss KiB: replay holds its input"
