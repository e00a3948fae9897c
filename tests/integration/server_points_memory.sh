#!/bin/sh
# `points` over a term holds one school-week of sessions at a time, never
# the term's (issue 12: a report's memory grows with the rows it prints,
# not the sessions it reads). 100,000 sessions over 20 weeks (about 5,000 a
# week) are uploaded through the API; the report's peak RSS must stay under
# 32 MB. Holding the term's sessions, as the report once did (one array of
# them, an index and a row array as long), cost about 690 bytes a session:
# 65.8 MB here. The rows must still be right: every session qualifies, and
# each of the 6 timetabled teachers of each week earns the capped 2 x 5.
. tests/server/lib.sh
srv school add 610102001 一小 > /dev/null
tok=$(srv token create --school 610102001 | tail -1)
python3 - > "$T/tt.csv" <<'PY'
print("school,room,weekday,start,end,teacher_id,teacher_name,subject")
for r in range(1, 41):
    for wd in range(1, 6):
        for p in range(6):
            print(f"610102001,{r},{wd},{8 + p:02d}:00,{8 + p:02d}:45,T{r}_{p},教师{r}_{p},数学")
PY
srv timetable import "$T/tt.csv" > /dev/null || fail "timetable"
start_server
expect 201 "$(enroll "$tok" hw-1 1)" "enroll"; dev=$(jget device_token)
# 20 weeks from Monday 2026-03-02, weekdays, 6 lessons, 167 sessions each
# (one device, so all in room 1, each inside its lesson's slot). Prints the
# points the rule gives: 10 for every (week, lesson) met.
expected=$(python3 - "$URL" "$dev" <<'PY'
import datetime as d, json, sys, urllib.request, uuid
url, tok = sys.argv[1], sys.argv[2]
t0 = d.datetime(2026, 3, 2, tzinfo=d.timezone(d.timedelta(hours=8)))
batch, met = [], set()
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
    met.add((week, lesson))
    s = t0 + d.timedelta(weeks=week, days=wd, hours=8 + lesson, seconds=i % 167)
    e = s + d.timedelta(minutes=40)
    batch.append({"id": str(uuid.uuid4()), "start": s.isoformat(), "end": e.isoformat(),
                  "duration_s": 2400, "touches": 5, "active_minutes": 30, "teacher": None,
                  "input": None, "flags": []})
    if len(batch) == 1000:
        flush()
if batch:
    flush()
print(10 * len(met))
PY
) || fail "upload"
# A sanitizer build pays shadow memory and a quarantine per allocation:
# there only the figures are checked. Told from the binary itself, since
# tests/run-integration.sh sets ASAN_OPTIONS for every build.
BOUND_MB=32
! grep -qa -e __asan_init -e __tsan_init "$B/bbt-server" || BOUND_MB=0
python3 - "$B/bbt-server" "$DB" "$BOUND_MB" "$expected" <<'PY' || fail "points memory"
import json, resource, subprocess, sys
srv, db, bound, expected = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
out = subprocess.run([srv, "--db", db, "points", "--from", "2026-03-02", "--to",
                      "2026-07-19", "--format", "json"], check=True, capture_output=True).stdout
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
rows = json.loads(out)
print(f"points: 100000 sessions, {len(rows)} rows, peak RSS {peak_mb:.1f} MB "
      f"(limit {bound or 'none: sanitizer'} MB)")
assert sum(r["qualifying"] for r in rows) == 100000, sum(r["qualifying"] for r in rows)
assert all(r["teacher_id"] is not None for r in rows), "an unattributed row"
assert sum(r["points"] for r in rows) == expected, (sum(r["points"] for r in rows), expected)
assert [(r["week"], r["teacher_id"]) for r in rows] == sorted(
    (r["week"], r["teacher_id"]) for r in rows), "rows out of order"
assert bound == 0 or peak_mb < bound, f"peak RSS {peak_mb:.1f} MB: the term's sessions held"
PY
echo "server_points_memory: ok"
