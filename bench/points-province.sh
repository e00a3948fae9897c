#!/bin/sh
# Province-sized reports (issue 12): 20,000 classrooms (1,000 schools x 20
# rooms, 8 timetabled lessons a weekday), then
#   week: one week of 500,000 sessions (25 a room) and 1,000 live lessons;
#         `points --week`, `stats`, `verify` and `teachers` for it, on SQLite
#         and on PostgreSQL;
#   term: 18 weeks of 5,000,000 sessions (250 a room), PostgreSQL only;
#         `points` for the term.
# Each report's time and peak RSS is printed with its row count, points'
# beside the limit of 64 MiB. Figures only, never pass/fail.
#
# How the sessions get in (so the report figures stay honest): room 0 of
# school 0 enrolls and uploads its own sessions through the real collector's
# API (POST /api/v1/enroll, /api/v1/sessions), which also creates the
# month partitions on PostgreSQL; then one INSERT ... SELECT copies that
# device row to the other 19,999 rooms and its session rows to every room
# (new ids; on PostgreSQL each id also into session_ids, as the ingest
# does). So every row is one the ingest itself wrote, with only the id,
# device, school and room changed, and the database holds what 20,000
# uploading devices would leave. Uploading 5 million sessions through HTTP
# would take hours here; the reports read tables, not how rows arrived, so
# the "load" figure is the copy's time, not an ingest rate (bench/
# server-ingest.sh measures that). On PostgreSQL the copy is followed by
# ANALYZE (autovacuum would do the same soon after a real load; here it
# would race the report). Schools, the timetable (`timetable import`, timed)
# and the schedule (`schedule import`) go in through the CLI.
#   bench/points-province.sh                      SQLite week; PG week + term
#   bench/points-province.sh --one DB week|term   one run on --db DB
# BENCH_PROVINCE_TERM=0 skips the term (PostgreSQL's 5 million rows take a
# few GB of disk under $TMPDIR, 3.5 GB at the peak, freed when the cluster
# stops). The whole bench took 12 minutes on the build machine.
set -eu
: "${BBT_BUILD:?}" "${BBT_TMP:=$(mktemp -d)}"
dir=$(cd "$(dirname "$0")" && pwd); root=$(dirname "$dir")
if [ "${1:-}" != --one ]; then
	t0=$(date +%s)
	sh "$0" --one "$BBT_TMP/province.db" week
	rm -f "$BBT_TMP/province.db"*
	if ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
		term=${BENCH_PROVINCE_TERM:-1}
		# cluster.sh keeps its initdb template under build/: run from the root.
		cd "$root" && BENCH_PROVINCE_TERM=$term tests/pg/cluster.sh sh -c '
		    set -e; u="postgresql:///bench_%s?host=$BBT_PG_SOCKET&user=postgres"
		    mk() { "$BBT_PG_BIN/createdb" -h "$BBT_PG_SOCKET" -U postgres \
		        -T bbt_template "bench_$1"; }
		    mk week; sh bench/points-province.sh --one "$(printf "$u" week)" week
		    "$BBT_PG_BIN/dropdb" -h "$BBT_PG_SOCKET" -U postgres bench_week
		    [ "$BENCH_PROVINCE_TERM" = 0 ] && exit 0
		    mk term; sh bench/points-province.sh --one "$(printf "$u" term)" term'
	else
		echo "province (PostgreSQL): skipped, no PostgreSQL server installed"
	fi
	echo "province: bench wall time $(($(date +%s) - t0)) s"
	exit 0
fi
db=$2; mode=$3; log="$BBT_TMP/serve-$$.log"
case $db in postgres*) backend=PostgreSQL ;; *) backend=SQLite ;; esac
case $mode in week) per=25 ;; term) per=250 ;; *) echo "week or term"; exit 2 ;; esac
schools=${BENCH_PROVINCE_SCHOOLS:-1000}; rooms=20; n=$((schools * rooms * per))
srv() { "$BBT_BUILD/bbt-server" --db "$db" "$@"; }
sql() {
	if [ $backend = SQLite ]; then sqlite3 -bail "$db"
	else psql -q -X -v ON_ERROR_STOP=1 "$db" > /dev/null; fi
}
now() { python3 -c 'import time; print(time.monotonic())'; }
since() { python3 -c "import sys, time; print(f'{time.monotonic() - $1:.1f}')"; }
code() { printf '6101%05d' "$1"; }

