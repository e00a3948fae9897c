#!/bin/sh
# The points report over a term (issue 12: a report's memory grows with the
# rows it prints, not the sessions it reads): BENCH_POINTS_SESSIONS
# sessions (default 500,000) of 25 schools x 25 rooms, 8 timetabled lessons
# a weekday for 20 weeks, uploaded through the real collector's API; then
# `bbt-server points` for the whole term, its time and peak RSS printed
# beside the limit of 64 MiB. On SQLite, and on PostgreSQL when a server is
# installed (a throwaway cluster, tests/pg/cluster.sh). Figures only, never
# pass/fail.
#   bench/points.sh            both backends
#   bench/points.sh --one DB   one run on --db DB (what the above calls)
set -eu
: "${BBT_BUILD:?}" "${BBT_TMP:=$(mktemp -d)}"
dir=$(cd "$(dirname "$0")" && pwd); root=$(dirname "$dir")
if [ "${1:-}" != --one ]; then
	sh "$0" --one "$BBT_TMP/points.db"
	if ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
		# cluster.sh keeps its initdb template under build/: run from the root.
		cd "$root" && tests/pg/cluster.sh sh -c '"$BBT_PG_BIN/createdb" -h "$BBT_PG_SOCKET" \
		    -U postgres -T bbt_template bench_points && sh bench/points.sh --one \
		    "postgresql:///bench_points?host=$BBT_PG_SOCKET&user=postgres"'
	else
		echo "points (PostgreSQL): skipped, no PostgreSQL server installed"
	fi
	exit 0
fi
db=$2; log="$BBT_TMP/serve-$$.log"
case $db in postgres*) backend=PostgreSQL ;; *) backend=SQLite ;; esac
n=${BENCH_POINTS_SESSIONS:-500000}
srv() { "$BBT_BUILD/bbt-server" --db "$db" "$@"; }
python3 - "$BBT_TMP/tt.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("school,room,weekday,start,end,teacher_id,teacher_name,subject\n")
    for s in range(25):
        for r in range(25):
            for wd in range(1, 6):
                for p in range(8):
                    f.write(f"6101{s:05d},{r},{wd},{8 + p:02d}:00,{8 + p:02d}:45,"
                            f"T{(r + p) % 40},教师{(r + p) % 40},数学\n")
PY
: > "$BBT_TMP/tokens"
for s in $(seq 0 24); do
	code=$(printf '6101%05d' "$s")
	srv school add "$code" "学校$s" > /dev/null
	echo "$code $(srv token create --school "$code" --uses 25 | tail -1)" >> "$BBT_TMP/tokens"
done
srv timetable import "$BBT_TMP/tt.csv" > /dev/null
"$BBT_BUILD/bbt-server" --db "$db" serve --listen 127.0.0.1:0 2>"$log" &
spid=$!
trap 'kill "$spid" 2>/dev/null || :; wait "$spid" 2>/dev/null || :' EXIT
trap 'exit 1' INT TERM
i=0
until grep -q 'listening on .*threads)' "$log"; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$log"; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$log" | head -1)
# Each room's device: its share of n, spread over the term's 100 weekdays
# and 8 lessons, each session inside its lesson's slot.
load=$(python3 - "$port" "$BBT_TMP/tokens" "$n" <<'PY'
import base64, datetime as d, http.client, json, os, sys, time, uuid
port, toks, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port)
def post(path, body, auth=None):
    h = {"Content-Type": "application/json"}
    if auth:
        h["Authorization"] = "Bearer " + auth
    conn.request("POST", path, json.dumps(body), h)
    r = conn.getresponse()
    return r.status, json.loads(r.read())
t0 = d.datetime(2026, 3, 2, tzinfo=d.timezone(d.timedelta(hours=8)))
schools = [line.split() for line in open(toks)]
per = n // (25 * 25)
start = time.monotonic()
for si, (code, tok) in enumerate(schools):
    for r in range(25):
        st, rep = post("/api/v1/enroll", {"token": tok, "hw_id": f"b-{code}-{r}",
            "hostname": f"b{r}", "school": code, "room": str(r), "agent_version": "bench",
            "public_key": base64.b64encode(os.urandom(32)).decode()})
        assert st == 201, rep
        dev = rep["device_token"]
        batch = []
        for k in range(per if si or r else n - per * 624):
            lesson, day = k % 8, (k // 8) % 100
            week, wd = divmod(day, 5)
            s = t0 + d.timedelta(weeks=week, days=wd, hours=8 + lesson, seconds=k // 800)
            batch.append({"id": str(uuid.uuid4()), "start": s.isoformat(),
                "end": (s + d.timedelta(minutes=40)).isoformat(), "duration_s": 2400,
                "touches": 5, "active_minutes": 30, "teacher": None, "input": None,
                "flags": []})
            if len(batch) == 1000:
                st, rep = post("/api/v1/sessions", {"sessions": batch}, dev)
                assert st == 200 and not rep["rejected"], (st, rep.get("rejected", [])[:2])
                batch = []
        if batch:
            st, rep = post("/api/v1/sessions", {"sessions": batch}, dev)
            assert st == 200 and not rep["rejected"], (st, rep.get("rejected", [])[:2])
print(f"{time.monotonic() - start:.1f}")
PY
)
kill -TERM "$spid"; wait "$spid" 2>/dev/null || :
trap - EXIT
/usr/bin/time -f '%M %e' -o "$BBT_TMP/time" "$BBT_BUILD/bbt-server" --db "$db" points \
    --from 2026-03-02 --to 2026-07-19 --format json > "$BBT_TMP/points.json"
python3 - "$BBT_TMP/points.json" "$BBT_TMP/time" "$n" "$backend" "$load" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
kib, secs = open(sys.argv[2]).read().split()
n, backend, load = int(sys.argv[3]), sys.argv[4], sys.argv[5]
q = sum(r["qualifying"] for r in rows)
assert q == n, (q, n)
print(f"points ({backend}): {n} sessions (loaded in {load} s), {len(rows)} rows, "
      f"{float(secs):.1f} s, peak RSS {int(kib) / 1024:.1f} MiB (limit 64 MiB)")
PY
