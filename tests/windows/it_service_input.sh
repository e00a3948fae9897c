#!/bin/sh
# it_service_input: SendInput mouse and keyboard activity reaches the buffer
# through the real process model: bbt-agent.exe runs as the Windows service
# (registered with sc, started by wine's service manager), the helper reads
# Raw Input in the user's session and hands it over the named pipe, and the
# service's detector logs a session that `sessions --json` then shows.
# Run by tests/windows/run.sh (WINEPREFIX, BBT_WIN, BBT_TMP set; the wine
# server kept alive with wineserver -p).
set -u
d=$BBT_TMP/svc
mkdir -p "$d/状态"
state_w=$(winepath -w "$d/状态")
conf=$d/agent.conf
conf_w=$(winepath -w "$conf")
exe_w=$(winepath -w "$BBT_WIN/bbt-agent.exe")
fail() { echo "FAIL: $*"; cat "$d"/*.log 2>/dev/null | tail -30; exit 1; }

# A room name in Chinese, a state dir with a Chinese name: UTF-8 throughout.
cat >"$conf" <<EOF
[server]
room = 三年级二班
[detector]
idle_gap = 2
min_session = 1
[agent]
state_dir = $state_w
EOF

# (Our paths have no blanks: wine's sc keeps quotes inside binPath literally.)
wine sc create bbt-agent binPath= "$exe_w --service --config $conf_w run" \
	>"$d/sc-create.log" 2>&1 || fail "sc create"
wine sc start bbt-agent >"$d/sc-start.log" 2>&1 || fail "sc start"
# The service creates the pipe; the helper connects (retrying) and registers.
wine "$BBT_WIN/bbt-agent-helper.exe" >"$d/helper.log" 2>&1 &
helper=$!
sleep 3
# 4 s of activity, then 4 s of nothing: idle_gap 2 ends the session.
wine "$BBT_WIN/tools/sendinput.exe" 4 17 >"$d/sendinput.log" 2>&1 || fail "sendinput"
sleep 4
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
wine sc delete bbt-agent >/dev/null 2>&1
echo "ok: SendInput -> helper -> pipe -> service -> buffer"
