#!/bin/sh
# `bbt-agent status` and `sessions` through the real binary (agent/cmd_status.c,
# cmd_sessions.c, config.c, store.c): --config and --state-dir precedence, a
# bad config naming file:line:key, status on a machine with no buffer yet
# (which must not create one), then a buffer holding known sessions and meta:
# status text and --json, sessions table (aligned) and --json (CONTRACT 4.3 +
# "synced"), --since with a local date and with an ISO time.
set -u
AG="$BBT_BUILD/bbt-agent"
T="$BBT_TMP"
fail() { echo "FAIL: $*"; exit 1; }
export TZ=Asia/Shanghai
unset BBT_AGENT_CONFIG

# --- config precedence -------------------------------------------------
mkdir -p "$T/etc"
cat > "$T/etc/agent.conf" <<EOF
[server]
url = https://collector.example.edu.cn/   ; inline comment
[agent]
state_dir = $T/from-config   ; the file's state dir
EOF
"$AG" --config "$T/etc/agent.conf" status > "$T/out" || fail "status exit $?"
grep -q "state dir: *$T/from-config\$" "$T/out" || { cat "$T/out"; fail "[agent] state_dir"; }
grep -q "config: *$T/etc/agent.conf" "$T/out" || fail "config path not shown"
grep -q "enrollment: *not enrolled" "$T/out" || fail "enrollment line"
grep -q "buffer: *none yet" "$T/out" || fail "empty buffer line"
[ -e "$T/from-config" ] && fail "status created the state dir"
BBT_AGENT_CONFIG="$T/etc/agent.conf" "$AG" --state-dir "$T/cli" status > "$T/out" ||
	fail "status with env config"
grep -q "state dir: *$T/cli\$" "$T/out" || fail "--state-dir must win over the file"

printf '[detector]\nidle_gap = 600\n\nmin_session = soon\n' > "$T/etc/bad.conf"
"$AG" --config "$T/etc/bad.conf" status > "$T/out" 2> "$T/err" && fail "bad config accepted"
[ $? = 2 ] || fail "bad config: exit status not 2"
grep -q "$T/etc/bad.conf:4: \[detector\] min_session: 'soon' is not a number" "$T/err" ||
	{ cat "$T/err"; fail "error must name file:line:key"; }
"$AG" --config "$T/etc/missing.conf" status 2> "$T/err" && fail "missing --config accepted"
grep -q "missing.conf" "$T/err" || fail "missing config not named"

# --- a buffer with known content ---------------------------------------
ST="$T/state"
# Any store-opening command creates the schema; export then stops (not enrolled).
"$AG" --state-dir "$ST" export --out "$T" > /dev/null 2>&1
[ -f "$ST/buffer.db" ] || fail "no buffer.db made by the store"
[ "$(stat -c %a "$ST/buffer.db")" = 600 ] || fail "buffer.db not 0600"
[ "$(stat -c %a "$ST")" = 700 ] || fail "state dir not 0700"
A=11111111-1111-4111-8111-111111111111
B=22222222-2222-4222-8222-222222222222
C=33333333-3333-4333-8333-333333333333
# 2026-11-23 08:00:05+08:00 = 1795392005
sqlite3 "$ST/buffer.db" <<EOF || fail "seeding"
INSERT INTO sessions (id, start_s, end_s, utc_offset, duration_s, touches,
  active_minutes, teacher, input_name, input_vid, input_pid, flags, logged_at, acked_at)
VALUES
 ('$A', 1795392005, 1795394472, 28800, 2467, 311, 38, '', 'IRTOUCH Infrared Touch',
  '6615', '0070', 1, 1, 1795400000),
 ('$B', 1795478400, 1795479400, 28800, 1000, 5, 17, '张老师', '', '', '', 3, 2, NULL),
 ('$C', 1795564800, 1795652000, 28800, 87200, 9, 60, '', '', '', '', 0, 3, NULL);
INSERT INTO checkpoint (one, id, start_s, end_s, utc_offset, duration_s, touches,
  active_minutes, saved_at)
VALUES (1, '44444444-4444-4444-8444-444444444444', 1795600000, 1795600100, 28800, 100,
  1, 2, 1795600100);
INSERT INTO meta VALUES ('enrolled', '1'), ('device_id', 'dev-42'),
 ('server_url', 'https://collector.example.edu.cn/'),
 ('last_sync', '2026-11-23T09:00:00+08:00'), ('last_sync_error', 'HTTP 503'),
 ('clock_offset_s', '-7');
EOF

"$AG" --state-dir "$ST" status > "$T/out" || fail "status exit"
cat "$T/out"
grep -q "enrolled as dev-42 at https://collector.example.edu.cn/" "$T/out" || fail "enrolled"
grep -q "2 waiting to sync, 3 logged in total, open session: yes" "$T/out" || fail "counts"
grep -q "last sync: *2026-11-23T09:00:00+08:00" "$T/out" || fail "last sync"
grep -q "last error: *HTTP 503" "$T/out" || fail "last error"
grep -q "clock offset: *-7 s (local clock ahead of the server's)" "$T/out" || fail "offset"

