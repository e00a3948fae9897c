#!/usr/bin/env python3
"""A small scriptable collector for the agent's sync tests (python3 stdlib).

It speaks the agent side of CONTRACT 4.4 (POST /api/v1/enroll, /heartbeat,
/sessions, GET /healthz) well enough to count what arrives, and misbehaves
on demand. The behaviour is read from DIR/mode before every request, so a
test changes it by rewriting that file while the server runs:

  ok                 behave
  500                every request: 500
  503:N / 429:N      every request: that status with Retry-After: N seconds
  429date:N          429 with Retry-After as an HTTP date N seconds ahead
  413:N              POST /sessions with a (decompressed) body over N bytes: 413
  hang               accept, read the request, never answer
  slow:N             answer after N seconds
  401                every request but enroll: 401
  huge:N             every request: 200 with a JSON body of N bytes (past the
                     agent's reply cap it must give up, not buffer it all)
  commit-and-die     POST /sessions: store the batch, then exit without a reply
  reject:TEXT        POST /sessions: every session rejected with reason TEXT
  flaky:N            every Nth request fails (with the scope below: every Nth
                     of those requests), alternately with a 500 and with a
                     connection reset (no reply); the others behave: a link
                     that makes progress and fails every pass (backoff tests)
  hold               read the whole request, write DIR/held (its session count),
                     then wait until DIR/release exists and go on as "ok"; the
                     test kills the server or the agent while it is held, so
                     the kill lands mid-request for certain

A mode may be limited to paths containing a string: "503:2@sessions".
A request in absolute form (the server used as an HTTP proxy) is served as
if addressed to it, and logged with "via-proxy HOST".

State in DIR: sessions.jsonl (one line per session stored, first arrival
only: a resent id is answered "duplicate" and not stored again),
sent.log (every session id of every POST /sessions body, one line
"REQUEST_NUMBER ID", whatever the mode and the answer: duplicates and
resends included, so a test can count what the agent sent), requests.log
(method, path, status, session count), devices.json, port (written once
listening).
"""
import argparse
import base64
import email.utils
import gzip
import json
import os
import secrets
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
ARGS = None
REQUESTS = [0]
FLAKY = [0, 0]  # requests seen in flaky mode, failures made


def state(name):
    return os.path.join(ARGS.dir, name)


