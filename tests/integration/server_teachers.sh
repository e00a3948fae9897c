#!/bin/sh
# `bbt-server teachers` and GET /api/v1/teachers (server/teachers.c, CONTRACT
# 5.1) on a three-week term (2026-11-02 .. 2026-11-22, W45-W47) with late
# offline data (a real signed bundle: agent export, server import), held
# against hand-computed rows and against `points` summed over the same
# weeks (the two must never differ).
#   610102001: 101 Mon-Thu 08:00 T1 王芳; 102 and 104 Mon 09:00 李强 under two
#     ids (T3, T4: an ambiguous name); 103 Fri 10:00 T2 张敏.
#   610102002: 201 Mon 08:00 T9 刘洋.
#   T1: W45 Mon Tue Wed 45 min (3 qualifying, capped at 2); W46 Wed 45 min
#     and Thu 10 min; W47 Mon 40 min; outside the term W44 and W48.
#     Before the late data: 6 sessions, 5 qualifying, 4 credited, 20 points,
#     13200 s = 3.7 h, 3 weeks. Late W46 Mon and Tue 45 min: the week
#     becomes 4 sessions, 3 qualifying, 2 credited, so 8, 7, 5, 25 points,
#     18600 s = 5.2 h. Live: lesson 1 (王芳, delivered) counts; lesson 2
#     (李强: two ids) and 3 (赵六: no such teacher) are delivered but count
#     for nobody; lesson 4 (王芳, missed) does not count.
#   T2: W47 Fri 20 min: 1, 1, 1, 5 points, 0.3 h.  T9: W46 Mon 30 min: 5.
#   Unattributed (101 Saturday 30 min): 1 session, 1 qualifying, 0 points.
. tests/server/lib.sh
srv school add 610102001 "西安市第一小学" --district 碑林区 > /dev/null
srv school add 610102002 "西安市第二小学" --district 碑林区 > /dev/null
tokA=$(srv token create --school 610102001 --uses 5 | tail -1)
tokB=$(srv token create --school 610102002 --uses 5 | tail -1)
admin=$(srv admin create 教育局 | tail -1)
badmin=$(srv admin create 二小 --school 610102002 | tail -1)
cat > "$T/tt.csv" <<EOT
school,room,weekday,start,end,teacher_id,teacher_name,subject
610102001,101,1,08:00,08:45,T1,王芳,数学
610102001,101,2,08:00,08:45,T1,王芳,数学
610102001,101,3,08:00,08:45,T1,王芳,数学
610102001,101,4,08:00,08:45,T1,王芳,数学
610102001,102,1,09:00,09:45,T3,李强,语文
610102001,104,1,09:00,09:45,T4,李强,体育
610102001,103,5,10:00,10:40,T2,张敏,英语
610102002,201,1,08:00,08:45,T9,刘洋,数学
EOT
srv timetable import "$T/tt.csv" > /dev/null || fail "timetable"
H='序号,授课类型,学科,主讲教师,地市（县区）,单位,课程名称,开课时间,学段,年级,学校排课负责人,联系方式,平台,备注,教室'
{
	echo "$H"
	echo '1,专递课堂,数学,王芳,碑林区,610102001,分数,11月16日 8:00-8:40,,,,,,,101'
	echo '2,专递课堂,语文,李强,碑林区,610102001,古诗,11月2日 8:00-8:45,,,,,,,101'
	echo '3,专递课堂,语文,赵六,碑林区,610102001,作文,11月3日 8:00-8:45,,,,,,,101'
	echo '4,专递课堂,数学,王芳,碑林区,610102001,小数,11月4日 10:00-10:45,,,,,,,101'
} > "$T/live.csv"
srv schedule import "$T/live.csv" --year 2026 > /dev/null || fail "schedule"
start_server
expect 201 "$(enroll "$tokA" hw-101 101)" "enroll"; a101=$(jget device_token)
expect 201 "$(enroll "$tokA" hw-103 103)" "enroll"; a103=$(jget device_token)
expect 201 "$(enroll "$tokB" hw-201 201)" "enroll"; b201=$(jget device_token)
send "$a101" 2026-10-26T08:00:00 2026-10-26T08:45:00 \
	2026-11-02T08:00:00 2026-11-02T08:45:00 2026-11-03T08:00:00 2026-11-03T08:45:00 \
	2026-11-04T08:00:00 2026-11-04T08:45:00 2026-11-07T14:00:00 2026-11-07T14:30:00 \
	2026-11-11T08:00:00 2026-11-11T08:45:00 2026-11-12T08:00:00 2026-11-12T08:10:00 \
	2026-11-16T08:00:00 2026-11-16T08:40:00 2026-11-23T08:00:00 2026-11-23T08:45:00
