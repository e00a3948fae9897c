#!/bin/sh
# Collector ingest throughput (CONTRACT 8): the same sessions sent to the real
# bbt-server over loopback HTTP in batches, and inserted straight into an
# SQLite file with the server's durability settings (WAL, synchronous=FULL,
# one transaction per batch). The raw insert rate is the limit the server
# cannot beat; the ratio says what HTTP, JSON, validation and the duplicate
# check cost. Figures only, never pass/fail.
set -eu
: "${BBT_BUILD:?}" "${BBT_TMP:=$(mktemp -d)}"
n=${BENCH_SESSIONS:-20000}; batch=${BENCH_BATCH:-200}
db="$BBT_TMP/bench.db"; log="$BBT_TMP/serve.log"
srv() { "$BBT_BUILD/bbt-server" --db "$db" "$@"; }

srv school add 610100001 "基准小学" >/dev/null
token=$(srv token create --school 610100001 --uses 1 | tail -1)
"$BBT_BUILD/bbt-server" --db "$db" serve --listen 127.0.0.1:0 2>"$log" &
spid=$!
trap 'kill "$spid" 2>/dev/null; wait "$spid"' EXIT
trap 'exit 1' INT TERM
i=0
until grep -q 'listening on .*threads)' "$log"; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$log"; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$log" | head -1)

python3 - "$port" "$token" "$n" "$batch" "$BBT_TMP/raw.db" <<'EOF'
import base64, http.client, json, os, sqlite3, sys, time, uuid
port, token, n, batch, rawdb = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), \
    int(sys.argv[4]), sys.argv[5]

def post(conn, path, body, auth=None):
    h = {"Content-Type": "application/json"}
    if auth:
        h["Authorization"] = "Bearer " + auth
    conn.request("POST", path, json.dumps(body), h)
    r = conn.getresponse()
    return r.status, json.loads(r.read())

conn = http.client.HTTPConnection("127.0.0.1", port)
key = base64.b64encode(os.urandom(32)).decode()
st, rep = post(conn, "/api/v1/enroll", {"token": token, "hw_id": "bench", "hostname": "b",
    "school": "610100001", "room": "101", "agent_version": "bench", "public_key": key})
assert st == 201, rep
dev = rep["device_token"]

# Sessions spread over the last 300 days, 45 minutes each.
now = int(time.time())
sessions = []
for i in range(n):
    s = now - 301 * 86400 + i * (300 * 86400 // n)
    fmt = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(t + 8 * 3600))
    sessions.append({"id": str(uuid.uuid4()), "start": fmt(s), "end": fmt(s + 2700),
        "duration_s": 2700, "touches": 300, "active_minutes": 40, "teacher": None,
        "input": {"name": "IRTOUCH Infrared Touch", "vid": "6615", "pid": "0070"},
        "flags": []})
batches = [sessions[i:i + batch] for i in range(0, n, batch)]

t0 = time.monotonic()
for b in batches:
    st, rep = post(conn, "/api/v1/sessions", {"agent_time": "2026-01-01T00:00:00+08:00",
        "sessions": b}, dev)
    assert st == 200 and len(rep["accepted"]) == len(b), (st, rep.get("rejected"))
http_s = time.monotonic() - t0

t0 = time.monotonic()
for b in batches:
    st, rep = post(conn, "/api/v1/sessions", {"agent_time": "2026-01-01T00:00:00+08:00",
        "sessions": b}, dev)
    assert st == 200 and len(rep["duplicate"]) == len(b), (st, rep)
dup_s = time.monotonic() - t0

raw = sqlite3.connect(rawdb, isolation_level=None)
raw.execute("PRAGMA journal_mode=WAL")
raw.execute("PRAGMA synchronous=FULL")
raw.execute("CREATE TABLE sessions (id TEXT PRIMARY KEY, device_id TEXT, school TEXT, "
            "room TEXT, start INTEGER, \"end\" INTEGER, utc_offset INTEGER, "
            "duration_s INTEGER, touches INTEGER, active_minutes INTEGER, teacher TEXT, "
            "input_name TEXT, input_vid TEXT, input_pid TEXT, flags TEXT, "
            "received_at INTEGER, via TEXT)")
raw.execute("CREATE INDEX s1 ON sessions(start)")
raw.execute("CREATE INDEX s2 ON sessions(school, start)")
raw.execute("CREATE INDEX s3 ON sessions(device_id, start)")
t0 = time.monotonic()
for bi, b in enumerate(batches):
    raw.execute("BEGIN")
    raw.executemany("INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(s["id"], "d", "610100001", "101", now, now + 2700, 28800, 2700, 300, 40, None,
          "IRTOUCH Infrared Touch", "6615", "0070", "", now, "http") for s in b])
    raw.execute("COMMIT")
raw_s = time.monotonic() - t0

print(f"sessions: {n} in batches of {batch} ({len(batches)} requests, one connection)")
print(f"raw SQLite inserts (limit): {n / raw_s:10.0f} sessions/s")
print(f"HTTP ingest, new:           {n / http_s:10.0f} sessions/s  "
      f"({http_s / raw_s:.1f}x the raw time)")
print(f"HTTP ingest, duplicates:    {n / dup_s:10.0f} sessions/s")
print(f"per request (new):          {1000 * http_s / len(batches):10.1f} ms")
EOF
