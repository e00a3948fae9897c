#!/bin/sh
# `bbt-server schedule export` (server/cmd_schedule.c, CONTRACT 5.1): the
# provincial 课表 layout as imported plus each end's verification, as GBK or
# UTF-8 (BOM) CSV and as xlsx; re-importing an export changes nothing.
# The fixture is a GBK file in the forms officers type (the annex's
# "11 月 10 日 9:00-10:00", 下午, a weekday beside the date):
#   1 101 -> 610102002/201 Tue 09:00-10:00, a session covers it: 已开课 60 min,
#     1 session; the receiving room has no device: 无设备
#   2 101 Tue 下午2:30-3:10 (14:30-15:10), 20 minutes covered: 部分开课 20
#   3 102 Wed 08:00-08:45, no device in 102: 无设备
#   4 101 Wed 上午10:00-10:40, nothing, the device reported since: 未开课
. tests/server/lib.sh
srv school add 610102001 "西安市第一小学" --district 碑林区 > /dev/null
srv school add 610102002 "西安市第二小学" --district 碑林区 > /dev/null
tok=$(srv token create --school 610102001 --uses 5 | tail -1)
H='序号,授课类型,学科,主讲教师,地市（县区）,单位,课程名称,开课时间,学段,年级,学校排课负责人,联系方式,平台,备注,教室,接收单位,接收教室'
{
	echo "$H"
	echo '1,专递课堂,数学,王芳,碑林区,西安市第一小学,分数的意义,11 月 10 日 9:00-10:00,小学,五年级,李主任,+86 29 8888 0000,国家中小学智慧教育平台,=需提前调试,101,610102002,201'
	echo '2,名师课堂,语文,张敏,碑林区,610102001,古诗二首,11月10日 下午2:30-3:10,小学,四年级,李主任,13800000000,国家中小学智慧教育平台,,101,,'
	echo '3,名校网络课堂,英语,刘洋,碑林区,610102001,"Unit 3, Part A",2026-11-11 08:00-08:45,初中,七年级,,,,＋加课,102,,'
	echo '4,专递课堂,科学,王芳,碑林区,西安市第一小学,磁铁,11月11日（周三）上午10:00-10:40,小学,五年级,,,,,101,,'
} | iconv -f UTF-8 -t GB18030 > "$T/gbk.csv"
srv schedule import "$T/gbk.csv" --year 2026 > /dev/null || fail "import GBK"
start_server
expect 201 "$(enroll "$tok" hw-101 101)" "enroll"; a101=$(jget device_token)
send "$a101" 2026-11-10T09:00:00 2026-11-10T10:00:00 2026-11-10T14:30:00 2026-11-10T14:50:00
stop_server

P="--from 2026-11-09 --to 2026-11-15"
# dump: every stored lesson, every field, as the product shows them: an
# export (UTF-8) over the whole year the test's lessons are in.
dump() { srv schedule export --from 2026-01-01 --to 2026-12-31 --encoding utf-8; }
dump > "$T/before"
[ "$(tail -n +2 "$T/before" | wc -l)" = 4 ] || { cat "$T/before"; fail "dump: not the 4 lessons"; }
srv schedule export $P --encoding gbk --out "$T/e1.csv" || fail "export GBK"
head -c 3 "$T/e1.csv" | od -An -tx1 | grep -q 'ef bb bf' && fail "GBK export has a BOM"
iconv -f GB18030 -t UTF-8 "$T/e1.csv" > "$T/e1.utf8" || fail "export is not GBK"
python3 - "$T/e1.utf8" <<'PY' || fail "export rows"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
head = rows[0]
assert head[:17] == ("序号,授课类型,学科,主讲教师,地市（县区）,单位,课程名称,开课时间,学段,年级,"
    "学校排课负责人,联系方式,平台,备注,教室,接收单位,接收教室").split(","), head
assert head[17:] == ["主讲端核验结果", "主讲端覆盖分钟", "主讲端会话数", "接收端核验结果",
                     "接收端覆盖分钟", "接收端会话数"], head
