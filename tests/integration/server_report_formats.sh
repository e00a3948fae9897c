#!/bin/sh
# Every report command (report_cmd.c, CONTRACT 5.1) takes --format xlsx --out
# FILE and --lang zh|en. Each workbook is read back with a small reader
# (zipfile + ElementTree): the header row is frozen and in Chinese (the keys
# with --lang en); code and id columns are text cells; every time column is
# an Excel date-time whose serial is the wall-clock time the JSON prints.
# Also: --out writes what stdout would have, CSV headers are Chinese unless
# --lang en, --lang zh renames table
# headers (JSON keys never change), and bad values keep the exit convention.
. tests/server/lib.sh
srv school add 610102001 "西安市第一小学" --district 碑林区 > /dev/null
tok=$(srv token create --school 610102001 --uses 5 | tail -1)
cat > "$T/tt.csv" <<EOT
school,room,weekday,start,end,teacher_id,teacher_name,subject
610102001,101,1,08:00,08:45,T1,王芳,数学
610102001,101,2,08:00,08:45,T1,王芳,数学
EOT
srv timetable import "$T/tt.csv" > /dev/null || fail "timetable"
H='序号,授课类型,学科,主讲教师,地市（县区）,单位,课程名称,开课时间,学段,年级,学校排课负责人,联系方式,平台,备注,教室'
printf '%s\n%s\n' "$H" '1,专递课堂,数学,王芳,碑林区,610102001,分数,11月16日 8:00-8:40,,,,,,,101' \
	> "$T/live.csv"
srv schedule import "$T/live.csv" --year 2026 > /dev/null || fail "schedule"
start_server
expect 201 "$(enroll "$tok" hw-101 101)" "enroll"; dev=$(jget device_token)
send "$dev" 2026-11-16T08:00:00 2026-11-16T08:40:00 2026-11-17T08:00:00 2026-11-17T08:30:00

P="--from 2026-11-16 --to 2026-11-22"
for r in "points $P --explain" "verify $P" "stats $P" "devices" "teachers $P"; do
	name=${r%% *}
	# shellcheck disable=SC2086
	srv $r --format json > "$T/$name.json" || fail "$name json"
	srv $r --format xlsx --out "$T/$name.xlsx" || fail "$name xlsx"
	srv $r --format xlsx --out "$T/$name-en.xlsx" --lang en || fail "$name xlsx en"
	# CSV headers are Chinese by default (CONTRACT 5.1), the keys with --lang en.
	srv $r --format csv > "$T/$name-zh.csv" || fail "$name csv"
	srv $r --format csv --lang zh | cmp -s - "$T/$name-zh.csv" ||
		fail "$name: the csv default is not --lang zh"
	srv $r --format csv --out "$T/$name-out.csv" || fail "$name csv --out"
	srv $r --format csv --lang en > "$T/$name.csv" || fail "$name csv en"
	cmp -s "$T/$name-zh.csv" "$T/$name-out.csv" || fail "$name: --out differs from stdout"
	srv $r --lang zh > "$T/$name-zh.table" || fail "$name table zh"
	python3 - "$T" "$name" <<'PY' || fail "$name workbook"
import csv, datetime, io, json, sys, zipfile
import xml.etree.ElementTree as ET
T, name = sys.argv[1], sys.argv[2]
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
CODES = {"school", "teacher_id", "device_id", "seq", "room", "id", "hw_id"}
TIMES = {"start", "end", "first", "last", "last_seen"}

def col_index(ref):
    n = 0
    for ch in ref.rstrip("0123456789"):
        n = n * 26 + ord(ch) - 64
    return n - 1

def read(path):
    z = zipfile.ZipFile(path)
    sst = [("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
           for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS)]
    st = ET.fromstring(z.read("xl/styles.xml"))
    fmts = {f.get("numFmtId"): f.get("formatCode") for f in st.iter("{%s}numFmt" % NS["m"])}
    xfs = [xf.get("numFmtId") for xf in st.find("m:cellXfs", NS).findall("m:xf", NS)]
    ws = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    pane = ws.find(".//m:sheetView/m:pane", NS)
    rows = []
    for row in ws.find("m:sheetData", NS).findall("m:row", NS):
        cells = {}
        for c in row.findall("m:c", NS):
            v = c.find("m:v", NS)
            kind, fmt = c.get("t"), fmts.get(xfs[int(c.get("s", "0"))], "")
            val = sst[int(v.text)] if kind == "s" else (v.text if v is not None else None)
            cells[col_index(c.get("r"))] = (kind, fmt, val)
        rows.append(cells)
    return pane, rows

