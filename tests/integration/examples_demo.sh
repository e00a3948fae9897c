#!/bin/sh
# `make demo` (examples/demo.sh) end to end, so the README's first command
# cannot rot: it must finish, print the week's points as the generator's
# plan makes them (CONTRACT 5.4: 2 credited per teacher and week, 5 points
# each; unattributed sessions earn nothing), list the five enrolled
# classroom PCs, and leave no process running.
set -eu
BBT_DEMO_KEEP=0 sh examples/demo.sh > "$BBT_TMP/demo.log" 2>&1 ||
	{ cat "$BBT_TMP/demo.log"; echo "FAIL: demo did not finish"; exit 1; }
fail() { cat "$BBT_TMP/demo.log"; echo "FAIL: $*"; exit 1; }
row() { grep -E "^$1 " "$BBT_TMP/demo.log" | head -1 | awk '{ print $(NF-2), $(NF-1), $NF }'; }
[ "$(row T1001)" = "5 2 10" ] || fail "T1001: $(row T1001), want 5 qualifying, 2 credited, 10"
[ "$(row T1006)" = "1 1 5" ] || fail "T1006: $(row T1006), want 1 1 5"
[ "$(row T2001)" = "2 2 10" ] || fail "T2001 (the second school): $(row T2001)"
grep -q '0 accepted, 4 duplicate' "$BBT_TMP/demo.log" || fail "re-import was not all duplicates"
sed -n '/==> devices/,/==> done/p' "$BBT_TMP/demo.log" > "$BBT_TMP/devices"
for room in 三年级二班 四年级一班 五年级三班 一年级一班 六年级二班; do
	grep -q "$room" "$BBT_TMP/devices" || fail "devices report lacks the PC in $room"
done
# The demo's own collector (its database is in a /tmp/bbt-demo.* dir):
# other scripts may run their servers from the same build at the same time.
if pgrep -f "$BBT_BUILD/bbt-server --db /tmp/bbt-demo\." > /dev/null; then
	fail "demo left a bbt-server running"
fi
echo "examples_demo: ok"
