#!/bin/sh
# Session upload, heartbeat and metrics against the real collector (issue 3,
# CONTRACT 4.4, 5.2, 5.3): one batch mixing good, duplicate and every kind of
# rejected session (malformed, end before start, over 24 h, future, another
# school), each judged alone; the reply lists; what is stored and how; a
# wrong agent_time never rejects; gzip bodies; the device's last_seen and
# clock offset; heartbeat settings (serve --idle-gap) and what it records;
# 404/405; /metrics format and counts, and its loopback/admin access.
# Covers server/api_device.c api_admin.c ingest.c metrics.c http.c db_sqlite.c.
. tests/server/lib.sh

srv school add 610102001 实验小学 > /dev/null
tok=$(srv token create --school 610102001 --uses 3 | tail -1)
admin=$(srv admin create bureau | tail -1)
STARTED=$(date +%s)
start_server --idle-gap 300
code=$(enroll "$tok" hw-1 三年级二班); expect 201 "$code" enroll
dev=$(jget device_token); devid=$(jget device_id)

# The batch: python writes the body and the expected outcome of each id.
python3 - "$T" <<'PYEOF'
import json, sys, datetime as dt
T = sys.argv[1]
now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
def s(i, start, dur, **kw):
    st = start.astimezone(dt.timezone(dt.timedelta(hours=8)))
    o = {"id": "00000000-0000-4000-8000-%012d" % i, "start": st.isoformat(),
         "end": (st + dt.timedelta(seconds=dur)).isoformat(), "duration_s": dur,
         "touches": 12, "active_minutes": 9, "teacher": None,
         "input": {"name": "IRTOUCH 红外触摸框", "vid": "6615", "pid": "0070"},
         "flags": ["stuck_contact", "recovered"]}
    o.update(kw)
    return o
day = now - dt.timedelta(days=1)
first = [s(1, day, 1800)]
batch = [
    s(1, day, 1800),                                   # duplicate of the first upload
    s(2, day, 2400, teacher="T007"),                   # good
    s(3, day, 1800, school="610102001"),               # good: own school named
    s(4, day, -60),                                    # end before start
    s(5, day - dt.timedelta(days=2), 86401),           # over 24 h
    s(6, now + dt.timedelta(minutes=10), 900),         # future
    s(7, day, 1800, school="610102002"),               # another school
    s(8, day, 1800, duration_s=5),                     # malformed: duration mismatch
    {"id": "00000000-0000-4000-8000-000000000009", "start": "yesterday"},  # malformed
    "not an object",                                   # malformed, no id
    s(10, now - dt.timedelta(seconds=1000), 1200),     # ends 200 s ahead: within slack
]
behind = (now - dt.timedelta(hours=2)).isoformat()     # agent clock 2 h behind
json.dump({"agent_time": behind, "sessions": first}, open(T + "/first.json", "w"))
json.dump({"agent_time": behind, "sessions": batch}, open(T + "/batch.json", "w"))
json.dump({"agent_time": "not a time", "sessions": [s(11, day, 1000)]},
          open(T + "/badclock.json", "w"))
json.dump({"agent_time": behind, "sessions": [s(12, day, 1000)]}, open(T + "/gz.json", "w"))
PYEOF
code=$(req POST /api/v1/sessions "$dev" -H 'Content-Type: application/json' \
    --data-binary @"$T/first.json"); expect 200 "$code" "first upload"
code=$(req POST /api/v1/sessions "$dev" --data-binary @"$T/batch.json")
expect 200 "$code" "mixed batch"
python3 - "$T/reply" <<'PYEOF' || fail "mixed batch reply"
import json, sys
r = json.load(open(sys.argv[1]))
u = lambda i: "00000000-0000-4000-8000-%012d" % i
assert r["accepted"] == [u(2), u(3), u(10)], r["accepted"]
assert r["duplicate"] == [u(1)], r["duplicate"]
rej = {x["id"]: x["error"] for x in r["rejected"]}
assert len(r["rejected"]) == 7, r["rejected"]
assert "ends before it starts" in rej[u(4)], rej
assert "over 24 h" in rej[u(5)], rej
assert "future" in rej[u(6)], rej
assert "another school (610102002)" in rej[u(7)], rej
assert rej[u(8)].startswith("malformed") and "duration_s" in rej[u(8)], rej
assert rej[u(9)].startswith("malformed"), rej
assert rej[None].startswith("malformed"), rej
assert r["server_time"].endswith("+00:00"), r
PYEOF
[ "$(bbtq "$DB" 'len(r)' sessions)" = 4 ] || fail "stored count"
row=$(bbtq "$DB" '[x for x in r if x["id"].endswith("000000000002")][0]' sessions)
python3 - "$row" "$devid" <<'PYEOF' || fail "stored row: $row"
import ast, sys
x = ast.literal_eval(sys.argv[1])
got = [x[k] for k in ("device_id", "school", "room", "duration_s", "teacher",
       "input_name", "input_vid", "flags", "via")]