srv school add "$(code 0)" 学校0 > /dev/null
tok=$(srv token create --school "$(code 0)" --uses 1 | tail -1)
if [ $backend = SQLite ]; then
	sch="WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $((schools - 1)))
	    SELECT printf('6101%05d', i), '学校' || i FROM g"
else
	sch="SELECT '6101' || lpad(i::text, 5, '0'), '学校' || i
	    FROM generate_series(1, $((schools - 1))) i"
fi
echo "INSERT INTO schools (code, name) $sch;" | sql
python3 - "$BBT_TMP/tt" "$BBT_TMP/live.csv" "$schools" "$rooms" <<'PY'
import sys
tt, live, schools, rooms = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
# In files of 250 schools: `timetable import` takes files up to 16 MiB.
for part in range(0, schools, 250):
    with open(f"{tt}-{part // 250}.csv", "w") as f:
        f.write("school,room,weekday,start,end,teacher_id,teacher_name,subject\n")
        for s in range(part, min(part + 250, schools)):
            for r in range(rooms):
                for wd in range(1, 6):
                    for p in range(8):
                        t = (r + p) % 40
                        f.write(f"6101{s:05d},{r},{wd},{8 + p:02d}:00,{8 + p:02d}:45,"
                                f"T{s}-{t},教师{s}-{t},数学\n")
# One live lesson a school in the week: room 0 delivers at 09:00 on a
# weekday, room 1 of the next school receives.
with open(live, "w") as f:
    f.write("序号,授课类型,学科,主讲教师,地市（县区）,单位,课程名称,开课时间,学段,年级,"
            "学校排课负责人,联系方式,平台,备注,教室,接收单位,接收教室\n")
    for s in range(schools):
        f.write(f"{s + 1},名师课堂,数学,教师{s},西安市,6101{s:05d},课{s},"
                f"2026-03-0{2 + s % 5} 09:00-09:40,小学,三年级,负责人,0,平台,,0,"
                f"6101{(s + 1) % schools:05d},1\n")
PY
t=$(now)
for f in "$BBT_TMP"/tt-*.csv; do srv timetable import "$f" > /dev/null; done
tt_s=$(since "$t")
srv schedule import --year 2026 "$BBT_TMP/live.csv" > /dev/null

"$BBT_BUILD/bbt-server" --db "$db" serve --listen 127.0.0.1:0 2>"$log" &
spid=$!
trap 'kill "$spid" 2>/dev/null || :; wait "$spid" 2>/dev/null || :' EXIT
trap 'exit 1' INT TERM
i=0
until grep -qs 'listening on .*threads)' "$log"; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$log"; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$log" | head -1)
# Room 0's sessions: a week is 5 lessons a weekday; a term is 14 a week
# (lessons 1-3), 18 weeks less the last two lessons. Each inside its slot.
dev0=$(python3 - "$port" "$tok" "$(code 0)" "$per" <<'PY'
import base64, datetime as d, http.client, json, os, sys, uuid
port, tok, code, per = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
conn = http.client.HTTPConnection("127.0.0.1", port)
def post(path, body, auth=None):
    h = {"Content-Type": "application/json"}
    if auth:
        h["Authorization"] = "Bearer " + auth
    conn.request("POST", path, json.dumps(body), h)
    r = conn.getresponse()
    return r.status, json.loads(r.read())
st, rep = post("/api/v1/enroll", {"token": tok, "hw_id": f"b-{code}-0", "hostname": "b0",
    "school": code, "room": "0", "agent_version": "bench",
    "public_key": base64.b64encode(os.urandom(32)).decode()})
assert st == 201, rep
t0 = d.datetime(2026, 3, 2, 8, tzinfo=d.timezone(d.timedelta(hours=8)))
batch = []
for k in range(per):
    if per == 25:
        week, day, lesson = 0, k // 5, k % 5
    else:
        week, j = divmod(k, 14)
        day, lesson = j % 5, j // 5
    s = t0 + d.timedelta(weeks=week, days=day, hours=lesson)
    batch.append({"id": str(uuid.uuid4()), "start": s.isoformat(),
        "end": (s + d.timedelta(minutes=40)).isoformat(), "duration_s": 2400,
        "touches": 5, "active_minutes": 30, "teacher": None, "input": None, "flags": []})
st, r = post("/api/v1/sessions", {"sessions": batch}, rep["device_token"])
assert st == 200 and not r["rejected"] and len(r["accepted"]) == per, (st, r)
print(rep["device_id"])
PY
)
kill -TERM "$spid"; wait "$spid" 2>/dev/null || :
trap - EXIT

