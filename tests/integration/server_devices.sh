#!/bin/sh
# `bbt-server devices` and GET /api/v1/devices (server/fleet.c): every
# enrolled device with school, room, hostname, version, last seen, online
# (a heartbeat within --offline-after), clock offset, buffered sessions and
# the input devices of its last heartbeat; a school admin sees only theirs.
. tests/server/lib.sh
srv school add 610102001 "西安市第一小学" > /dev/null
srv school add 610102002 "西安市第二小学" > /dev/null
t1=$(srv token create --school 610102001 --uses 5 | tail -1)
t2=$(srv token create --school 610102002 --uses 5 | tail -1)
admin=$(srv admin create 电教站 | tail -1)
sadmin=$(srv admin create 二小 --school 610102002 | tail -1)
start_server

expect 201 "$(enroll "$t1" hw-a 三年级二班)" "enroll a"; tok_a=$(jget device_token)
id_a=$(jget device_id)
expect 201 "$(enroll "$t1" hw-b 四年级一班)" "enroll b"; tok_b=$(jget device_token)
expect 201 "$(enroll "$t2" hw-c 一年级一班)" "enroll c"
# a: a heartbeat with its clock 120 s ahead, 7 sessions buffered, an IR
# frame (touch) and a keyboard.
now=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc)
      + d.timedelta(seconds=120)).isoformat(timespec="seconds"))')
expect 200 "$(req POST /api/v1/heartbeat "$tok_a" -H 'Content-Type: application/json' \
	-d "{\"agent_time\":\"$now\",\"buffer_depth\":7,\"version\":\"0.9.1\",\"devices\":[\
{\"label\":\"IRTOUCH IR frame\",\"name\":\"IRTOUCH Infrared Touch\",\"vid\":\"6615\",\
\"pid\":\"0070\",\"kind\":\"ir_frame\",\"touch\":true,\"watched\":true},\
{\"label\":\"USB keyboard\",\"name\":\"Dell KB216\",\"vid\":\"413c\",\"pid\":\"2113\",\
\"kind\":\"unknown\",\"touch\":false,\"watched\":true}]}")" "heartbeat a"
# b: a heartbeat with no devices.
expect 200 "$(req POST /api/v1/heartbeat "$tok_b" -H 'Content-Type: application/json' \
	-d '{"buffer_depth":0,"version":"0.9.0"}')" "heartbeat b"
settle

srv devices --format json > "$T/all.json"
python3 - "$T/all.json" "$id_a" <<'PY' || fail "devices --format json"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r["room"] for r in rows] == ["三年级二班", "四年级一班", "一年级一班"], rows
a, b, c = rows
assert a["device_id"] == sys.argv[2] and a["school"] == "610102001", a
assert a["hostname"] == "h-hw-a" and a["agent_version"] == "0.9.1", a
assert a["online"] is True and a["buffered"] == 7, a
assert 110 <= a["clock_offset_s"] <= 130, a
assert a["last_seen"].endswith("+08:00"), a
assert a["inputs"] == "IRTOUCH Infrared Touch; +1 other", a
assert [d["name"] for d in a["input_devices"]] == ["IRTOUCH Infrared Touch", "Dell KB216"], a
assert b["online"] is True and b["buffered"] == 0 and b["inputs"] is None, b
# c never sent a heartbeat: not online, nothing known
assert c["online"] is False and c["last_seen"] is None and c["buffered"] is None, c
assert c["input_devices"] == [], c
PY

# Offline after --offline-after seconds without a heartbeat.
sleep 2
srv devices --offline-after 1 --format json > "$T/late.json"
python3 -c 'import json, sys; rows = json.load(open(sys.argv[1]))
assert not any(r["online"] for r in rows), rows' "$T/late.json" ||
	fail "devices seen 2 s ago are not offline with --offline-after 1"

srv devices --school 610102002 > "$T/table"
grep -q '一年级一班' "$T/table" && ! grep -q '三年级二班' "$T/table" || fail "--school"
srv devices --format csv --lang en > "$T/csv"
head -c 3 "$T/csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "CSV without BOM"
if srv devices --school 999 > /dev/null 2>&1; then fail "unknown school accepted"; fi
if srv devices --offline-after x > /dev/null 2>&1; then fail "bad --offline-after accepted"; fi

# HTTP: the same report; a school admin sees only their school.
expect 200 "$(req GET /api/v1/devices "$admin")" "bureau admin"
python3 -c 'import json, sys; assert len(json.load(open(sys.argv[1]))) == 3' "$T/reply" ||
	fail "bureau admin should see 3 devices"
expect 200 "$(req GET /api/v1/devices "$sadmin")" "school admin"
python3 -c 'import json, sys; rows = json.load(open(sys.argv[1]))
assert [r["school"] for r in rows] == ["610102002"], rows' "$T/reply" ||
	fail "school admin sees other schools"
expect 403 "$(req GET '/api/v1/devices?school=610102001' "$sadmin")" "another school"
expect 401 "$(req GET /api/v1/devices "$tok_a")" "a device token"
expect 400 "$(req GET '/api/v1/devices?offline_after=-5' "$admin")" "bad offline_after"
echo "server_devices: ok"

# A devices list over 64 KiB is refused with 400 and the collector lives on
# (it was a double free: one request from any device killed the server).
python3 -c 'import json; print(json.dumps({"buffer_depth": 0, "devices":
    [{"name": "x" * 200, "vid": "6615", "pid": "0070"} for _ in range(400)]}))' \
	> "$T/big.json"
expect 400 "$(req POST /api/v1/heartbeat "$tok_b" -H 'Content-Type: application/json' \
	--data-binary "@$T/big.json")" "oversized devices list"
grep -q 'is over 65536 bytes' "$T/reply" || fail "oversized devices message"
kill -0 "$SPID" || fail "the server died on an oversized heartbeat"
expect 200 "$(req GET /healthz -)" "healthz after an oversized heartbeat"
