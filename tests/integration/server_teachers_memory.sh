#!/bin/sh
# `teachers` over a term holds one week's sessions at a time, never the
# term's (CONTRACT 5.7: memory grows with the rows printed). 100,000 sessions
# over 20 weeks (5,000 a week) are uploaded through the API; the report's
# peak RSS must stay under 40 MB. Holding the term's sessions, as the
# report once did, costs about 550 bytes a session (measured with 150,000:
# 92.6 MB before, 14.9 MB after; 400,000: 227 MB before, 24 MB after). The rows must still equal the
# points engine's: the term's points equal the weekly points summed.
# It also holds one school's timetable at a time, never the province's: 150
# more schools with 1,200 slots each (180,000 slots, about 96 MB held whole
# at 536 bytes a slot) add nothing to its peak (it was 694 MB for 20,000
# classrooms in bench/points-province.sh before).
. tests/server/lib.sh
srv school add 610102001 一小 > /dev/null
i=0
while [ $i -lt 150 ]; do srv school add "61010300$i" "校$i" > /dev/null; i=$((i + 1)); done
tok=$(srv token create --school 610102001 | tail -1)
admin=$(srv admin create 教育局 | tail -1)
python3 - > "$T/tt.csv" <<'PY'
print("school,room,weekday,start,end,teacher_id,teacher_name,subject")
for r in range(1, 41):
    for wd in range(1, 6):
        for p in range(6):
            print(f"610102001,{r},{wd},{8 + p:02d}:00,{8 + p:02d}:45,T{r}_{p},教师{r}_{p},数学")
PY
srv timetable import "$T/tt.csv" > /dev/null || fail "timetable"
python3 - > "$T/tt_more.csv" <<'PY'
print("school,room,weekday,start,end,teacher_id,teacher_name,subject")
for sc in range(150):
    for r in range(1, 41):
        for wd in range(1, 6):
            for p in range(6):
                print(f"61010300{sc},{r},{wd},{8 + p:02d}:00,{8 + p:02d}:45,S{sc}T{r}_{p},"
                      f"教师{r}_{p},语文")
PY
srv timetable import "$T/tt_more.csv" > /dev/null || fail "the other schools' timetable"
start_server
expect 201 "$(enroll "$tok" hw-1 1)" "enroll"; dev=$(jget device_token)
# 20 weeks from Monday 2026-03-02, weekdays, 6 lessons, 167 sessions each
# (about 5,000 a week; one device, so all in room 1: 6 teachers and the
# unattributed).
python3 - "$URL" "$dev" <<'PY' || fail "upload"
import datetime as d, json, sys, urllib.request, uuid
url, tok = sys.argv[1], sys.argv[2]
t0 = d.datetime(2026, 3, 2, tzinfo=d.timezone(d.timedelta(hours=8)))
batch, n = [], 0
def flush():
    body = json.dumps({"sessions": batch}).encode()
    rq = urllib.request.Request(url + "/api/v1/sessions", body, {
        "Authorization": "Bearer " + tok, "Content-Type": "application/json"})
    r = json.load(urllib.request.urlopen(rq))
    assert len(r["accepted"]) == len(batch), (len(r["accepted"]), r["rejected"][:3])
    batch.clear()
for i in range(100000):
    k = i // 167
    day, lesson = divmod(k, 6)
    week, wd = divmod(day, 5)
    s = t0 + d.timedelta(weeks=week, days=wd, hours=8 + lesson, seconds=i % 167)
    e = s + d.timedelta(minutes=40)
    batch.append({"id": str(uuid.uuid4()), "start": s.isoformat(), "end": e.isoformat(),
                  "duration_s": 2400, "touches": 5, "active_minutes": 30, "teacher": None,
                  "input": None, "flags": []})
    if len(batch) == 1000:
        flush()
if batch:
    flush()
PY
# A sanitizer build pays shadow memory and a quarantine per allocation:
# there only the figures are checked. Told from the binary itself, since
# tests/run-integration.sh sets ASAN_OPTIONS for every build.
BOUND_MB=40
! grep -qa -e __asan_init -e __tsan_init "$B/bbt-server" || BOUND_MB=0
python3 - "$B/bbt-server" "$DB" "$T" "$BOUND_MB" <<'PY' || fail "teachers memory"
import json, resource, subprocess, sys
srv, db, T, bound = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
out = subprocess.run([srv, "--db", db, "teachers", "--from", "2026-03-02", "--to",
                      "2026-07-19", "--format", "json"], check=True, capture_output=True).stdout
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
rows = json.loads(out)
assert sum(r["sessions"] for r in rows) == 100000, sum(r["sessions"] for r in rows)
print(f"teachers: 100000 sessions, {len(rows)} rows, peak RSS {peak_mb:.1f} MB")
assert bound == 0 or peak_mb < bound, f"peak RSS {peak_mb:.1f} MB: the term's sessions held"
pts = json.loads(subprocess.run([srv, "--db", db, "points", "--from", "2026-03-02", "--to",
                                 "2026-07-19", "--format", "json"], check=True,
                                capture_output=True).stdout)
assert sum(r["points"] for r in rows) == sum(p["points"] for p in pts)
PY
echo "server_teachers_memory: ok"