got = {r[0].lstrip("\t"): r for r in rows[1:]}
assert list(got) == ["1", "2", "3", "4"], list(got)
one = got["1"]
# Codes that start with a digit carry report.c's TAB, so Excel keeps them text.
assert one[0] == "\t1" and one[14] == "\t101" and got["2"][11] == "\t13800000000", one
assert one[5] == "西安市第一小学" and one[15] == "西安市第二小学", one
assert one[7] == "2026-11-10 09:00-10:00", one
assert one[11] == "'+86 29 8888 0000" and one[13] == "'=需提前调试", one   # formula guard
assert one[17:] == ["已开课", "60", "1", "无设备", "0", "0"], one
assert got["2"][7] == "2026-11-10 14:30-15:10" and got["2"][17:20] == ["部分开课", "20", "1"]
assert got["2"][20:] == ["", "", ""], got["2"]
assert got["3"][13] == "'＋加课", got["3"]           # full-width formula lead
assert got["3"][6] == "Unit 3, Part A" and got["3"][17:20] == ["无设备", "0", "0"], got["3"]
assert got["4"][7] == "2026-11-11 10:00-10:40" and got["4"][17:20] == ["未开课", "0", "0"]
PY

# Re-import (with another --year: the year travels in 开课时间): nothing changes.
srv schedule import "$T/e1.csv" --year 2030 > /dev/null || fail "re-import"
dump > "$T/after"
cmp -s "$T/before" "$T/after" || { diff "$T/before" "$T/after"; fail "re-import changed lessons"; }
srv schedule export $P --encoding gbk --out "$T/e2.csv" || fail "second export"
cmp "$T/e1.csv" "$T/e2.csv" || fail "export -> import -> export differs"

# UTF-8 with a BOM by default, the same text.
srv schedule export $P > "$T/u.csv" || fail "export UTF-8"
head -c 3 "$T/u.csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "UTF-8 export without BOM"
tail -c +4 "$T/u.csv" | cmp -s - "$T/e1.utf8" || fail "UTF-8 and GBK exports differ"
srv schedule import "$T/u.csv" > /dev/null || fail "re-import UTF-8"
dump > "$T/after2"
cmp -s "$T/before" "$T/after2" || fail "UTF-8 re-import changed lessons"
# --school keeps the lessons with an end there.
srv schedule export $P --school 610102002 > "$T/b.csv"
[ "$(tail -n +2 "$T/b.csv" | wc -l)" = 1 ] || { cat "$T/b.csv"; fail "--school"; }

# xlsx: a real workbook; codes stay text, 开课时间 stays the importable text.
srv schedule export $P --format xlsx --out "$T/e.xlsx" || fail "export xlsx"
python3 - "$T/e.xlsx" <<'PY' || fail "xlsx content"
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
sheet = z.read("xl/worksheets/sheet1.xml").decode()
strings = re.findall(r"<t[^>]*>([^<]*)</t>", z.read("xl/sharedStrings.xml").decode())
assert "序号" in strings and "主讲端核验结果" in strings and "西安市第一小学" in strings
assert "2026-11-10 09:00-10:00" in strings and "已开课" in strings
# 序号 "1" is a text cell (t="s"), covered minutes a number.
a2 = re.search(r'<c r="A2"[^>]*>', sheet).group(0)
assert 't="s"' in a2, a2
s2 = re.search(r'<c r="S2"[^>]*><v>([^<]*)</v>', sheet)
assert s2 and s2.group(1) == "60" and 't="s"' not in s2.group(0), s2
PY

# Usage errors exit 2; a typed time it cannot read is quoted.
srv schedule export --format xlsx > /dev/null 2>&1 && fail "xlsx without --out"
[ $? = 2 ] || fail "xlsx without --out: exit status"
set +e
srv schedule export --encoding latin1 > /dev/null 2>&1; rc=$?
set -e
[ $rc = 2 ] || fail "bad encoding: exit $rc"
printf '%s\n1,专递课堂,数学,王芳,碑林区,610102001,分数,11月10日 第三节,,,,,,,101,,\n' "$H" \
	> "$T/bad.csv"
if srv schedule import "$T/bad.csv" > "$T/bad.out" 2>&1; then fail "bad time accepted"; fi
grep -q "bad.csv:2: 开课时间 '11月10日 第三节'" "$T/bad.out" || { cat "$T/bad.out"; fail "msg"; }
echo "server_schedule_export: ok"
