#!/bin/sh
# Timetable import and points, end to end through the real server (issue 3):
# a GBK timetable with Chinese headers, sessions uploaded over HTTP by two
# enrolled devices, then `points` and GET /api/v1/points. Covers: the weekly
# cap and which sessions it credits, Sunday 23:50 / Monday 00:10 Shanghai sent
# in UTC, overlap-based attribution across two slots, unattributed sessions,
# a bad row reported with its line and nothing stored, re-import (UTF-8 BOM)
# replacing, a late session changing a past week, CSV with a BOM, --explain
# reasons, a period cutting a week, and school-admin scoping of the API.
# Covers server/cmd_timetable.c report_cmd*.c points*.c csvin.c
# timetable.c db_sqlite_points.c report.c rules.c.
set -eu
B=$BBT_BUILD; T=$BBT_TMP
. tests/integration/lib/server_query.sh
DB=$(test_db)
srv() { "$B/bbt-server" --db "$DB" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

srv school add 610102001 实验小学
srv school add 610102002 第二小学

# --- timetable: GBK with Chinese headers ------------------------------------
# tests/data/timetable-zh.csv (UTF-8), saved as Chinese Excel would: GB18030.
iconv -f UTF-8 -t GB18030 tests/data/timetable-zh.csv > "$T/tt-gbk.csv"
! iconv -f UTF-8 -t UTF-8 "$T/tt-gbk.csv" >/dev/null 2>&1 || fail "test file is not GBK"
srv timetable import "$T/tt-gbk.csv" > "$T/imp.out" 2>&1 || { cat "$T/imp.out"; fail "GBK import"; }
n=$(bbtq "$DB" 'len(r)' timetable list --school 610102001)
[ "$n" = 6 ] || fail "GBK import stored $n slots, want 6"

# --- a bad row: its line is reported and nothing of the file is stored ------
printf 'school,room,weekday,start,end,teacher_id,teacher_name\n' > "$T/bad.csv"
printf '610102002,一班,1,08:00,08:45,T100,甲\n' >> "$T/bad.csv"
printf '610102001,三年级二班,1,08:00,08:45,T009,乙\n' >> "$T/bad.csv"
printf '610102001,三年级二班,2,09:00,08:45,T009,乙\n' >> "$T/bad.csv"
if srv timetable import "$T/bad.csv" > "$T/bad.out" 2>&1; then fail "bad file accepted"; fi
grep -q 'bad.csv:4: end 08:45 is not after start 09:00' "$T/bad.out" || { cat "$T/bad.out"; fail "line"; }
n=$(bbtq "$DB" 'len(r)' timetable list)
[ "$n" = 6 ] || fail "bad file changed the timetable ($n slots)"

# --- devices and sessions ---------------------------------------------------
tok=$(srv token create --school 610102001 --uses 5 | tail -1)
admin=$(srv admin create bureau | tail -1)
sadmin=$(srv admin create school2 --school 610102002 | tail -1)
"$B/bbt-server" --db "$DB" serve --listen 127.0.0.1:0 2> "$T/serve.log" &
spid=$!
trap 'kill $spid 2>/dev/null || true' EXIT
i=0
while ! grep -q 'listening on .*threads)' "$T/serve.log"; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/serve.log"; fail "server did not start"; }
	sleep 0.1
done
url=http://$(sed -n 's/.*listening on \([0-9.:]*\).*/\1/p' "$T/serve.log" | head -1)
pub() { openssl genpkey -algorithm ed25519 2>/dev/null | openssl pkey -pubout -outform DER \
	2>/dev/null | tail -c 32 | base64; }
enroll() {
	curl -s -X POST "$url/api/v1/enroll" -H 'Content-Type: application/json' \
	    -d "{\"token\":\"$tok\",\"hw_id\":\"$1\",\"hostname\":\"$1\",\"school\":\"610102001\",\
\"room\":\"$2\",\"agent_version\":\"test\",\"public_key\":\"$(pub)\"}" |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["device_token"])'
}
dev1=$(enroll hw-1 三年级二班)
dev2=$(enroll hw-2 实验室)
# send TOKEN ID START DURATION_S TEACHER(or null)
send() {
	python3 - "$@" > "$T/body.json" <<'EOF'
import json, sys, datetime
tok, sid, start, dur, teacher = sys.argv[1:6]
s = datetime.datetime.fromisoformat(start)
e = s + datetime.timedelta(seconds=int(dur))
print(json.dumps({"agent_time": datetime.datetime.now(datetime.timezone.utc).isoformat(),
  "sessions": [{"id": sid, "start": start, "end": e.isoformat(), "duration_s": int(dur),
  "touches": 10, "active_minutes": 5, "teacher": None if teacher == "null" else teacher,
  "input": {"name": "IRTOUCH", "vid": "6615", "pid": "0070"}, "flags": []}]}))
EOF
	curl -s -X POST "$url/api/v1/sessions" -H "Authorization: Bearer $1" \
	    -H 'Content-Type: application/json' --data-binary @"$T/body.json" > "$T/reply.json"
	grep -q "\"accepted\":\[\"$2\"\]" "$T/reply.json" || { cat "$T/reply.json"; fail "upload $2"; }
}
u() { printf '00000000-0000-4000-8000-%012d' "$1"; }
# Week 2026-W47 (Mon 16 .. Sun 22 November), room 三年级二班:
send "$dev1" "$(u 1)" 2026-11-16T08:30:00+08:00 3600 null	# T001 15 min, T002 35 min
send "$dev1" "$(u 2)" 2026-11-17T08:00:00+08:00 2400 null	# T001 credited
send "$dev1" "$(u 3)" 2026-11-18T08:00:00+08:00 2400 null	# T001 credited
send "$dev1" "$(u 4)" 2026-11-19T08:00:00+08:00 2400 null	# T001 cap
send "$dev1" "$(u 5)" 2026-11-20T08:00:00+08:00 600 null	# T001 too short
send "$dev2" "$(u 6)" 2026-11-17T10:00:00+08:00 2400 null	# no timetable: unattributed
# A named teacher, W46 then the Sunday/Monday pair sent in UTC.
send "$dev1" "$(u 7)" 2026-11-10T12:00:00+08:00 1800 T003
send "$dev1" "$(u 8)" 2026-11-11T12:00:00+08:00 1800 T003
send "$dev1" "$(u 9)" 2026-11-15T15:50:00Z 1800 T003	# Sunday 23:50 Shanghai: W46, cap
send "$dev1" "$(u 10)" 2026-11-15T16:10:00Z 1800 T003	# Monday 00:10 Shanghai: W47

