#!/bin/sh
# Hostile and broken request bodies against the real collector (issue 3,
# CONTRACT 5.2): the body limit (413 on Content-Length, on a chunked body and on
# a gzip bomb's inflated size), a batch over 1000 sessions (413, so agents
# split it), and some 600 mutated bodies on every body-taking endpoint —
# truncations, byte flips, deep nesting, wrong types, invalid UTF-8, broken
# gzip — which must all get a 4xx or 2xx, never a 5xx, with the server alive
# afterwards and nothing half-stored; and the budget of all bodies held at
# once (503 + Retry-After past it). Each server must then stop cleanly
# (exit 0 on SIGTERM) with no sanitizer report or failed assertion in its
# log: on a sanitizer build a leak is reported at exit, so the logs of both
# servers are read after they stopped.
# Covers server/http.c ingest.c api_device.c.
. tests/server/lib.sh

srv school add 610102001 实验小学 > /dev/null
tok=$(srv token create --school 610102001 --uses 100 | tail -1)
start_server --max-body 65536 --threads 2
code=$(enroll "$tok" hw-1 r1); expect 201 "$code" enroll
dev=$(jget device_token)

python3 - "$T" <<'PYEOF'
import sys
T = sys.argv[1]
open(T + "/big.json", "w").write('{"sessions":[],"pad":"' + "x" * 70000 + '"}')
PYEOF
code=$(req POST /api/v1/sessions "$dev" --data-binary @"$T/big.json")
expect 413 "$code" "Content-Length over the limit"
grep -q '"error"' "$T/reply" || fail "413 without a JSON error"
code=$(req POST /api/v1/sessions "$dev" -H 'Transfer-Encoding: chunked' \
    --data-binary @"$T/big.json"); expect 413 "$code" "chunked body over the limit"
# A gzip bomb: 40 KB on the wire, 40 MB inflated.
head -c 40000000 /dev/zero | gzip -9 > "$T/bomb.gz"
[ "$(stat -c %s "$T/bomb.gz")" -lt 65536 ] || fail "bomb too big to test the inflate cap"
code=$(req POST /api/v1/sessions "$dev" -H 'Content-Encoding: gzip' \
    --data-binary @"$T/bomb.gz"); expect 413 "$code" "gzip bomb"
# 1001 small sessions (fits the byte limit when gzipped): 413.
python3 -c 'import json,sys; print(json.dumps({"sessions": [{"id": "x"}] * 1001}))' |
	gzip > "$T/many.gz"
code=$(req POST /api/v1/sessions "$dev" -H 'Content-Encoding: gzip' \
    --data-binary @"$T/many.gz"); expect 413 "$code" "1001 sessions"
grep -q 'at most 1000' "$T/reply" || fail "1001 sessions text"

# Mutations.
python3 - "$URL" "$dev" "$tok" "$T" <<'PYEOF' || fail "mutated bodies"
import gzip, json, random, sys, http.client, urllib.parse, datetime as dt
url, dev, tok, T = sys.argv[1:5]
u = urllib.parse.urlparse(url)
rnd = random.Random(4242)
now = dt.datetime.now(dt.timezone.utc)
def sess(i):
    s = now - dt.timedelta(days=1)
    return {"id": "00000000-0000-4000-8000-%012d" % i, "start": s.isoformat(),
            "end": (s + dt.timedelta(seconds=1800)).isoformat(), "duration_s": 1800,
            "touches": 5, "active_minutes": 4, "teacher": None,
            "input": {"name": "IRTOUCH", "vid": "6615", "pid": "0070"}, "flags": []}
good = {
    "/api/v1/sessions": json.dumps({"agent_time": now.isoformat(),
                                    "sessions": [sess(i) for i in range(1, 4)]}).encode(),
    "/api/v1/heartbeat": json.dumps({"agent_time": now.isoformat(), "buffer_depth": 3,
                                     "version": "1", "devices": [{"name": "x"}]}).encode(),
    "/api/v1/enroll": json.dumps({"token": "0" * 64, "hw_id": "m", "room": "r",
                                  "public_key": "A" * 43 + "="}).encode(),
}
wrong = [None, True, 1, -1, 1e308, "s", [], {}, [[[]]], "\u0000", 2**63]
def mutate(b):
    k = rnd.randrange(9)
    if k == 0:
        return b[:rnd.randrange(len(b))]
    if k == 1:
        b = bytearray(b)
        for _ in range(rnd.randrange(1, 6)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        return bytes(b)
    if k == 2:
        d = rnd.choice([50, 500, 1200, 5000, 20000])
        return b"[" * d + b"]" * d if rnd.random() < .5 else b'{"sessions":' + b"[" * d
    if k == 3:
        o = json.loads(good["/api/v1/sessions"])
        s = o["sessions"][0]
        s[rnd.choice(list(s))] = rnd.choice(wrong)
        return json.dumps(o).encode()
    if k == 4:
        o = json.loads(b)
        o[rnd.choice(list(o))] = rnd.choice(wrong)
        return json.dumps(o).encode()
    if k == 5:
        i = rnd.randrange(len(b))
        return b[:i] + rnd.choice([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe4\xb8",
                                   b"\x00", b"\xf5\x80\x80\x80"]) + b[i:]
    if k == 6:
        return bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 400)))
    if k == 7:
        return b'{"sessions":[' + b",".join([b'{"id":"' + b"a" * rnd.randrange(2000)
                                             + b'"}'] * 3) + b"]}"
    return json.dumps(rnd.choice(wrong)).encode()