assert got == [sys.argv[2], "610102001", "三年级二班", 2400, "T007",
               "IRTOUCH 红外触摸框", "6615", "stuck_contact,recovered", "http"], got
assert x["start"].endswith("+08:00") and x["end"].endswith("+08:00"), x  # utc_offset 28800
PYEOF
for i in 4 5 6 7 8 9; do
	[ "$(bbtq "$DB" "len([x for x in r if x['id'].endswith('00000000000$i')])" sessions)" = 0 ] ||
		fail "rejected session $i stored"
done
# The device was seen, with its clock 2 h behind.
dq() { bbtq "$DB" "[x['$1'] for x in r if x['device_id'] == '$devid'][0]" devices; }
off=$(dq clock_offset_s)
[ "$off" -le -7190 ] && [ "$off" -ge -7210 ] || fail "clock offset $off, want about -7200"
[ -n "$(dq last_seen)" ] || fail "last_seen not recorded"

# A wrong agent_time does not reject anything (nor forget the old offset).
code=$(req POST /api/v1/sessions "$dev" --data-binary @"$T/badclock.json")
expect 200 "$code" "bad agent_time"
grep -q '"accepted":\["00000000-0000-4000-8000-000000000011"\]' "$T/reply" ||
	fail "bad agent_time rejected the session"
[ "$(dq clock_offset_s)" = "$off" ] || fail "offset lost"

# gzip body.
gzip -c "$T/gz.json" > "$T/gz.json.gz"
code=$(req POST /api/v1/sessions "$dev" -H 'Content-Encoding: gzip' \
    --data-binary @"$T/gz.json.gz"); expect 200 "$code" "gzip upload"
grep -q '"accepted":\["00000000-0000-4000-8000-000000000012"\]' "$T/reply" ||
	fail "gzip session not accepted"
code=$(req POST /api/v1/sessions "$dev" -H 'Content-Encoding: gzip' \
    --data-binary @"$T/gz.json"); expect 400 "$code" "plain body labelled gzip"
code=$(req POST /api/v1/sessions "$dev" -H 'Content-Encoding: br' \
    --data-binary @"$T/gz.json"); expect 415 "$code" "unknown encoding"

# Heartbeat: the server's detector settings; what it records.
code=$(req POST /api/v1/heartbeat "$dev" -d '{"agent_time":"2020-01-01T00:00:00Z",
"buffer_depth":17,"version":"9.9.9","devices":[{"name":"IRTOUCH","vid":"6615"}]}')
expect 200 "$code" heartbeat
python3 - "$T/reply" <<'PYEOF' || fail "heartbeat reply"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["detector"] == {"idle_gap": 300, "min_session": 900, "stuck_contact": 120}, r
assert r["server_time"]
PYEOF
row=$(bbtq "$DB" '[(x["buffered"], x["agent_version"], x["input_devices"]) for x in r]' devices)
[ "$row" = "(17, '9.9.9', [{'name': 'IRTOUCH', 'vid': '6615'}])" ] ||
	fail "heartbeat row: $row"
[ "$(bbtq "$DB" '[x["clock_offset_s"] < -100000000 for x in r]' devices)" = 1 ] ||
	fail "heartbeat clock offset"
code=$(req POST /api/v1/heartbeat "$dev" -d '{"buffer_depth":"x"}')
expect 400 "$code" "bad buffer_depth"
code=$(req POST /api/v1/heartbeat "$dev" -d '{}'); expect 200 "$code" "empty heartbeat"

# Routing.
code=$(req GET /api/v1/nothing -); expect 404 "$code" "unknown path"
grep -q '"error"' "$T/reply" || fail "404 without a JSON error"
code=$(req GET /api/v1/sessions "$dev"); expect 405 "$code" "wrong method"
curl -s -D "$T/h405" -o /dev/null -X PUT "$URL/api/v1/heartbeat"
grep -qi '^Allow: POST' "$T/h405" || fail "405 without Allow"
code=$(req POST /healthz -); expect 405 "$code" "POST healthz"
code=$(req GET /healthz -); expect 200 "$code" healthz
[ "$(jget status)" = ok ] || fail "healthz status"

