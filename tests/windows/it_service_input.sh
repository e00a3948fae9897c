#!/bin/sh
# it_service_input: SendInput mouse and keyboard activity reaches the buffer
# through the real process model: bbt-agent.exe runs as the Windows service
# (registered with sc, started by wine's service manager), the helper reads
# Raw Input in the user's session and hands it over the named pipe, and the
# service's detector logs a session that `sessions --json` then shows.
# The service owns sync (CONTRACT 7): the closed session reaches a real Linux
# bbt-server on loopback by itself, promptly, with no `sync` run.
# Run by tests/windows/run.sh (WINEPREFIX, BBT_WIN, BBT_TMP set; the wine
# server kept alive with wineserver -p).
set -u
top=$(pwd)
SV=$top/build/bbt-server
d=$BBT_TMP/svc
mkdir -p "$d/状态"
DB=$d/bbt.db
state_w=$(winepath -w "$d/状态")
conf=$d/agent.conf
conf_w=$(winepath -w "$conf")
exe_w=$(winepath -w "$BBT_WIN/bbt-agent.exe")
fail() { echo "FAIL: $*"; cat "$d"/*.log 2>/dev/null | tail -30; exit 1; }

[ -x "$SV" ] || fail "no $SV (make all)"
"$SV" --db "$DB" serve --listen 127.0.0.1:0 2>"$d/server.log" &
spid=$!
trap 'kill $spid 2>/dev/null' EXIT
i=0
until grep -q 'listening on .*threads)' "$d/server.log" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "server did not start"
	sleep 0.1
done
port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$d/server.log" | head -1)
"$SV" --db "$DB" school add 610102001 "西安市第一小学" >/dev/null || fail "school add"
# The collector hands its detector settings to its devices: short ones here.
"$SV" --db "$DB" school set 610102001 --idle-gap 2 --min-session 1 >/dev/null ||
	fail "school set"
TOKEN=$("$SV" --db "$DB" token create --school 610102001 --uses 2 | tail -1)

# A room name in Chinese, a state dir with a Chinese name: UTF-8 throughout.
cat >"$conf" <<EOF
[server]
url = http://127.0.0.1:$port/
school = 610102001
room = 三年级二班
[detector]
idle_gap = 2
min_session = 1
[agent]
state_dir = $state_w
EOF

wine "$BBT_WIN/bbt-agent.exe" --config "$conf_w" enroll --token "$TOKEN" \
	>"$d/enroll.log" 2>&1 || fail "enroll"
ls "$d/状态" | grep -q 'tmp-' && fail "enroll left a temporary file: $(ls "$d/状态")"
stored() { sqlite3 -cmd ".timeout 5000" "$DB" "SELECT count(*) FROM sessions"; }
[ "$(stored)" = 0 ] || fail "sessions on the server before any input"

# (Our paths have no blanks: wine's sc keeps quotes inside binPath literally.)
find "$WINEPREFIX/drive_c" -path '*/bbt-agent/bbt-agent.log*' -delete
wine sc create bbt-agent binPath= "$exe_w --service --config $conf_w run" \
	>"$d/sc-create.log" 2>&1 || fail "sc create"
wine sc start bbt-agent >"$d/sc-start.log" 2>&1 || fail "sc start"
# The service creates the pipe; the helper connects (retrying) and registers.
wine "$BBT_WIN/bbt-agent-helper.exe" >"$d/helper.log" 2>&1 &
helper=$!
sleep 3
# 4 s of activity, then 4 s of nothing: idle_gap 2 ends the session.
wine "$BBT_WIN/tools/sendinput.exe" 4 17 >"$d/sendinput.log" 2>&1 || fail "sendinput"
t_end=$(date +%s)
# The session closes idle_gap after the last input; the service syncs it.
for i in $(seq 1 40); do
	[ "$(stored)" -ge 1 ] && break
	sleep 0.25
done
[ "$(stored)" -ge 1 ] || fail "the closed session did not reach the server within 10 s"
echo "on the server $(($(date +%s) - t_end)) s after the last input (idle_gap 2)"
wine sc stop bbt-agent >"$d/sc-stop.log" 2>&1
for i in 1 2 3 4 5 6 7 8 9 10; do
	wine sc query bbt-agent 2>/dev/null | grep -q STOPPED && break
	sleep 1
done
kill "$helper" 2>/dev/null
wine "$BBT_WIN/bbt-agent.exe" --config "$conf_w" sessions --json >"$d/sessions.json" \
	2>"$d/sessions.log" || fail "sessions --json"
cat "$d/sessions.json"
python3 - "$d/sessions.json" <<'EOF' || fail "no session from SendInput activity"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
assert len(lines) >= 1, "no session"
s = lines[0]
assert 3 <= s["duration_s"] <= 6, s
assert s["input"]["name"].startswith("Raw Input"), s
print("session", s["start"], s["duration_s"], "s from", s["input"]["name"])
EOF
# No journal on Windows: the service's lines are in its log file, in
# %ProgramData%\bbt-agent (wine 8 gives the service C:\users\Public).
svclog=$(find "$WINEPREFIX/drive_c" -path '*/bbt-agent/bbt-agent.log' | head -1)
[ -n "$svclog" ] || fail "no bbt-agent.log under %ProgramData%"
grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9:]{5} bbt-agent: info: running: ' \
	"$svclog" >/dev/null || fail "no 'running' line in $svclog: $(tail -5 "$svclog" 2>&1)"
grep -q 'bbt-agent: info: stopping' "$svclog" || fail "no 'stopping' line in $svclog"
wine sc delete bbt-agent >/dev/null 2>&1
echo "ok: SendInput -> helper -> pipe -> service -> buffer"