send "$a103" 2026-11-20T10:00:00 2026-11-20T10:20:00
send "$b201" 2026-11-09T08:00:00 2026-11-09T08:30:00

TERM_ARGS="--from 2026-11-02 --to 2026-11-22"
# check FILE T1-ROW: the rows by hand, and equal to points summed by week.
check() {
	for w in 45 46 47; do srv points --week 2026-W$w --format json > "$T/p$w.json"; done
	srv points $TERM_ARGS --format json > "$T/pterm.json"
	python3 - "$1" "$2" "$T" <<'PY' || fail "teachers rows ($2)"
import json, sys
rows = json.load(open(sys.argv[1])); t1 = json.loads(sys.argv[2]); T = sys.argv[3]
cols = ["teacher_id", "teacher_name", "school", "sessions", "qualifying", "credited",
        "points", "teaching_hours", "weeks_credited", "live_delivered", "first", "last"]
want = [
    ["T1", "王芳", "610102001"] + t1 + [1, "2026-11-02T08:00:00+08:00",
                                        "2026-11-16T08:40:00+08:00"],
    ["T2", "张敏", "610102001", 1, 1, 1, 5, 0.3, 1, 0, "2026-11-20T10:00:00+08:00",
     "2026-11-20T10:20:00+08:00"],
    ["T9", "刘洋", "610102002", 1, 1, 1, 5, 0.5, 1, 0, "2026-11-09T08:00:00+08:00",
     "2026-11-09T08:30:00+08:00"],
    [None, None, "610102001", 1, 1, 0, 0, 0.5, 0, 0, "2026-11-07T14:00:00+08:00",
     "2026-11-07T14:30:00+08:00"],
]
got = [[r[c] for c in cols] for r in rows]
assert list(rows[0].keys()) == cols, list(rows[0].keys())
assert got == want, (got, want)
# The same totals as `points`, week by week and over the term.
for src in (["p45", "p46", "p47"], ["pterm"]):
    s = {}
    for f in src:
        for p in json.load(open(f"{T}/{f}.json")):
            k = (p["school"], p["teacher_id"])
            a = s.setdefault(k, [0, 0, 0, 0])
            a[0] += p["qualifying"]; a[1] += p["credited"]; a[2] += p["points"]
            a[3] += p["credited"] > 0
    mine = {(r["school"], r["teacher_id"]): [r["qualifying"], r["credited"], r["points"],
            r["weeks_credited"]] for r in rows}
    assert mine == s, (src, mine, s)
PY
}
srv teachers $TERM_ARGS --format json > "$T/t1.json" || fail "teachers"
check "$T/t1.json" '[6, 5, 4, 20, 3.7, 3]'

# Late offline data for W46, as it really arrives: a PC of room 101 that
# never synced logs two earlier sessions, its agent exports them as a
# signed bundle (`bbt-agent export`) and the officer imports it on the
# collector (`bbt-server import`). They take the week's credits.
SEED=$B/synctest/sync_seed
[ -x "$SEED" ] || fail "missing $SEED: build it with make sync-tests"
mkdir "$T/pc"
printf '[server]\nurl = %s/\nschool = 610102001\nroom = 101\n' "$URL" > "$T/pc.conf"
ag() { BBT_HW_ID=hw-101-offline "$B/bbt-agent" --config "$T/pc.conf" --state-dir "$T/pc" "$@"; }
ag enroll --server "$URL/" --token "$tokA" --school 610102001 --room 101 > /dev/null ||
	fail "agent enroll"