# --- points --explain ---------------------------------------------------------
srv points --week 2026-W47 --explain --format json > "$T/w47.json"
python3 - "$T/w47.json" <<'EOF' || fail "W47 explain"
import json, sys
rows = json.load(open(sys.argv[1]))
by = {r["teacher_id"]: r for r in rows}
def why(r): return {s["id"][-2:]: s["reason"] for s in r["sessions"]}
assert set(by) == {"T001", "T002", "T003", None}, by.keys()
t1 = by["T001"]
assert (t1["teacher_name"], t1["week"], t1["school"]) == ("张伟", "2026-W47", "610102001"), t1
assert (t1["qualifying"], t1["credited"], t1["points"]) == (3, 2, 10), t1
assert why(t1) == {"02": "credited", "03": "credited", "04": "weekly cap reached",
                   "05": "shorter than 15 min"}, why(t1)
assert by["T002"]["teacher_name"] == "李娜" and why(by["T002"]) == {"01": "credited"}
t3 = by["T003"]
assert why(t3) == {"10": "credited"}, t3
assert t3["sessions"][0]["start"] == "2026-11-16T00:10:00+08:00", t3
un = by[None]
assert un["teacher_name"] is None and un["points"] == 0 and why(un) == {"06": "unattributed"}
assert un["sessions"][0]["room"] == "实验室"
EOF
srv points --week 2026-W46 --explain --format json > "$T/w46.json"
python3 - "$T/w46.json" <<'EOF' || fail "W46"
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 1 and rows[0]["teacher_id"] == "T003" and rows[0]["week"] == "2026-W46"
assert [s["reason"] for s in rows[0]["sessions"]] == ["credited", "credited",
    "weekly cap reached"], rows
assert rows[0]["sessions"][2]["start"] == "2026-11-15T23:50:00+08:00"
EOF

# --- a period cutting the week still applies the whole week's cap -------------
srv points --from 2026-11-19 --to 2026-11-22 --explain --format json > "$T/cut.json"
python3 - "$T/cut.json" <<'EOF' || fail "cut period"
import json, sys
rows = {r["teacher_id"]: r for r in json.load(open(sys.argv[1]))}
t1 = rows["T001"]
assert (t1["qualifying"], t1["credited"], t1["points"]) == (1, 0, 0), t1
assert [s["reason"] for s in t1["sessions"]] == ["weekly cap reached", "shorter than 15 min"]
EOF

