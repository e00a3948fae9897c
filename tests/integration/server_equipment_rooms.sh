#!/bin/sh
# The equipment share's denominator is the timetable rooms only (issue 15,
# CONTRACT 5.6), and a revoked device counts for nothing: not enrolled, not
# seen, not a room's device in `verify`. Hand-computed:
#   610400001: timetable rooms 1..5; devices heartbeating now in rooms 1, 2
#   (timetable), X1, X2, X3 (not in the timetable) and 3 (then revoked).
#   equipped = rooms 1, 2 = 2 of 5 = 40.0% -> 1 point. Before this rule the
#   share was 5 of 8 (timetable U device rooms) = 62.5% -> 2; counting the
#   revoked device in room 3 it would be 3 of 5 = 60.0% -> 2.
#   classrooms (timetable U rooms of devices not revoked) = 8,
#   enrolled_devices = 5, devices_seen = 5.
#   A period that ended before the revocation still counts the device
#   (revoked_at >= its end): enrolled 6; none was seen then.
# verify: room 3's lesson today has only the revoked device: no_device.
. tests/server/lib.sh
srv school add 610400001 七小 --district D区 > /dev/null
D=$(TZ=Asia/Shanghai date +%F)
WD=$(TZ=Asia/Shanghai date +%u)
{
	echo "school,room,weekday,start,end,teacher_id,teacher_name,subject"
	for r in 1 2 3 4 5; do echo "610400001,$r,$WD,08:00,08:45,T$r,教师$r,数学"; done
} > "$T/tt.csv"
srv timetable import "$T/tt.csv" > /dev/null || fail "timetable"
H='序号,授课类型,学科,主讲教师,地市（县区）,单位,课程名称,开课时间,学段,年级,学校排课负责人,联系方式,平台,备注,教室'
M=$(TZ=Asia/Shanghai date +%-m); DD=$(TZ=Asia/Shanghai date +%-d)
printf '%s\n%s\n' "$H" "1,专递课堂,数学,教师3,D区,610400001,分数,${M}月${DD}日 0:10-0:40,,,,,,,3" \
	> "$T/live.csv"
srv schedule import "$T/live.csv" --year "${D%%-*}" > /dev/null || fail "schedule"
start_server
tok=$(srv token create --school 610400001 --uses 10 | tail -1)
for room in 1 2 X1 X2 X3 3; do
	expect 201 "$(enroll "$tok" "hw-$room" "$room")" "enroll $room"
	dt=$(jget device_token); id=$(jget device_id)
	expect 200 "$(req POST /api/v1/heartbeat "$dt" \
		-H 'Content-Type: application/json' -d '{"agent_version":"t"}')" "heartbeat $room"
done
settle
printf '[equipment_score]\nall = 4\n80 = 3\n60 = 2\n40 = 1\n' > "$T/rules.ini"
st() { "$B/bbt-server" --db "$DB" --rules "$T/rules.ini" stats "$@"; }
day() { python3 -c 'import datetime,sys
print(datetime.date.fromisoformat(sys.argv[1]) + datetime.timedelta(int(sys.argv[2])))' "$D" "$1"; }

# Before the revocation, over today: room 3 is equipped, 3 of 5.
st --from "$D" --to "$D" --school 610400001 --format json > "$T/before.json" || fail "stats"
srv device revoke "$id" > /dev/null || fail "revoke"
st --from "$D" --to "$D" --school 610400001 --format json --explain > "$T/after.json" ||
	fail "stats"
st --from "$(day -7)" --to "$(day -1)" --school 610400001 --format json > "$T/past.json" ||
	fail "stats past"
python3 - "$T" <<'PY' || fail "equipment denominator"
import json, sys
T = sys.argv[1]
cols = ["classrooms", "enrolled_devices", "devices_seen", "equipped_pct", "equipment_score"]
get = lambda f: [json.load(open(f"{T}/{f}.json"))[0][c] for c in cols]
assert get("before") == [8, 6, 6, 60.0, 2], get("before")
assert get("after") == [8, 5, 5, 40.0, 1], get("after")
why = json.load(open(f"{T}/after.json"))[0]["explain"]
assert "2 of 5 classrooms" in why, why
# A week that ended before the revocation still counts the device.
assert get("past") == [8, 6, 0, 0.0, 0], get("past")
PY
srv verify --from "$D" --to "$D" --school 610400001 --format json > "$T/v.json" || fail "verify"
python3 -c 'import json, sys
st = [r["status"] for r in json.load(open(sys.argv[1]))]
assert st == ["no_device"], st' "$T/v.json" || fail "verify counts a revoked device"
echo "server_equipment_rooms: ok"