"$AG" --state-dir "$ST" status --json > "$T/json" || fail "status --json exit"
python3 - "$T/json" <<'PY' || { cat "$T/json"; fail "status --json content"; }
import json, sys
s = json.load(open(sys.argv[1]))
assert s["enrolled"] is True and s["enrollment"] == "enrolled", s
assert s["device_id"] == "dev-42", s
assert s["outbox"] == 2 and s["logged"] == 3 and s["open_session"] is True, s
assert s["last_sync"] == "2026-11-23T09:00:00+08:00", s
assert s["last_sync_error"] == "HTTP 503" and s["clock_offset_s"] == -7, s
assert s["version"] and s["state_dir"].endswith("/state"), s
PY

sqlite3 "$ST/buffer.db" "UPDATE meta SET value = 'revoked' WHERE key = 'enrolled'"
"$AG" --state-dir "$ST" status > "$T/out"
grep -q "enrollment: *not enrolled (the server refused" "$T/out" || fail "revoked shown"
"$AG" --state-dir "$ST" status --json | grep -q '"enrolled":false' || fail "revoked json"

# --- sessions -----------------------------------------------------------
"$AG" --state-dir "$ST" sessions --json > "$T/lines" || fail "sessions --json exit"
python3 - "$T/lines" "$A" "$B" "$C" <<'PY' || { cat "$T/lines"; fail "sessions --json"; }
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 3, lines
objs = [json.loads(l) for l in lines]
assert [o["id"] for o in objs] == sys.argv[2:5], objs
a, b, c = objs
assert a == {"id": sys.argv[2], "start": "2026-11-23T08:00:05+08:00",
             "end": "2026-11-23T08:41:12+08:00", "duration_s": 2467, "touches": 311,
             "active_minutes": 38, "teacher": None,
             "input": {"name": "IRTOUCH Infrared Touch", "vid": "6615", "pid": "0070"},
             "flags": ["stuck_contact"], "synced": True}, a
assert b["teacher"] == "张老师" and b["input"] is None, b
assert b["flags"] == ["stuck_contact", "recovered"] and b["synced"] is False, b
assert c["flags"] == [] and c["synced"] is False, c
PY

# --since a local date (Asia/Shanghai midnight) and an ISO time.
"$AG" --state-dir "$ST" sessions --json --since 2026-11-24 > "$T/lines"
[ "$(wc -l < "$T/lines")" = 2 ] || fail "--since date: $(cat "$T/lines")"
grep -q "$A" "$T/lines" && fail "--since date kept an older session"
"$AG" --state-dir "$ST" sessions --json --since 2026-11-24T16:00:00Z > "$T/lines"
[ "$(wc -l < "$T/lines")" = 1 ] && grep -q "$C" "$T/lines" || fail "--since ISO"
"$AG" --state-dir "$ST" sessions --since 2026-13-01 2> "$T/err" && fail "bad date accepted"
"$AG" --state-dir "$ST" sessions --since 2026-11-24T08:00 2> /dev/null &&
	fail "time without offset accepted"

"$AG" --state-dir "$ST" sessions > "$T/table" || fail "sessions exit"
cat "$T/table"
[ "$(wc -l < "$T/table")" = 5 ] || fail "table: header, 3 rows, summary"
grep -q "^3 sessions, 2 not yet synced" "$T/table" || fail "summary line"
grep -q "^2026-11-23 08:00  08:41 .* 0:41:07 .* 311 .* 38  yes .*stuck_contact .*$A" \
	"$T/table" || fail "row of A"
grep -q "^2026-11-25 08:00  2026-11-26 08:13 .*24:13:20" "$T/table" ||
	fail "row spanning midnight shows the end date"
grep -q "stuck_contact,recovered" "$T/table" || fail "flags list"
# Aligned: every row has its SYNCED cell where the header has it (bytes,
# since the data are ASCII up to that column).
col=$(head -1 "$T/table" | awk '{ print index($0, "SYNCED") }')
sed -n '2,4p' "$T/table" | while IFS= read -r l; do
	cell=$(printf '%s\n' "$l" | cut -c"$col"-"$((col + 2))")
	case "$cell" in yes|"no ") ;; *) fail "misaligned row: $l";; esac
done || exit 1

# Read-only commands on a fresh dir make nothing.
"$AG" --state-dir "$T/none" sessions --json > "$T/lines" || fail "sessions, no buffer"
[ -s "$T/lines" ] && fail "sessions printed something from nothing"
[ -e "$T/none" ] && fail "sessions created the state dir"
echo "agent_store_cli: ok"
