#!/bin/sh
# Live-lesson verification end to end (server/schedule.c, verify.c, issue 5):
# a GBK schedule in the provincial layout, sessions uploaded by real
# enrolled devices, and every status at both ends: delivered (80% exactly;
# two sessions with a gap), partial (just under 80%), missed (the device
# reported after the slot), unknown (it has not; a lesson in the future),
# no_device. Malformed rows are refused with line numbers, storing nothing;
# re-importing updates; late data turns unknown into a final status; the
# HTTP endpoint keeps a school admin to their own ends.
. tests/server/lib.sh
SA=610102001; SB=610102002
srv school add $SA "西安市第一小学" > /dev/null
srv school add $SB "西安市第二小学" > /dev/null
ta=$(srv token create --school $SA --uses 5 | tail -1)
tb=$(srv token create --school $SB --uses 5 | tail -1)
admin=$(srv admin create 电教站 | tail -1)
badmin=$(srv admin create 二小 --school $SB | tail -1)
start_server
expect 201 "$(enroll "$ta" hw-a101 101)" "enroll A/101"; tok_a=$(jget device_token)
expect 201 "$(enroll "$tb" hw-b201 201)" "enroll B/201"; tok_b=$(jget device_token)
expect 201 "$(enroll "$tb" hw-b202 202)" "enroll B/202"; tok_b2=$(jget device_token)
beat() {
	expect 200 "$(req POST /api/v1/heartbeat "$1" -H 'Content-Type: application/json' \
		-d '{"buffer_depth":0}')" "heartbeat"
}
# Lesson 1 (11-16): A/101 48 of 60 min (80%), B/201 47 min (78%).
send "$tok_a" 2026-11-16T09:00:00 2026-11-16T09:48:00
send "$tok_b" 2026-11-16T09:00:00 2026-11-16T09:47:00
# Lesson 2 (11-17): A/101 two sessions with a 10-minute gap (50 min); B/201 none.
send "$tok_a" 2026-11-17T08:50:00 2026-11-17T09:25:00 2026-11-17T09:35:00 2026-11-17T10:10:00
beat "$tok_a"; beat "$tok_b"	# both seen after every slot; B/202 never
settle	# the heartbeats are written behind (server/heartbeat.c)

H='序号,授课类型,学科,主讲教师,地市（县区）,单位,课程名称,开课时间,学段,年级,学校排课负责人,联系方式,平台,备注,教室,接收单位,接收教室'
cat > "$T/utf8.csv" <<EOT
$H
1,专递课堂,数学,王芳,西安市（碑林区）,西安市第一小学,分数的意义,11月16日 9:00-10:00,小学,五年级,张老师,13800000000,国家平台,,101,西安市第二小学,201
2,专递课堂,语文,李强,西安市（碑林区）,$SA,古诗两首,11月17日 9:00-10:00,小学,三年级,张老师,13800000000,国家平台,,101,$SB,201
3,名师课堂,英语,赵磊,西安市（碑林区）,$SA,Unit 3,11月18日 9:00-10:00,小学,四年级,张老师,13800000000,国家平台,,101,$SB,202
4,名师课堂,科学,孙丽,西安市（碑林区）,$SA,电路,2026－12－10 09：00—10：00,小学,五年级,张老师,13800000000,国家平台,下月,101,$SB,201
5,专递课堂,美术,周杰,西安市（碑林区）,$SA,色彩,11月19日 14:00-14:40,小学,二年级,张老师,13800000000,国家平台,,101,$SB,203
EOT
iconv -f UTF-8 -t GB18030 "$T/utf8.csv" > "$T/gbk.csv"
srv schedule import "$T/gbk.csv" --year 2026 > "$T/out" || { cat "$T/out"; fail "GBK import"; }
grep -q '5 lessons stored' "$T/out" || fail "import count"

srv verify --from 2026-11-16 --to 2026-12-31 --format json > "$T/v.json"
python3 - "$T/v.json" <<'PY' || fail "verify statuses"
import json, sys
rows = json.load(open(sys.argv[1]))
got = {(r["seq"], r["end_role"]): r for r in rows}
want = {("1", "deliver"): ("delivered", 48, 1), ("1", "receive"): ("partial", 47, 1),
        ("2", "deliver"): ("delivered", 50, 2), ("2", "receive"): ("missed", 0, 0),
        ("3", "deliver"): ("missed", 0, 0), ("3", "receive"): ("unknown", 0, 0),
        ("4", "deliver"): ("unknown", 0, 0), ("4", "receive"): ("unknown", 0, 0),
        ("5", "deliver"): ("missed", 0, 0), ("5", "receive"): ("no_device", 0, 0)}
assert set(got) == set(want), sorted(got)
for k, (st, cov, n) in want.items():
    r = got[k]
    assert (r["status"], r["covered_min"], len(r["sessions"])) == (st, cov, n), (k, r)
