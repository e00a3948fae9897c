#!/usr/bin/env python3
"""ingest_load: the two sides of bench/server-ingest.sh (issue 12).

  ingest_load.py http PORT TOKEN N BATCH AGENTS ROWS
      Enroll AGENTS devices, send N sessions in batches of BATCH over
      AGENTS keep-alive connections at once (each device its own), then
      the same batches again (all duplicates). Prints "NEW/s DUP/s" and
      writes the rows as the collector stores them to ROWS (JSON), batch
      by batch, for the raw side (bench/ingest_raw.c on SQLite).
  ingest_load.py pg URI PSQL AGENTS ROWS
      Insert ROWS into URI's session_ids and sessions with one multi-row
      INSERT of each per batch, one transaction per batch
      (synchronous_commit on), from AGENTS psql sessions at once. Prints
      rows/s.
Bodies and SQL are made, and every connection is open, before the clock
starts; it starts when all loaders are ready and stops at the last one's
last commit: only the sending and the storing are timed. Bench-only.
"""
import base64
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid

COLS = ("id", "device_id", "school", "room", "start", "end", "utc_offset", "duration_s",
        "touches", "active_minutes", "teacher", "input_name", "input_vid", "input_pid",
        "flags", "received_at", "via")


def post(conn, path, body, auth=None):
    h = {"Content-Type": "application/json"}
    if auth:
        h["Authorization"] = "Bearer " + auth
    conn.request("POST", path, body, h)
    r = conn.getresponse()
    return r.status, json.loads(r.read())


def run_http(port, token, n, batch, agents, rows_path):
    devs = []
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for a in range(agents):
        st, rep = post(conn, "/api/v1/enroll", json.dumps({"token": token,
            "hw_id": "bench-%d" % a, "hostname": "b%d" % a, "school": "610100001",
            "room": "r%d" % a, "agent_version": "bench",
            "public_key": base64.b64encode(os.urandom(32)).decode()}))
        assert st == 201, rep
        devs.append((rep["device_id"], rep["device_token"], "r%d" % a))
    conn.close()
    # Sessions spread over the last 300 days, 45 minutes each, batch b
    # from agent b % agents.
    now = int(time.time())
    fmt = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(t + 8 * 3600))
    per = [[] for _ in range(agents)]
    rows = []
    for b0 in range(0, n, batch):
        a = (b0 // batch) % agents
        ss, rs = [], []
        for i in range(b0, min(n, b0 + batch)):
            s = now - 301 * 86400 + i * (300 * 86400 // n)
            sid = str(uuid.uuid4())
            ss.append({"id": sid, "start": fmt(s), "end": fmt(s + 2700), "duration_s": 2700,
                "touches": 300, "active_minutes": 40, "teacher": None,
                "input": {"name": "IRTOUCH Infrared Touch", "vid": "6615", "pid": "0070"},
                "flags": []})
            rs.append([sid, devs[a][0], "610100001", devs[a][2], s, s + 2700, 28800, 2700,
                300, 40, None, "IRTOUCH Infrared Touch", "6615", "0070", "", now, "http"])
        per[a].append((json.dumps({"agent_time": fmt(now), "sessions": ss}), len(ss)))
        rows.append(rs)
    with open(rows_path, "w") as f:
        json.dump(rows, f)

    # Each loader connects, then waits at the barrier; the clock starts as
    # the last one arrives (the barrier's action), so no connection set-up
    # or thread start is timed, and stops at the last loader's last answer
    # (each answer comes after its batch's commit).
    def send(a, want, gate, ends, errs):
        c = http.client.HTTPConnection("127.0.0.1", port)
        try:
            c.connect()
            gate.wait()
            for body, k in per[a]:
                st, rep = post(c, "/api/v1/sessions", body, devs[a][1])
                if st != 200 or len(rep[want]) != k:
                    errs.append((st, rep.get("rejected")))
                    return
            ends[a] = time.monotonic()
        except BaseException:
            gate.abort()  # the others must not wait for this one
            raise
        finally:
            c.close()

    rates = []
    for want in ("accepted", "duplicate"):
        errs, ends, t0 = [], [0.0] * agents, []
        gate = threading.Barrier(agents, action=lambda: t0.append(time.monotonic()))
        ts = [threading.Thread(target=send, args=(a, want, gate, ends, errs))
              for a in range(agents)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert not errs, errs[:3]
        rates.append(n / (max(ends) - t0[0]))
    print("%.0f %.0f" % tuple(rates))


def lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + v.replace("'", "''") + "'"


def run_pg(uri, psql, agents, rows_path, tmp):
    rows = json.load(open(rows_path))
    n = sum(len(b) for b in rows)
    files = []
    for a in range(agents):
        p = "%s.%d.sql" % (rows_path, a)
        with open(p, "w") as f:
            f.write("SET synchronous_commit = on;\n")
            for b in rows[a::agents]:
                f.write("BEGIN;\nINSERT INTO session_ids (id) VALUES %s;\n" %
                        ",".join("(%s)" % lit(r[0]) for r in b))
                f.write('INSERT INTO sessions (%s) VALUES %s;\nCOMMIT;\n' % (
                    ", ".join('"%s"' % c for c in COLS),
                    ",".join("(%s)" % ",".join(lit(v) for v in r) for r in b)))
        files.append(p)
    # Each psql connects and answers a first query before the clock starts
    # (so neither its start-up nor its connection is timed), then runs its
    # file; the clock stops when the last one has committed and exited.
    ps = [subprocess.Popen([psql, "-q", "-A", "-t", "-X", "-v", "ON_ERROR_STOP=1", "-d", uri],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
          for p in files]
    for p in ps:
        p.stdin.write("SELECT 'ready';\n")
        p.stdin.flush()
    for p in ps:
        assert p.stdout.readline().strip() == "ready"
    t0 = time.monotonic()
    for p, f in zip(ps, files):
        p.stdin.write("\\i %s\n" % f)
        p.stdin.close()
    rcs = [p.wait() for p in ps]
    el = time.monotonic() - t0
    assert rcs == [0] * agents, rcs
    for p in files:
        os.unlink(p)
    got = subprocess.run([psql, "-A", "-t", "-X", "-d", uri, "-c",
                          "SELECT count(*) FROM sessions"], capture_output=True, text=True)
    assert int(got.stdout.strip()) == n, got
    print("%.0f" % (n / el))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "http":
        run_http(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
                 int(sys.argv[6]), sys.argv[7])
    else:
        run_pg(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], None)
