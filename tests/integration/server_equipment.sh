#!/bin/sh
# The equipment coverage score (Baoji's 基础建设与应用 row) and rollout
# targets (Hubei style) in `stats` (server/stats.c, CONTRACT 5.6), held against
# hand-computed figures. The period is around today: a device "reported"
# when it heartbeats now; enrolled-but-silent devices count for the
# rollout but not for the score.
#   A区  S1 610100001: 5 rooms, 3 enrolled, 2 reported   40.0% -> 1
#        S2 610100002: 5 rooms, 3 enrolled, 3 reported   60.0% -> 2
#        district: S1 below 60%: 0
#   B区  S3 610200001: 5 rooms, 4 / 4                    80.0% -> 3
#        S4 610200002: 5 rooms, 5 / 5                   100%   -> 4
#        district: every school >= 60%: 4
#   C区  S5 610300001: 5 rooms, 3 / 3                    60.0% -> 2
#        S6 610300002: 100 rooms, 59 / 59                59.0% -> 1
#        district: S6 at 59%: 0
# Targets D+1 = 50, D+3 = 80, D+5 = 100 (D = today): a period ending D has
# none, D+1 and D+2 have 50, D+3 80 (S3 at exactly 80% meets it), D+5 100.
. tests/server/lib.sh
srv school add 610100001 一小 --district A区 > /dev/null
srv school add 610100002 二小 --district A区 > /dev/null
srv school add 610200001 三小 --district B区 > /dev/null
srv school add 610200002 四小 --district B区 > /dev/null
srv school add 610300001 五小 --district C区 > /dev/null
srv school add 610300002 六小 --district C区 > /dev/null
python3 - > "$T/tt.csv" <<'PY'
print("school,room,weekday,start,end,teacher_id,teacher_name,subject")
for code, n in [("610100001", 5), ("610100002", 5), ("610200001", 5),
                ("610200002", 5), ("610300001", 5), ("610300002", 100)]:
    for r in range(1, n + 1):
        print(f"{code},{r},1,08:00,08:45,T{r},教师{r},数学")