# Metrics: no token needed from loopback; an admin token works too.
code=$(req GET /metrics -); expect 200 "$code" "metrics from loopback"
curl -s -D "$T/mh" -o /dev/null "$URL/metrics"
grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/mh" || fail "metrics content type"
code=$(req GET /metrics "$admin"); expect 200 "$code" "metrics with admin token"
code=$(req GET /metrics "$dev"); expect 401 "$code" "metrics with a device token"
req GET /metrics - > /dev/null
python3 - "$T/reply" "$(cat VERSION)" "$STARTED" <<'PYEOF' || { cat "$T/reply"; fail "metrics format"; }
import re, sys
text = open(sys.argv[1]).read()
assert text.endswith("\n")
typed, helped, samples = {}, set(), {}
for line in text.split("\n")[:-1]:
    if line.startswith("# HELP "):
        n = line.split()[2]; assert n not in helped, n; helped.add(n)
    elif line.startswith("# TYPE "):
        _, _, n, t = line.split(); assert n not in typed, n; typed[n] = t
    else:
        m = re.fullmatch(r'([a-z_]+)(\{[^}]*\})? (\S+)', line)
        assert m, line
        name = m.group(1)
        base = re.sub(r'_(bucket|sum|count)$', '', name)
        if typed.get(base) != "histogram":
            base = name
        assert base in typed and base in helped, "sample before TYPE/HELP: " + line
        key = name + (m.group(2) or "")
        assert key not in samples, "sample twice: " + line
        samples[key] = float(m.group(3))
for n, t in {"bbt_http_requests_total": "counter", "bbt_sessions_total": "counter",
        "bbt_devices_enrolled": "gauge", "bbt_devices_seen": "gauge",
        "bbt_ingest_duration_seconds": "histogram", "bbt_build_info": "gauge",
        "bbt_http_request_duration_seconds": "histogram", "bbt_uploads_total": "counter",
        "bbt_heartbeats_total": "counter", "bbt_bundles_total": "counter",
        "process_start_time_seconds": "gauge", "process_resident_memory_bytes": "gauge",
        "process_open_fds": "gauge", "process_cpu_seconds_total": "counter"}.items():
    assert typed.get(n) == t, (n, typed)
# Every histogram, each label set: cumulative buckets ending in +Inf = _count.
def check_hist(name, label):
    sel = label + "," if label else ""
    b = [(k, v) for k, v in samples.items()
         if k.startswith(name + "_bucket{" + sel + "le=")]
    les = [re.search(r'le="([^"]+)"', k).group(1) for k, _ in b]
    assert les[-1] == "+Inf" and [float(x) for x in les[:-1]] == sorted(
        float(x) for x in les[:-1]), les
    vals = [v for _, v in b]
    assert vals == sorted(vals), "buckets not cumulative: " + name + label
    lab = "{" + label + "}" if label else ""
    assert vals[-1] == samples[name + "_count" + lab], name + label
    return vals[-1], samples[name + "_sum" + lab]
# Each endpoint timed once per answer it gave, whatever the status.
eps = {re.search(r'endpoint="([^"]+)"', k).group(1) for k in samples
       if k.startswith("bbt_http_requests_total{")}
for ep in eps:
    n, total = check_hist("bbt_http_request_duration_seconds", 'endpoint="%s"' % ep)
    assert n == sum(v for k, v in samples.items() if k.startswith(
        'bbt_http_requests_total{endpoint="%s",' % ep)), ep
assert check_hist("bbt_http_request_duration_seconds", 'endpoint="/api/v1/sessions"')[0] == 6
assert samples['bbt_build_info{version="%s"}' % sys.argv[2]] == 1
assert samples["bbt_uploads_total"] == 4 and samples["bbt_heartbeats_total"] == 2, samples
assert samples["process_resident_memory_bytes"] > 1e6
assert 3 <= samples["process_open_fds"] < 1000
assert abs(samples["process_start_time_seconds"] - float(sys.argv[3])) < 30
assert samples['bbt_sessions_total{result="accepted"}'] == 6, samples
assert samples['bbt_sessions_total{result="duplicate"}'] == 1
assert samples['bbt_sessions_total{result="rejected"}'] == 7
assert samples["bbt_devices_enrolled"] == 1 and samples["bbt_devices_seen"] == 1
assert samples['bbt_http_requests_total{endpoint="/api/v1/sessions",status="200"}'] == 4
assert samples['bbt_http_requests_total{endpoint="/api/v1/sessions",status="400"}'] == 1
assert samples['bbt_http_requests_total{endpoint="other",status="404"}'] == 1
assert samples['bbt_http_requests_total{endpoint="other",status="405"}'] == 3
n, total = check_hist("bbt_ingest_duration_seconds", "")
assert n == 4 and total > 0
PYEOF
stop_server
echo "server_sessions: ok"
