#!/bin/sh
# `bbt-server stats` and GET /api/v1/stats (server/stats.c, CONTRACT 5.6)
# checked against a small district computed by hand (2026-W47):
#   碑林区 610102001 A: timetable rooms 101-105 (5); devices in 101 and 103.
#       101: 45-min sessions Mon, Tue, Wed (teacher T1: capped at 2 = 10
#       points) and a 10-min one Thu (not qualifying); 103: 20 min Fri
#       (T2's slot: 5 points). Active 2 of 5 = 40.0%; qualifying 4;
#       hours (3*2700 + 1200) / 3600 = 2.6; points 15.
#       Live lesson 1 delivered from 101: 1 scheduled, 1 delivered.
#   碑林区 610102002 B: rooms 201-203 (3); a device in 201 that never
#       reported. Nothing active: 0.0%; lesson 1 received in 201: unknown.
#   district 碑林区: 8 rooms, 3 devices, 2 seen, 2 active = 25.0%.
#   雁塔区 610113001 C: no timetable; one device in 301 with a 30-min
#       session (unattributed: no points): 1 of 1 = 100.0%.
#   total: 3 of 9 rooms = 33.3%; hours (9300 + 1800) / 3600 = 3.1.
. tests/server/lib.sh
srv school add 610102001 "西安市第一小学" --district 碑林区 > /dev/null
srv school add 610102002 "西安市第二小学" --district 碑林区 > /dev/null
srv school add 610113001 "雁塔区第一小学" --district 雁塔区 > /dev/null
for s in 610102001 610102002 610113001; do
	eval "tok_$s=\$(srv token create --school $s --uses 5 | tail -1)"
done
admin=$(srv admin create 教育局 | tail -1)
badmin=$(srv admin create 二小 --school 610102002 | tail -1)
cat > "$T/tt.csv" <<EOT
school,room,weekday,start,end,teacher_id,teacher_name,subject
610102001,101,1,08:00,08:45,T1,王芳,数学
610102001,101,2,08:00,08:45,T1,王芳,数学
610102001,101,3,08:00,08:45,T1,王芳,数学
610102001,101,4,08:00,08:45,T1,王芳,数学
610102001,102,1,09:00,09:45,T3,李强,语文
610102001,103,5,10:00,10:40,T2,张敏,英语
610102001,104,1,09:00,09:45,T3,李强,语文
610102001,105,1,09:00,09:45,T3,李强,语文
610102002,201,1,08:00,08:45,T9,刘洋,数学
610102002,202,1,08:00,08:45,T9,刘洋,数学
610102002,203,1,08:00,08:45,T9,刘洋,数学
EOT
srv timetable import "$T/tt.csv" > /dev/null || fail "timetable"
H='序号,授课类型,学科,主讲教师,地市（县区）,单位,课程名称,开课时间,学段,年级,学校排课负责人,联系方式,平台,备注,教室,接收单位,接收教室'
printf '%s\n1,专递课堂,数学,王芳,碑林区,610102001,分数,11月16日 8:00-8:45,,,,,,,101,610102002,201\n' \
	"$H" > "$T/live.csv"
srv schedule import "$T/live.csv" --year 2026 > /dev/null || fail "schedule"
start_server
expect 201 "$(enroll "$tok_610102001" hw-101 101)" "enroll"; a101=$(jget device_token)
expect 201 "$(enroll "$tok_610102001" hw-103 103)" "enroll"; a103=$(jget device_token)
expect 201 "$(enroll "$tok_610102002" hw-201 201)" "enroll"
expect 201 "$(enroll "$tok_610113001" hw-301 301)" "enroll"; c301=$(jget device_token)
send "$a101" 2026-11-16T08:00:00 2026-11-16T08:45:00 2026-11-17T08:00:00 2026-11-17T08:45:00 \
	2026-11-18T08:00:00 2026-11-18T08:45:00 2026-11-19T08:00:00 2026-11-19T08:10:00
send "$a103" 2026-11-20T10:00:00 2026-11-20T10:20:00
send "$c301" 2026-11-18T14:00:00 2026-11-18T14:30:00
# A session outside the period counts nowhere.
send "$c301" 2026-11-23T08:00:00 2026-11-23T08:40:00

srv stats --from 2026-11-16 --to 2026-11-22 --format json > "$T/s.json"
python3 - "$T/s.json" <<'PY' || fail "stats figures"
import json, sys
rows = json.load(open(sys.argv[1]))
key = lambda r: (r["level"], r["school"] or r["district"] or "")
got = {key(r): r for r in rows}
cols = ["classrooms", "enrolled_devices", "devices_seen", "active_classrooms",
        "coverage_pct", "qualifying_sessions", "teaching_hours", "points",
        "live_scheduled", "live_delivered", "live_partial", "live_missed", "live_unknown"]
want = {
    ("school", "610102001"): [5, 2, 2, 2, 40.0, 4, 2.6, 15, 1, 1, 0, 0, 0],
    ("school", "610102002"): [3, 1, 0, 0, 0.0, 0, 0.0, 0, 1, 0, 0, 0, 1],
    ("district", "碑林区"): [8, 3, 2, 2, 25.0, 4, 2.6, 15, 2, 1, 0, 0, 1],
    ("school", "610113001"): [1, 1, 1, 1, 100.0, 1, 0.5, 0, 0, 0, 0, 0, 0],
    ("district", "雁塔区"): [1, 1, 1, 1, 100.0, 1, 0.5, 0, 0, 0, 0, 0, 0],
    ("total", ""): [9, 4, 3, 3, 33.3, 5, 3.1, 15, 2, 1, 0, 0, 1],
}
assert [key(r) for r in rows] == list(want), [key(r) for r in rows]
for k, v in want.items():
    assert [got[k][c] for c in cols] == v, (k, [got[k][c] for c in cols], v)
assert got[("school", "610102001")]["name"] == "西安市第一小学"
assert got[("school", "610102001")]["district"] == "碑林区"
PY

srv stats --from 2026-11-16 --to 2026-11-22 > "$T/table"
grep -q '碑林区' "$T/table" && grep -q '33.3' "$T/table" || { cat "$T/table"; fail "table"; }
srv stats --from 2026-11-16 --to 2026-11-22 --format csv --lang en > "$T/csv"
head -c 3 "$T/csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "CSV without BOM"
if srv stats --from 2026-11-16 > /dev/null 2>&1; then fail "--from without --to accepted"; fi

# HTTP: the same figures; a school admin gets only their school's row.
expect 200 "$(req GET '/api/v1/stats?from=2026-11-16&to=2026-11-22' "$admin")" "bureau"
python3 -c 'import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2])); assert a == b' \
	"$T/reply" "$T/s.json" || fail "API and CLI differ"
expect 200 "$(req GET '/api/v1/stats?from=2026-11-16&to=2026-11-22' "$badmin")" "school"
python3 -c 'import json, sys; rows = json.load(open(sys.argv[1]))
assert [(r["level"], r["school"]) for r in rows] == [("school", "610102002")], rows' \
	"$T/reply" || fail "school admin scope"
expect 400 "$(req GET '/api/v1/stats?to=2026-11-22' "$admin")" "to without from"
echo "server_stats: ok"
