#!/bin/sh
# it_sync_server: the Windows agent (under wine) against a real Linux
# bbt-server on loopback: enroll with a token of a school, replay a
# recorded lesson into its buffer, sync it (exit 0, the collector stores
# it with the Chinese room name), then export a signed bundle of a second
# lesson that `bbt-server import` accepts. Same protocol, same records.
# Run by tests/windows/run.sh (WINEPREFIX, BBT_WIN, BBT_TMP set).
set -u
top=$(pwd)
SV=$top/build/bbt-server
d=$BBT_TMP/sync
mkdir -p "$d/st" "$d/usb"
DB=$d/bbt.db
fail() { echo "FAIL: $*"; tail -n 20 "$d"/*.log 2>/dev/null; exit 1; }
[ -x "$SV" ] || fail "no $SV (make all)"
S() { "$SV" --db "$DB" "$@"; }

"$SV" --db "$DB" serve --listen 127.0.0.1:0 2>"$d/server.log" &
spid=$!
trap 'kill $spid 2>/dev/null' EXIT
i=0
until grep -q 'listening on .*threads)' "$d/server.log" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "server did not start"
	sleep 0.1
done
port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$d/server.log" | head -1)
URL="http://127.0.0.1:$port/"
S school add 610102001 "西安市第一小学" >/dev/null || fail "school add"
TOKEN=$(S token create --school 610102001 --uses 5 | tail -1)

conf=$d/agent.conf
cat >"$conf" <<EOT
[server]
url = $URL
school = 610102001
room = 三年级二班
[agent]
state_dir = $(winepath -w "$d/st")
EOT
conf_w=$(winepath -w "$conf")
AG() { wine "$BBT_WIN/bbt-agent.exe" --config "$conf_w" "$@"; }

AG enroll --token "$TOKEN" >"$d/enroll.log" 2>&1 || fail "enroll"
python3 tests/gen/gen-lessons.py --seed 7 day "$d/day" >/dev/null || fail "generator"
AG replay --start 2026-11-23T08:00:00+08:00 "$(winepath -w "$d/day/touch.events")" \
	>"$d/replay.json" 2>"$d/replay.log" || fail "replay"
n=$(grep -c '"id"' "$d/replay.json")
[ "$n" -ge 1 ] || fail "replay logged no session"
AG sync >"$d/sync.log" 2>&1 || fail "sync"
stored=$(sqlite3 "$DB" "SELECT count(*) FROM sessions")
[ "$stored" = "$n" ] || fail "collector stored $stored of $n sessions"
room=$(sqlite3 "$DB" "SELECT DISTINCT d.room FROM devices d" 2>/dev/null ||
	sqlite3 "$DB" ".dump" | grep -o '三年级二班' | head -1)
echo "$room" | grep -q '三年级二班' || fail "room name not intact: $room"

# Offline: a second lesson exported to a USB stick, imported at the collector.
AG replay --start 2026-11-24T08:00:00+08:00 "$(winepath -w "$d/day/touch.events")" \
	>"$d/replay2.json" 2>>"$d/replay.log" || fail "replay 2"
n2=$(grep -c '"id"' "$d/replay2.json")
AG export --out "$(winepath -w "$d/usb")" >"$d/export.log" 2>&1 || fail "export"
B=$(ls "$d/usb"/*.bbtb) || fail "no bundle written"
S import "$B" >"$d/import.log" 2>&1 || fail "import"
grep -q ": $n2 accepted, 0 duplicate, 0 rejected" "$d/import.log" || fail "import summary"
echo "ok: enrolled, synced $n, exported and imported $n2"