def serial(iso):   # the wall-clock time, as Excel counts days from 1899-12-30
    t = datetime.datetime.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S")
    d = t - datetime.datetime(1899, 12, 30)
    return d.days + d.seconds / 86400

js = json.load(open(f"{T}/{name}.json"))
assert js, f"{name}: the fixture gives no rows"
keys = next(csv.reader(io.StringIO(open(f"{T}/{name}.csv", encoding="utf-8-sig").read())))
zh = next(csv.reader(io.StringIO(open(f"{T}/{name}-zh.csv", encoding="utf-8-sig").read())))
assert len(zh) == len(keys) and zh != keys, (keys, zh)
assert any("\u4e00" <= ch <= "\u9fff" for h in zh for ch in h), zh
table = open(f"{T}/{name}-zh.table", encoding="utf-8").readline()
assert all(h in table for h in zh[:2]), (table, zh)
assert list(js[0].keys())[0] == keys[0], "JSON keys must not change"
for path, header in ((f"{T}/{name}.xlsx", zh), (f"{T}/{name}-en.xlsx", keys)):
    pane, rows = read(path)
    assert pane is not None and pane.get("state") == "frozen" and pane.get("ySplit") == "1", \
        f"{path}: header row not frozen"
    got = [rows[0][i][2] for i in range(len(header))]
    assert got == header, (path, got, header)
pane, rows = read(f"{T}/{name}.xlsx")
flat = [r for r in csv.DictReader(io.StringIO(open(f"{T}/{name}.csv",
        encoding="utf-8-sig").read()))]
assert len(rows) - 1 == len(flat), (len(rows), len(flat))
checked = set()
for i, key in enumerate(keys):
    for r, line in zip(rows[1:], flat):
        if i not in r or line[key] == "":
            continue
        kind, fmt, val = r[i]
        if key in CODES:
            assert kind == "s" and val == line[key].lstrip("\t"), (name, key, r[i], line[key])
            checked.add("code")
        if key in TIMES:
            assert kind is None and "yy" in fmt, (name, key, r[i])
            assert abs(float(val) - serial(line[key])) < 1e-6, (name, key, val, line[key])
            checked.add("time")
assert "code" in checked and ("time" in checked or not TIMES & set(keys)), (name, checked)
# Status and reason words follow the header language (the console's terms);
# JSON and --lang en keep the codes.
WORDS = {"status": {"已开课", "部分开课", "未开课", "待核验", "无设备"},
         "end_role": {"主讲端", "接收端"}, "reason": None}
zrows = list(csv.reader(io.StringIO(open(f"{T}/{name}-zh.csv", encoding="utf-8-sig").read())))[1:]
for key, allowed in WORDS.items():
    if key not in keys:
        continue
    i = keys.index(key)
    en = {line[key] for line in flat}
    zh_vals = {r[i] for r in zrows}
    assert not en & zh_vals - {""}, (name, key, en, zh_vals)
    if allowed is not None:
        assert zh_vals <= allowed, (name, key, zh_vals)
    else:
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in v) for v in zh_vals if v), zh_vals
    pane, xrows = read(f"{T}/{name}.xlsx")
    assert {r[i][2] for r in xrows[1:] if i in r} <= zh_vals, (name, key)
PY
done

set +e
srv points $P --format xlsx > /dev/null 2>&1; rc1=$?
srv devices --lang fr > /dev/null 2>&1; rc2=$?
srv verify $P --format xlsx --out "$T/no/such/dir/v.xlsx" > /dev/null 2>&1; rc3=$?
set -e
[ "$rc1 $rc2 $rc3" = "2 2 1" ] || fail "exit status: xlsx without --out $rc1, --lang fr $rc2, " \
	"unwritable --out $rc3"
echo "server_report_formats: ok"