def load_json(name, default):
    try:
        with open(state(name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def save_json(name, value):
    tmp = state(name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(value, f)
    os.replace(tmp, state(name))


def stored_ids():
    ids = set()
    try:
        with open(state("sessions.jsonl")) as f:
            for line in f:
                ids.add(json.loads(line)["id"])
    except OSError:
        pass
    return ids


def read_mode(path):
    try:
        with open(state("mode")) as f:
            spec = f.read().strip() or "ok"
    except OSError:
        spec = "ok"
    scope = None
    if "@" in spec:
        spec, scope = spec.split("@", 1)
    if scope and scope not in path:
        return "ok", None
    name, _, arg = spec.partition(":")
    return name, arg


def server_time():
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("faultserver: " + (fmt % args) + "\n")

    def note(self, status, n=0):
        via = " via-proxy " + self.proxied if getattr(self, "proxied", None) else ""
        with LOCK, open(state("requests.log"), "a") as f:
            f.write("%s %s %d %d%s\n" % (self.command, self.path, status, n, via))

    def unproxy(self):
        """Absolute-form request line: we are the client's HTTP proxy."""
        if self.path.startswith("http://"):
            u = urllib.parse.urlsplit(self.path)
            self.proxied = u.netloc
            self.path = u.path or "/"

    def reply(self, status, obj=None, headers=None, n=0):
        body = json.dumps(obj if obj is not None else {}).encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.note(status, n)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        if self.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        return raw

    def faults(self, mode, arg, raw):
        """Answer a fault and return True, or return False to go on."""
        if mode in ("500",):
            self.reply(500, {"error": "injected 500"})
        elif mode in ("503", "429"):
            self.reply(int(mode), {"error": "injected"}, {"Retry-After": arg or "1"})
        elif mode == "429date":
            when = email.utils.formatdate(time.time() + int(arg or 1), usegmt=True)
            self.reply(429, {"error": "injected"}, {"Retry-After": when})
        elif mode == "hang":
            self.note(0)
            while True:
                time.sleep(3600)
        elif mode == "hold":
            self.hold(raw)
            return False
        elif mode == "flaky":
            return self.flaky(int(arg or 2))
        elif mode == "slow":
            time.sleep(float(arg or 5))
            return False
        elif mode == "huge":
            self.reply(200, {"pad": "x" * int(arg or 5000000)})
        elif mode == "401" and "enroll" not in self.path:
            self.reply(401, {"error": "unknown device token"})
        elif mode == "413" and "sessions" in self.path and len(raw) > int(arg):
            self.reply(413, {"error": "body too large"})
        else:
            return False
        return True

    def flaky(self, n):
        """Every nth request fails: a 500, then a reset, and so on."""
        with LOCK:
            FLAKY[0] += 1
            if FLAKY[0] % n:
                return False
            FLAKY[1] += 1
            reset = FLAKY[1] % 2 == 0
        if not reset:
            self.reply(500, {"error": "injected flaky 500"})
            return True
        self.note(0)
        # SO_LINGER 0: close sends a RST, the client sees a reset, no reply.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()
        return True

    def hold(self, raw):
        """Mark the request as arrived whole, then wait for DIR/release."""
        try:
            n = len(json.loads(raw).get("sessions") or [])
        except (ValueError, AttributeError):
            n = 0
        tmp = state("held.tmp")
        with open(tmp, "w") as f:
            f.write("%s %d\n" % (self.path, n))
        os.replace(tmp, state("held"))
        while not os.path.exists(state("release")):
            time.sleep(0.05)

    def log_sent(self, raw):
        """Every id the agent sent in this request, before any fault."""
        try:
            sessions = json.loads(raw).get("sessions")
        except (ValueError, AttributeError):
            return
        if not isinstance(sessions, list):
            return
        with LOCK:
            REQUESTS[0] += 1
            with open(state("sent.log"), "a") as f:
                for s in sessions:
                    sid = s.get("id") if isinstance(s, dict) else None
                    f.write("%d %s\n" % (REQUESTS[0], sid))

    def do_GET(self):
        self.unproxy()
        mode, arg = read_mode(self.path)
        if self.faults(mode, arg, b""):
            return
        if self.path == "/healthz":
            self.reply(200, {"ok": True})
        else:
            self.reply(404, {"error": "not found"})

    def device(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return None
        devices = load_json("devices.json", {})
        for hw, d in devices.items():
            if d["token"] == auth[7:]:
                return d
        return None

    def do_POST(self):
        self.unproxy()
        try:
            raw = self.body()
        except (OSError, ValueError):
            self.reply(400, {"error": "bad body"})
            return
        if self.path == "/api/v1/sessions":
            self.log_sent(raw)
        mode, arg = read_mode(self.path)
        if self.faults(mode, arg, raw):
            return
        try:
            req = json.loads(raw)
        except ValueError:
            self.reply(400, {"error": "not JSON"})
            return
        if self.path == "/api/v1/enroll":
            self.enroll(req)
        elif self.device() is None:
            self.reply(401, {"error": "unknown device token"})
        elif self.path == "/api/v1/heartbeat":
            with LOCK, open(state("heartbeats.jsonl"), "a") as f:
                f.write(json.dumps(req) + "\n")
            out = {"server_time": server_time()}
            if ARGS.settings:
                out["settings"] = json.loads(ARGS.settings)
            self.reply(200, out)
        elif self.path == "/api/v1/sessions":
            self.sessions(req, mode)
        else:
            self.reply(404, {"error": "not found"})

    def enroll(self, req):
        need = ["token", "hw_id", "hostname", "school", "room",
                "agent_version", "public_key"]
        if any(not isinstance(req.get(k), str) for k in need):
            self.reply(400, {"error": "missing field"})
            return
        if req["token"] != ARGS.token:
            self.reply(403, {"error": "bad enrollment token"})
            return
        if len(base64.b64decode(req["public_key"], validate=True)) != 32:
            self.reply(400, {"error": "bad public key"})
            return
        with LOCK:
            devices = load_json("devices.json", {})
            d = devices.get(req["hw_id"]) or {"device_id": len(devices) + 1}
            d.update(token=secrets.token_hex(16), public_key=req["public_key"],
                     school=req["school"], room=req["room"])
            d["enrollments"] = d.get("enrollments", 0) + 1
            devices[req["hw_id"]] = d
            save_json("devices.json", devices)
        self.reply(201, {"device_id": d["device_id"], "device_token": d["token"]})

    def sessions(self, req, mode):
        sessions = req.get("sessions")
        if not isinstance(sessions, list) or not isinstance(req.get("agent_time"), str):
            self.reply(400, {"error": "bad batch"})
            return
        if mode == "reject":  # a collector that refuses them all (quarantine tests)
            why = read_mode(self.path)[1] or "refused by the test"
            rej = [{"id": s.get("id") if isinstance(s, dict) else None, "error": why}
                   for s in sessions]
            self.reply(200, {"accepted": [], "duplicate": [], "rejected": rej,
                             "server_time": server_time()}, n=len(sessions))
            return
        acc, dup, rej = [], [], []
        with LOCK:
            have = stored_ids()
            with open(state("sessions.jsonl"), "a") as f:
                for s in sessions:
                    sid = s.get("id") if isinstance(s, dict) else None
                    if not isinstance(sid, str) or "start" not in s:
                        rej.append({"id": sid, "error": "malformed"})
                    elif sid in have:
                        dup.append(sid)
                    else:
                        have.add(sid)
                        acc.append(sid)
                        f.write(json.dumps(s, ensure_ascii=False) + "\n")
                f.flush()
                os.fsync(f.fileno())
        if mode == "commit-and-die":
            self.note(0, len(sessions))
            os._exit(3)
        self.reply(200, {"accepted": acc, "duplicate": dup, "rejected": rej,
                         "server_time": server_time()}, n=len(sessions))


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--token", default="enroll-me")
    p.add_argument("--settings", help="JSON detector settings for heartbeats")
    p.add_argument("--cert")
    p.add_argument("--key")
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    srv.daemon_threads = True
    if ARGS.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.cert, ARGS.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(state("port.tmp"), "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(state("port.tmp"), state("port"))
    srv.serve_forever()


if __name__ == "__main__":
    main()