# --- CSV with a BOM, table with Chinese intact --------------------------------
srv points --week 2026-W47 --format csv --lang en > "$T/w47.csv"
[ "$(head -c 3 "$T/w47.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "CSV lacks BOM"
# (a school code starts with a TAB so that Excel keeps it text: docs/points.md)
grep -q "^T001,张伟,\"$(printf '\t')610102001\",2026-W47,3,2,10" "$T/w47.csv" ||
	{ cat "$T/w47.csv"; fail "CSV row"; }
srv points --week 2026-W47 > "$T/w47.txt"
grep -q '张伟' "$T/w47.txt" || fail "table lost Chinese"

# --- the rule file changes the numbers without a rebuild ----------------------
printf '[interactive_teaching]\npoints_per_session = 4\nmax_per_week = 3\n' > "$T/rules.ini"
"$B/bbt-server" --db "$DB" --rules "$T/rules.ini" points --week 2026-W47 --format csv --lang en \
    > "$T/rules.csv"
grep -q "^T001,张伟,\"$(printf '\t')610102001\",2026-W47,3,3,12" "$T/rules.csv" ||
	{ cat "$T/rules.csv"; fail "rules"; }
printf '[interactive_teaching]\nmax_per_weak = 3\n' > "$T/typo.ini"
if "$B/bbt-server" --db "$DB" --rules "$T/typo.ini" points > "$T/typo.out" 2>&1; then
	fail "a misspelt rule key was accepted"
fi
grep -q 'typo.ini:2: unknown key' "$T/typo.out" || { cat "$T/typo.out"; fail "rules error"; }

# --- the API gives the CLI's answer; a school admin is scoped -----------------
curl -s -H "Authorization: Bearer $admin" \
    "$url/api/v1/points?week=2026-W47&explain=1" > "$T/api.json"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1])) == json.load(open(sys.argv[2]))' \
    "$T/api.json" "$T/w47.json" || fail "API differs from CLI"
code=$(curl -s -o "$T/403.json" -w '%{http_code}' -H "Authorization: Bearer $sadmin" \
    "$url/api/v1/points?week=2026-W47&school=610102001")
[ "$code" = 403 ] || fail "school admin saw another school ($code)"
[ "$(curl -s -H "Authorization: Bearer $sadmin" "$url/api/v1/points?week=2026-W47")" = "[]" ] ||
	fail "school admin sees other schools' rows"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/points?week=2026-W47")
[ "$code" = 401 ] || fail "no token gave $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $admin" \
    "$url/api/v1/points?week=2026-W99")
[ "$code" = 400 ] || fail "bad week gave $code"

# --- a late session changes a past week ---------------------------------------
send "$dev1" "$(u 11)" 2026-11-16T07:00:00+08:00 1800 T001
srv points --week 2026-W47 --explain --format json > "$T/late.json"
python3 - "$T/late.json" <<'EOF' || fail "late session"
import json, sys
t1 = {r["teacher_id"]: r for r in json.load(open(sys.argv[1]))}["T001"]
why = {s["id"][-2:]: s["reason"] for s in t1["sessions"]}
assert why == {"11": "credited", "02": "credited", "03": "weekly cap reached",
               "04": "weekly cap reached", "05": "shorter than 15 min"}, why
assert (t1["qualifying"], t1["credited"], t1["points"]) == (4, 2, 10), t1
EOF

# --- re-import (UTF-8 with BOM) replaces the school's timetable ---------------
printf '\357\273\277school,room,weekday,start,end,teacher_id,teacher_name,subject\n' > "$T/tt2.csv"
printf '610102001,三年级二班,1,08:55,09:40,T005,赵强,数学\n' >> "$T/tt2.csv"
srv timetable import "$T/tt2.csv" > "$T/imp2.out" 2>&1 || { cat "$T/imp2.out"; fail "re-import"; }
n=$(bbtq "$DB" 'len(r)' timetable list --school 610102001)
[ "$n" = 1 ] || fail "re-import left $n slots, want 1"
srv points --week 2026-W47 --format json > "$T/re.json"
python3 - "$T/re.json" <<'EOF' || fail "re-attribution"
import json, sys
rows = {r["teacher_id"]: r for r in json.load(open(sys.argv[1]))}
assert rows["T005"]["teacher_name"] == "赵强" and rows["T005"]["points"] == 5, rows
assert "T002" not in rows
EOF
echo "server_points: ok"