cols="start, \"end\", utc_offset, duration_s, touches, active_minutes, teacher,
    input_name, input_vid, input_pid, flags, received_at, via"
dcols="hostname, agent_version, public_key, enrolled_at, last_seen, clock_offset_s,
    buffer_depth, input_devices"
t=$(now)
if [ $backend = SQLite ]; then
	uuid="lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
	    substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' ||
	    hex(randomblob(6)))"
	sql <<SQL
BEGIN;
WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $((schools * rooms - 1)))
INSERT INTO devices (device_id, hw_id, school, room, token_hash, $dcols)
    SELECT $uuid, 'b-' || i, printf('6101%05d', i / $rooms), CAST(i % $rooms AS TEXT),
        lower(hex(randomblob(32))), $dcols FROM g, devices d0 WHERE d0.device_id = '$dev0';
INSERT INTO sessions (id, device_id, school, room, $cols)
    SELECT $uuid, d.device_id, d.school, d.room, $(echo "$cols" | sed 's/\([a-z_"]\{1,\}\)/t.\1/g')
    FROM devices d, sessions t WHERE t.device_id = '$dev0' AND d.device_id <> '$dev0';
COMMIT;
SQL
else
	sql <<SQL
BEGIN;
INSERT INTO devices (device_id, hw_id, school, room, token_hash, $dcols)
    SELECT md5(random()::text)::uuid::text, 'b-' || i,
        '6101' || lpad((i / $rooms)::text, 5, '0'), (i % $rooms)::text,
        md5(random()::text) || md5(random()::text), $dcols
    FROM generate_series(1, $((schools * rooms - 1))) i, devices d0 WHERE d0.device_id = '$dev0';
WITH s AS (INSERT INTO sessions (id, device_id, school, room, $cols)
    SELECT md5(random()::text)::uuid::text, d.device_id, d.school, d.room,
        $(echo "$cols" | sed 's/\([a-z_"]\{1,\}\)/t.\1/g')
    FROM devices d, sessions t WHERE t.device_id = '$dev0' AND d.device_id <> '$dev0'
    RETURNING id)
INSERT INTO session_ids (id) SELECT id FROM s;
COMMIT;
ANALYZE;
SQL
fi
load=$(since "$t")
[ $backend = SQLite ] && size=$(du -m "$db" | cut -f1) ||
	size=$(psql -X -A -t -c 'SELECT pg_database_size(current_database()) / 1048576' "$db")
echo "province $mode ($backend): $schools schools x $rooms rooms, $n sessions" \
    "copied in $load s (database $size MiB); timetable import" \
    "$((schools * rooms * 40)) rows in $tt_s s"

# report NAME ARGS...: run one report to JSON, print its time, peak RSS, rows.
report() {
	name=$1; shift
	/usr/bin/time -f '%M %e' -o "$BBT_TMP/time" "$BBT_BUILD/bbt-server" --db "$db" \
	    "$name" "$@" --format json > "$BBT_TMP/$name.json"
	python3 - "$BBT_TMP/$name.json" "$BBT_TMP/time" "$n" "$backend" "$name $*" "$mode" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
kib, secs = open(sys.argv[2]).read().split()
n, backend, what, mode = int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
limit = ""
if what.startswith("points"):
    q = sum(r["qualifying"] for r in rows)
    assert q == n, (q, n)
    limit = " (limit 64 MiB)"
print(f"  {what}: {len(rows)} rows, {float(secs):.1f} s, "
      f"peak RSS {int(kib) / 1024:.1f} MiB{limit}")
PY
}
if [ $mode = week ]; then
	report points --week 2026-W10
	for r in stats verify teachers; do report $r --from 2026-03-02 --to 2026-03-08; done
else
	report points --from 2026-03-02 --to 2026-07-05
fi
