#!/bin/sh
# The collector's worker threads at once (server/http.c, metrics.c, the
# per-thread database connections): 4 devices each upload 10 sessions and
# heartbeat while 3 admin clients read every report endpoint and /metrics,
# on `serve --threads 4`. Every request answers 200 and the counts add up
# exactly. Under `make tsan` this is the data-race workload for the server.
# Bounded: 80 device and 240 admin requests over loopback.
. tests/server/lib.sh

srv school add 610102001 实验小学 > /dev/null
etok=$(srv token create --school 610102001 --uses 4 | tail -1)
adm=$(srv admin create bureau | tail -1)
start_server --threads 4
toks=
for i in 1 2 3 4; do
	code=$(enroll "$etok" hw-$i room$i); expect 201 "$code" "enroll $i"
	toks="$toks $(jget device_token)"
done
# shellcheck disable=SC2086 # $toks: four tokens
python3 - "$URL" "$adm" $toks <<'PY' || fail "concurrent requests"
import datetime as dt, json, sys, threading, urllib.request, uuid
url, adm, devs = sys.argv[1], sys.argv[2], sys.argv[3:]
tz = dt.timezone(dt.timedelta(hours=8))
now = dt.datetime.now(tz).replace(microsecond=0)
bad = []
def req(m, p, tok, body=None):
    data = json.dumps(body).encode() if body is not None else None
    r = urllib.request.Request(url + p, data=data, method=m)
    r.add_header("Authorization", "Bearer " + tok)
    if data:
        r.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(r, timeout=30) as f:
            f.read()
            return f.status
    except urllib.error.HTTPError as e:
        return e.code
def dev(k, tok):
    for n in range(10):
        st = now - dt.timedelta(hours=2 + 3 * n + k)
        s = {"id": str(uuid.uuid4()), "start": st.isoformat(),
             "end": (st + dt.timedelta(minutes=40)).isoformat(), "duration_s": 2400,
             "touches": 50, "active_minutes": 10, "teacher": None, "input": None, "flags": []}
        for p, b in (("/api/v1/sessions", {"agent_time": now.isoformat(), "sessions": [s]}),
                     ("/api/v1/heartbeat", {"agent_version": "t", "buffer_depth": 0,
                                            "devices": [], "agent_time": now.isoformat()})):
            c = req("POST", p, tok, b)
            if c != 200:
                bad.append((p, c))
def admin():
    for n in range(10):
        for p in ("/api/v1/devices", "/api/v1/stats", "/api/v1/points", "/metrics",
                  "/api/v1/verify", "/api/v1/me", "/healthz", "/dashboard.js"):
            c = req("GET", p, adm)
            if c != 200:
                bad.append((p, c))
ts = [threading.Thread(target=dev, args=(k, t)) for k, t in enumerate(devs)]
ts += [threading.Thread(target=admin) for _ in range(3)]
for t in ts:
    t.start()
for t in ts:
    t.join()
assert not bad, bad[:10]
PY
req GET /metrics "$adm" > /dev/null
grep -q '^bbt_sessions_total{result="accepted"} 40$' "$T/reply" &&
	grep -q '^bbt_http_requests_total{endpoint="/api/v1/heartbeat",status="200"} 40$' "$T/reply" &&
	grep -q '^bbt_devices_seen 4$' "$T/reply" || { cat "$T/reply"; fail "metrics do not add up"; }
stop_server
[ "$(bbtq "$DB" 'len(r)' sessions)" = 40 ] || fail "not 40 sessions stored"
echo "server_concurrent: ok"