PY
srv timetable import "$T/tt.csv" > /dev/null || fail "timetable"
start_server
# A random 32-byte key: enrollment stores it, and these devices never sign.
pub() { head -c 32 /dev/urandom | base64; }
# devices CODE ENROLLED REPORTED: rooms 1..ENROLLED, the first REPORTED heartbeat.
devices() {
	tok=$(srv token create --school "$1" --uses 100 | tail -1)
	i=1
	while [ $i -le "$2" ]; do
		expect 201 "$(enroll "$tok" "hw-$1-$i" "$i")" "enroll $1 $i"
		if [ $i -le "$3" ]; then
			dt=$(jget device_token)
			expect 200 "$(req POST /api/v1/heartbeat "$dt" \
				-H 'Content-Type: application/json' -d '{"agent_version":"t"}')" hb
		fi
		i=$((i + 1))
	done
}
devices 610100001 3 2
devices 610100002 3 3
devices 610200001 4 4
devices 610200002 5 5
devices 610300001 3 3
devices 610300002 59 59
settle	# the heartbeats are written behind (server/heartbeat.c)
D=$(TZ=Asia/Shanghai date +%F)
day() { python3 -c 'import datetime,sys
print(datetime.date.fromisoformat(sys.argv[1]) + datetime.timedelta(int(sys.argv[2])))' "$D" "$1"; }
printf '[equipment_score]\nall = 4\n80 = 3\n60 = 2\n40 = 1\ndistrict_all_at = 60\n' \
	> "$T/rules.ini"
printf 'district = 4\n[rollout_targets]\n%s = 50\n%s = 80\n%s = 100\n' \
	"$(day 1)" "$(day 3)" "$(day 5)" >> "$T/rules.ini"
st() { "$B/bbt-server" --db "$DB" --rules "$T/rules.ini" stats "$@"; }

st --from "$(day -1)" --to "$(day 1)" --format json > "$T/s.json" || fail "stats"
python3 - "$T/s.json" <<'PY' || fail "equipment figures"
import json, sys
rows = json.load(open(sys.argv[1]))
key = lambda r: r["school"] or r["district"] or "total"
cols = ["classrooms", "enrolled_devices", "devices_seen", "equipped_pct", "equipment_score",
        "district_score", "enrolled_pct", "target_pct", "target_met"]
want = {
    "610100001": [5, 3, 2, 40.0, 1, None, 60.0, 50.0, True],
    "610100002": [5, 3, 3, 60.0, 2, None, 60.0, 50.0, True],
    "A区": [10, 6, 5, 50.0, None, 0, 60.0, 50.0, True],
    "610200001": [5, 4, 4, 80.0, 3, None, 80.0, 50.0, True],
    "610200002": [5, 5, 5, 100.0, 4, None, 100.0, 50.0, True],
    "B区": [10, 9, 9, 90.0, None, 4, 90.0, 50.0, True],
    "610300001": [5, 3, 3, 60.0, 2, None, 60.0, 50.0, True],
    "610300002": [100, 59, 59, 59.0, 1, None, 59.0, 50.0, True],
    "C区": [105, 62, 62, 59.0, None, 0, 59.0, 50.0, True],
    "total": [125, 77, 76, 60.8, None, None, 61.6, 50.0, True],
}
assert [key(r) for r in rows] == list(want), [key(r) for r in rows]
for r in rows:
    got = [r[c] for c in cols]
    assert got == want[key(r)], (key(r), got, want[key(r)])
PY

# xlsx: the same report as a workbook with Chinese headers.
st --from "$(day -1)" --to "$(day 1)" --format xlsx --out "$T/s.xlsx" || fail "xlsx"
python3 - "$T/s.xlsx" <<'PY' || fail "xlsx content"
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
strings = re.findall(r"<t[^>]*>([^<]*)</t>", z.read("xl/sharedStrings.xml").decode())
assert "设备覆盖率（%）" in strings and "基础建设与应用得分" in strings, strings[:30]
assert "610300002" in strings, strings        # codes are text cells
PY

# --explain says which bracket and why.
st --from "$(day -1)" --to "$(day 1)" --explain --format json > "$T/x.json"
python3 - "$T/x.json" "$(day 1)" <<'PY' || fail "explain"
import json, sys
x = {r["school"] or r["district"] or "total": r["explain"] for r in json.load(open(sys.argv[1]))}
d1 = sys.argv[2]
assert x["610100001"] == ("equipment: 2 of 5 classrooms reported = 40.0% >= 40%: 1 points; "
    f"target: 3 of 5 classrooms enrolled = 60.0% >= 50% due {d1}: met"), x["610100001"]
assert x["610200002"].startswith("equipment: all 5 classrooms reported: 4 points"), x
assert x["C区"].startswith("district: 610300002 at 59.0% < 60%: 0 points"), x["C区"]
assert x["B区"].startswith("district: every school >= 60%: 4 points"), x["B区"]
PY
st --from "$(day -1)" --to "$(day 1)" --explain > "$T/table" || fail "explain table"
grep -q '40.0% >= 40%: 1 points' "$T/table" || { cat "$T/table"; fail "explain table"; }

# Targets before, on and after each date; --behind lists the rest worst first.
# targets TO WANT-TARGET: every row's target_pct.
targets() {
	st --from "$D" --to "$1" --format json > "$T/t.json"
	python3 -c 'import json, sys
w = None if sys.argv[2] == "null" else float(sys.argv[2])
t = {r["target_pct"] for r in json.load(open(sys.argv[1]))}
assert t == {w}, (t, w)' "$T/t.json" "$2" || fail "target by $1: want $2"
}
targets "$D" null
targets "$(day 1)" 50
targets "$(day 2)" 50
targets "$(day 3)" 80
targets "$(day 4)" 80
targets "$(day 5)" 100
targets "$(day 9)" 100
st --from "$D" --to "$D" --behind --format json > "$T/b0.json"
python3 -c 'import json, sys; assert json.load(open(sys.argv[1])) == []' "$T/b0.json" ||
	fail "behind without a target"
st --from "$D" --to "$(day 1)" --behind --format json > "$T/b1.json"
python3 -c 'import json, sys; assert json.load(open(sys.argv[1])) == []' "$T/b1.json" ||
	fail "behind with every target met"
st --from "$D" --to "$(day 3)" --behind --format json > "$T/b3.json"
python3 - "$T/b3.json" <<'PY' || fail "behind at 80%"
import json, sys
rows = json.load(open(sys.argv[1]))
got = [(r["school"] or r["district"] or "total", r["enrolled_pct"]) for r in rows]
assert got == [("610300002", 59.0), ("C区", 59.0), ("610100001", 60.0),
               ("610100002", 60.0), ("A区", 60.0), ("610300001", 60.0),
               ("total", 61.6)], got
assert all(r["target_met"] is False for r in rows)
PY
st --from "$D" --to "$(day 5)" --behind --format json > "$T/b5.json"
python3 -c 'import json, sys
got = [r["school"] or r["district"] or "total" for r in json.load(open(sys.argv[1]))]
assert "610200002" not in got and "B区" in got and len(got) == 9, got' "$T/b5.json" ||
	fail "behind at 100%"

# The score is of the period: a past week, before any contact, has none.
st --from 2026-11-16 --to 2026-11-22 --format json > "$T/past.json"
python3 -c 'import json, sys
for r in json.load(open(sys.argv[1])):
    assert r["devices_seen"] == 0 and r["equipped_pct"] == 0.0, r
    assert r["enrolled_pct"] == 0.0, r' "$T/past.json" || fail "past period"

# A rule file without [equipment_score] gives no score (CONTRACT 5.6).
printf '[interactive_teaching]\nmax_per_week = 2\n' > "$T/plain.ini"
"$B/bbt-server" --db "$DB" --rules "$T/plain.ini" stats --from "$(day -1)" --to "$(day 1)" \
	--format json > "$T/plain.json" || fail "stats without the section"
python3 -c 'import json, sys
for r in json.load(open(sys.argv[1])):
    assert r["equipment_score"] is None and r["district_score"] is None, r
    assert r["target_pct"] is None and r["target_met"] is None, r' "$T/plain.json" ||
	fail "score without the section"

# The HTTP report is the same (the server reads the same rule file).
admin=$(srv admin create 教育局 | tail -1)
stop_server
mkdir "$T/bin"
printf '#!/bin/sh\nexec "%s/bbt-server" --rules "%s/rules.ini" "$@"\n' "$B" "$T" \
	> "$T/bin/bbt-server"
chmod +x "$T/bin/bbt-server"
B=$T/bin
rm -f "$T/serve.log"
start_server
q="from=$(day -1)&to=$(day 1)"
expect 200 "$(req GET "/api/v1/stats?$q" "$admin")" "stats API"
python3 -c 'import json, sys
assert json.load(open(sys.argv[1])) == json.load(open(sys.argv[2]))' "$T/reply" "$T/s.json" ||
	fail "API and CLI differ"
expect 200 "$(req GET "/api/v1/stats?from=$D&to=$(day 3)&behind=1" "$admin")" "behind API"
python3 -c 'import json, sys
assert json.load(open(sys.argv[1])) == json.load(open(sys.argv[2]))' "$T/reply" "$T/b3.json" ||
	fail "API and CLI differ (behind)"
expect 400 "$(req GET "/api/v1/stats?$q&explain=maybe" "$admin")" "bad explain"
echo "server_equipment: ok"