statuses = {}
stored_before = None
conn = None
for n in range(600):
    path = rnd.choice(list(good))
    body = mutate(good[path])
    hdrs = {"Content-Type": "application/json"}
    if path != "/api/v1/enroll":
        hdrs["Authorization"] = "Bearer " + dev
    if rnd.random() < 0.15:
        z = gzip.compress(body)
        body = z[:rnd.randrange(len(z))] if rnd.random() < 0.5 else z
        hdrs["Content-Encoding"] = "gzip"
    for attempt in range(2):
        try:
            if conn is None:
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
            conn.request("POST", path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            break
        except (ConnectionError, http.client.HTTPException):
            conn = None
            if attempt:
                raise
    statuses[r.status] = statuses.get(r.status, 0) + 1
    if r.status >= 500:
        print("5xx for", path, body[:200], data[:200]); sys.exit(1)
    if r.status >= 400 and not json.loads(data).get("error"):
        print("4xx without error text", r.status, data[:200]); sys.exit(1)
print("statuses:", statuses)
assert statuses.get(400, 0) > 100, statuses
PYEOF
kill -0 "$SPID" || fail "server died"
# stop_checked N: stop the server, keep its log as serve.N.log, fail unless
# it exited 0 (LeakSanitizer makes it non-zero).
stop_checked() {
	kill "$SPID"; st=0; wait "$SPID" || st=$?; SPID=
	cp "$T/serve.log" "$T/serve.$1.log"
	[ "$st" = 0 ] || { cat "$T/serve.$1.log"; fail "server $1 exited $st on SIGTERM"; }
}

# The memory budget for bodies held at once (16 x --max-body): 15 slow
# uploads of nearly 4 KiB hold their buffers; one more full request is 503
# with Retry-After rather than more memory; once they finish, all is well.
stop_checked 1
start_server --max-body 4096 --threads 2
python3 - "$URL" "$dev" <<'PYEOF' || fail "body budget"
import socket, sys, time, http.client, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); dev = sys.argv[2]
def head(n):
    return ("POST /api/v1/heartbeat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Content-Length: %d\r\n\r\n" % (dev, n)).encode()
slow = []
for i in range(15):
    s = socket.create_connection((u.hostname, u.port))
    s.sendall(head(4050) + b"{" + b" " * 3999)
    slow.append(s)
time.sleep(1)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
c.request("POST", "/api/v1/heartbeat", body=b"{" + b" " * 3998 + b"}",
          headers={"Authorization": "Bearer " + dev})
r = c.getresponse(); body = r.read()
assert r.status == 503 and r.getheader("Retry-After") == "30", (r.status, body)
for s in slow:
    s.sendall(b" " * 49 + b"}")
    assert b" 200 " in s.recv(4096).split(b"\r\n")[0]
    s.close()
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
c.request("POST", "/api/v1/heartbeat", body=b"{}", headers={"Authorization": "Bearer " + dev})
assert c.getresponse().status == 200
PYEOF
code=$(req GET /healthz -); expect 200 "$code" "healthz after the mutations"
# Only whole, valid sessions were stored (the unmutated good ones at most).
# (end - start from the ISO times, as stored.)
n=$(bbtq "$DB" 'len([x for x in r if x["duration_s"] != 1800 or
    (__import__("datetime").datetime.fromisoformat(x["end"]) -
     __import__("datetime").datetime.fromisoformat(x["start"])).total_seconds() != 1800])' \
    sessions)
[ "$n" = 0 ] || fail "$n odd sessions stored"
stop_checked 2
# ASan, LSan and UBSan reports, and assert(3) failures (a log_path set in
# ASAN_OPTIONS sends the reports to files that make san reads instead).
SANRE='ERROR: (Address|Leak)Sanitizer|runtime error: |SUMMARY: [A-Za-z]*Sanitizer|Assertion .* failed'
if grep -En "$SANRE" "$T/serve.1.log" "$T/serve.2.log"; then fail "errors in the server logs"; fi
echo "server_limits: ok"