# sync_seed logs a session starting AGO seconds ago, 2700 s (45 min) long.
for at in 2026-11-09T08:00:00 2026-11-10T08:00:00; do
	ago=$(python3 -c 'import datetime as d, sys, time
print(int(time.time() - d.datetime.fromisoformat(sys.argv[1] + "+08:00").timestamp()))' "$at")
	"$SEED" "$T/pc" 1 "$ago" 2700 none > /dev/null || fail "seed"
done
mkdir "$T/usb"
ag export --out "$T/usb" > /dev/null || fail "agent export"
srv import "$T/usb"/*.bbtb > "$T/import" || { cat "$T/import"; fail "import"; }
grep -q ': 2 accepted, 0 duplicate, 0 rejected' "$T/import" || { cat "$T/import"; fail "import"; }
srv teachers $TERM_ARGS --format json > "$T/t2.json" || fail "teachers after late data"
check "$T/t2.json" '[8, 7, 5, 25, 5.2, 3]'

# verify holds the two delivered lessons that count for nobody.
srv verify $TERM_ARGS --format json > "$T/v.json"
python3 -c 'import json, sys
st = {r["seq"]: r["status"] for r in json.load(open(sys.argv[1]))}
assert st == {"1": "delivered", "2": "delivered", "3": "delivered", "4": "missed"}, st' \
	"$T/v.json" || fail "verify statuses"

# --school; table and csv; a typo'd school is an error.
srv teachers $TERM_ARGS --school 610102002 --format json > "$T/b.json"
python3 -c 'import json, sys; rows = json.load(open(sys.argv[1]))
assert [r["teacher_id"] for r in rows] == ["T9"], rows' "$T/b.json" || fail "--school"
srv teachers $TERM_ARGS > "$T/table" || fail "table"
grep -q '王芳' "$T/table" && grep -q '5.2' "$T/table" || { cat "$T/table"; fail "table"; }
srv teachers $TERM_ARGS --format csv --lang en > "$T/csv" || fail "csv"
head -c 3 "$T/csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "CSV without BOM"
# xlsx: Chinese headers, the school code a text cell, times Excel date-times.
srv teachers $TERM_ARGS --format xlsx --out "$T/t.xlsx" || fail "xlsx"
python3 - "$T/t.xlsx" <<'PY' || fail "xlsx content"
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
sheet = z.read("xl/worksheets/sheet1.xml").decode()
strings = re.findall(r"<t[^>]*>([^<]*)</t>", z.read("xl/sharedStrings.xml").decode())
assert strings[:3] == ["教师工号", "教师姓名", "学校代码"], strings[:3]
cell = lambda ref: re.search(r'<c r="%s"([^>]*)>(?:<v>([^<]*)</v>)?' % ref, sheet)
c2 = cell("C2")                       # 610102001: text, not the number 610102001
assert 't="s"' in c2.group(1) and strings[int(c2.group(2))] == "610102001", c2.groups()
g2 = cell("G2")                       # points: a number
assert 't="s"' not in g2.group(1) and g2.group(2) == "25", g2.groups()
k2 = cell("K2")                       # first: 2026-11-02 08:00 as an Excel serial
assert 't=' not in k2.group(1) and 's=' in k2.group(1), k2.groups()
assert abs(float(k2.group(2)) - (46328 + 8 / 24)) < 1e-6, k2.groups()
PY
set +e
srv teachers $TERM_ARGS --format xlsx > /dev/null 2>&1; rc=$?
set -e
[ $rc = 2 ] || fail "xlsx without --out: exit $rc"
if srv teachers $TERM_ARGS --school 999 > /dev/null 2>&1; then fail "unknown school"; fi
if srv teachers --from 2026-11-02 > /dev/null 2>&1; then fail "--from without --to"; fi

# HTTP: the same rows; a school admin sees only their school.
expect 200 "$(req GET '/api/v1/teachers?from=2026-11-02&to=2026-11-22' "$admin")" "bureau"
python3 -c 'import json, sys
assert json.load(open(sys.argv[1])) == json.load(open(sys.argv[2]))' \
	"$T/reply" "$T/t2.json" || fail "API and CLI differ"
expect 200 "$(req GET '/api/v1/teachers?from=2026-11-02&to=2026-11-22' "$badmin")" "school"
python3 -c 'import json, sys; rows = json.load(open(sys.argv[1]))
assert [r["teacher_id"] for r in rows] == ["T9"], rows' "$T/reply" || fail "school scope"
expect 403 "$(req GET '/api/v1/teachers?from=2026-11-02&to=2026-11-22&school=610102001' \
	"$badmin")" "other school"
expect 400 "$(req GET '/api/v1/teachers?to=2026-11-22' "$admin")" "to without from"
echo "server_teachers: ok"