r = got[("1", "receive")]
assert r["school"] == "610102002" and r["room"] == "201" and r["teacher"] == "王芳", r
assert r["start"] == "2026-11-16T09:00:00+08:00" and r["end"] == "2026-11-16T10:00:00+08:00"
assert r["type"] == "专递课堂" and r["subject"] == "数学" and r["course"] == "分数的意义"
assert got[("4", "deliver")]["start"] == "2026-12-10T09:00:00+08:00"
PY

# Late data: B/202's lesson-3 session arrives weeks later (an offline
# bundle would do the same): unknown becomes delivered.
send "$tok_b2" 2026-11-18T08:58:00 2026-11-18T10:01:00
srv verify --from 2026-11-18 --to 2026-11-18 --format json > "$T/late.json"
python3 -c 'import json, sys
r = [x for x in json.load(open(sys.argv[1])) if x["end_role"] == "receive"][0]
assert r["status"] == "delivered" and r["covered_min"] == 60, r' "$T/late.json" ||
	fail "late data did not turn unknown into delivered"

# Re-import: same 序号 and date updates the lesson, adds nothing.
sed 's/分数的意义/分数的意义（二）/' "$T/utf8.csv" > "$T/again.csv"
srv schedule import "$T/again.csv" --year 2026 > /dev/null || fail "re-import"
srv verify --from 2026-11-16 --to 2026-12-31 --format json > "$T/v2.json"
python3 -c 'import json, sys; rows = json.load(open(sys.argv[1])); assert len(rows) == 10
assert {r["course"] for r in rows if r["seq"] == "1"} == {"分数的意义（二）"}' "$T/v2.json" ||
	fail "re-import did not update in place"

# Malformed rows: line numbers, reasons, nothing stored.
printf '%s\n%s\n%s\n' "$H" \
	'6,专递课堂,数学,王芳,碑林区,西安市第一小学,x,11月20日 9:00-10:00,,,,,,,101,,' \
	'7,专递课堂,数学,王芳,碑林区,西安市第一小学,x,11月20日 9点到10点,,,,,,,101,,' \
	> "$T/badtime.csv"
if srv schedule import "$T/badtime.csv" > "$T/err" 2>&1; then fail "bad time accepted"; fi
grep -q 'badtime.csv:3: 开课时间' "$T/err" || { cat "$T/err"; fail "bad time: no line 3"; }
printf '%s\n%s\n' "$H" \
	'8,专递课堂,数学,王芳,碑林区,西安市第九小学,x,11月20日 9:00-10:00,,,,,,,101,,' \
	> "$T/badschool.csv"
if srv schedule import "$T/badschool.csv" > "$T/err" 2>&1; then fail "unknown school"; fi
grep -q "badschool.csv:2: unknown school '西安市第九小学'" "$T/err" || { cat "$T/err"; fail "school"; }
printf '%s\n%s\n%s\n' "$H" \
	'9,专递课堂,数学,王芳,碑林区,西安市第一小学,x,11月20日 9:00-10:00,,,,,,,101,,' \
	'9,专递课堂,数学,王芳,碑林区,西安市第一小学,y,2026-11-20 14:00-15:00,,,,,,,101,,' \
	> "$T/twice.csv"
if srv schedule import "$T/twice.csv" --year 2026 > "$T/err" 2>&1; then fail "twice"; fi
grep -q 'twice.csv:3: 序号 9 on 2026-11-20 is already on line 2' "$T/err" ||
	{ cat "$T/err"; fail "one lesson twice in a file"; }
srv verify --from 2026-11-20 --to 2026-11-20 --format json > "$T/none.json"
[ "$(cat "$T/none.json")" = "[]" ] || fail "a refused file stored something"

# Table and CSV for people and Excel.
srv verify --from 2026-11-16 --to 2026-11-16 > "$T/table"
grep -q 'delivered' "$T/table" && grep -q '王芳' "$T/table" || fail "table"
srv verify --from 2026-11-16 --to 2026-11-16 --format csv --lang en > "$T/csv"
head -c 3 "$T/csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "CSV without BOM"

# HTTP: the bureau sees both ends, school B only its receiving ends.
expect 200 "$(req GET '/api/v1/verify?from=2026-11-16&to=2026-12-31' "$admin")" "bureau"
python3 -c 'import json, sys; assert len(json.load(open(sys.argv[1]))) == 10' "$T/reply" ||
	fail "bureau admin rows"
expect 200 "$(req GET '/api/v1/verify?from=2026-11-16&to=2026-12-31' "$badmin")" "school B"
python3 -c 'import json, sys; rows = json.load(open(sys.argv[1]))
assert len(rows) == 5 and {r["school"] for r in rows} == {"610102002"}, rows
assert {r["end_role"] for r in rows} == {"receive"}' "$T/reply" || fail "school admin scope"
expect 403 "$(req GET "/api/v1/verify?school=$SA" "$badmin")" "another school"
expect 400 "$(req GET '/api/v1/verify?from=2026-11-16' "$admin")" "from without to"
echo "server_verify: ok"
