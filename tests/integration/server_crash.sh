#!/bin/sh
# Durability (CONTRACT 5.3 "acknowledged only after durably committed"): three
# uploaders send batches concurrently while the collector is killed with
# SIGKILL; every session id the server acknowledged must be in the database
# afterwards (read with `bbt-server sessions`, whose open recovers the WAL;
# `bbt-server check` finds the database sound), and a
# restarted server answers the resent ids as duplicates. Also: SIGTERM
# stops the server cleanly (exit 0).
# Covers server/api_device.c ingest.c db_sqlite.c http.c.
. tests/server/lib.sh

srv school add 610102001 实验小学 > /dev/null
tok=$(srv token create --school 610102001 --uses 3 | tail -1)
start_server --threads 4
for i in 1 2 3; do
	code=$(enroll "$tok" hw-$i r$i); expect 201 "$code" "enroll $i"
	jget device_token > "$T/dev$i"
done

cat > "$T/up.py" <<'PYEOF'
import json, sys, uuid, http.client, urllib.parse, datetime as dt
url, token, out = sys.argv[1:4]
u = urllib.parse.urlparse(url)
acked = open(out, "a")
start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)
while True:
    batch = []
    for _ in range(25):
        s = {"id": str(uuid.uuid4()), "start": start.isoformat(),
             "end": (start + dt.timedelta(seconds=1200)).isoformat(), "duration_s": 1200,
             "touches": 1, "active_minutes": 1, "teacher": None,
             "input": {"name": "x", "vid": None, "pid": None}, "flags": []}
        batch.append(s)
    try:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        c.request("POST", "/api/v1/sessions", body=json.dumps({"sessions": batch}),
                  headers={"Authorization": "Bearer " + token})
        r = c.getresponse()
        body = json.loads(r.read())
    except Exception:
        sys.exit(0)            # the server is gone: stop
    if r.status != 200:
        print("status", r.status, body); sys.exit(1)
    for i in body["accepted"] + body["duplicate"]:
        acked.write(i + "\n")
    acked.flush()
PYEOF
pids=
for i in 1 2 3; do
	python3 "$T/up.py" "$URL" "$(cat "$T/dev$i")" "$T/acked$i" &
	pids="$pids $!"
done
# Let them run until a good number of batches is acknowledged, then kill -9.
n=0
while [ "$(cat "$T"/acked* 2>/dev/null | wc -l)" -lt 1500 ]; do
	n=$((n + 1)); [ $n -lt 2400 ] || fail "uploads stalled"; sleep 0.05
done
kill -9 "$SPID"
wait "$SPID" 2>/dev/null || :
SPID=
for p in $pids; do wait "$p" || fail "an uploader failed"; done
cat "$T"/acked* | sort -u > "$T/acked"
bbtq "$DB" '[x["id"] for x in r]' sessions | sort -u > "$T/stored"
nacked=$(wc -l < "$T/acked")
missing=$(comm -23 "$T/acked" "$T/stored" | wc -l)
echo "acknowledged $nacked, stored $(wc -l < "$T/stored"), missing $missing"
[ "$nacked" -ge 1500 ] || fail "too few acknowledged"
[ "$missing" = 0 ] || fail "$missing acknowledged sessions lost"
[ "$(srv check)" = "database ok" ] || fail "integrity check"

# Restarted, the server still knows them: resending gives duplicates.
start_server
head -5 "$T/acked" | python3 -c '
import json, sys, datetime as dt
s = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)
print(json.dumps({"sessions": [{"id": i.strip(), "start": s.isoformat(),
  "end": (s + dt.timedelta(seconds=1200)).isoformat(), "duration_s": 1200, "touches": 1,
  "active_minutes": 1, "teacher": None, "input": {"name": "x", "vid": None, "pid": None},
  "flags": []} for i in sys.stdin]}))' > "$T/resend.json"
code=$(req POST /api/v1/sessions "$(cat "$T/dev1")" --data-binary @"$T/resend.json")
expect 200 "$code" "resend after restart"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]));
assert len(r["duplicate"]) == 5 and not r["accepted"], r' "$T/reply" || fail "not duplicates"
kill -TERM "$SPID"
wait "$SPID"; rc=$?
SPID=
[ "$rc" = 0 ] || fail "SIGTERM exit status $rc"
grep -q 'stopping' "$T/serve.log" || fail "no clean stop logged"
echo "server_crash: ok"
