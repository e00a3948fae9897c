#!/bin/sh
# Several collectors behind a load balancer (CONTRACT 5.7, issue 12): two
# `bbt-server serve` processes sharing one database behind haproxy
# (Debian's package, started here on loopback ports this script picks),
# both with `--trusted-proxy 127.0.0.1/32` so their per-client limits and
# logs use the X-Forwarded-For haproxy adds. On SQLite the two processes
# share one file and so one WAL (bbt.db-wal): SQLite's file locks are what
# serialise their writers. Under BBT_TEST_DB=pg (tests/pg/cluster.sh) the
# database is a PostgreSQL one from tests/integration/lib/test_db.sh.
#
# Real agents (build/bbt-agent, each with its own state dir and hw_id)
# enroll, heartbeat and upload through haproxy. Collector A is SIGKILLed
# with an upload in flight, deterministically: A is weighted out of the
# backend while agent X starts a 4000-session upload (20 batches); once B
# has answered X's heartbeat and a first batch, A is stopped (SIGSTOP) and
# weighted back in, haproxy reports a request of X's (an upload: X's
# heartbeat is behind it) in flight at A, and A is killed. Then: every
# session X calls acknowledged is stored, each exactly once (read through
# the CLI, bbtq, never the file); A restarts on its port and X's next pass
# stores the rest once; a revoked device token is refused by both
# collectors at once; the reports (points, verify, stats, devices JSON)
# from A and from B are byte-identical; behind the proxy a client over
# --max-per-address gets 429 while another client address is served.
. tests/sync/lib.sh
. tests/integration/lib/server_query.sh
command -v haproxy > /dev/null || fail "haproxy not installed (apt install haproxy)"
T=$BBT_TMP
# The database both collectors share: a file here (test_db.sh, once
# there, gives a PostgreSQL one under BBT_TEST_DB=pg).
DB=$T/bbt.db
if [ -f tests/integration/lib/test_db.sh ]; then
	. tests/integration/lib/test_db.sh
	DB=$(test_db)
fi
SV="$BBT_BUILD/bbt-server --db $DB"
$SV school add 610102001 测试小学 > /dev/null
ADM=$($SV admin create bureau | tail -1)

# free_port: a loopback port nobody listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# collector NAME PORT: start one on PORT; sets PID_NAME.
collector() {
	: > "$T/$1.log"
	$SV serve --listen "127.0.0.1:$2" --threads 4 --trusted-proxy 127.0.0.1/32 \
	    --max-per-address 4 2> "$T/$1.log" &
	eval "PID_$1=$!"; PIDS="$PIDS $!"
	i=0
	until grep -q 'listening on .*threads)' "$T/$1.log"; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/$1.log"; fail "collector $1 did not start"; }
		sleep 0.1
	done
}
PA=$(free_port); PB=$(free_port); PH=$(free_port)
collector a "$PA"
collector b "$PB"

# The haproxy config docs/province.md explains, on test ports.
cat > "$T/haproxy.cfg" <<EOF
global
	maxconn 2000
	stats socket $T/haproxy.sock mode 600 level admin
defaults
	mode http
	timeout connect 2s
	timeout client 60s
	timeout server 60s
	timeout check 1s
	option forwardfor
	option redispatch
	retries 2
frontend agents
	bind 127.0.0.1:$PH
	default_backend collectors
backend collectors
	balance roundrobin
	option httpchk GET /healthz
	http-check expect status 200
	server a 127.0.0.1:$PA check inter 1s fall 2 rise 1
	server b 127.0.0.1:$PB check inter 1s fall 2 rise 1
EOF
haproxy -c -f "$T/haproxy.cfg" > /dev/null || fail "haproxy config"
haproxy -db -f "$T/haproxy.cfg" > "$T/haproxy.log" 2>&1 &
PIDS="$PIDS $!"
URL="http://127.0.0.1:$PH/"

# hap CMD: a command on haproxy's runtime API.
hap() {
	python3 - "$T/haproxy.sock" "$*" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())
PY
}
# hstat SERVER FIELD: one field of `show stat` for backend collectors.
hstat() {
	hap "show stat" | python3 -c '
import csv, sys
rows = list(csv.reader(l[2:] if l.startswith("# ") else l for l in sys.stdin))
h = rows[0]
for r in rows[1:]:
    if len(r) == len(h) and r[0] == "collectors" and r[1] == sys.argv[1]:
        print(r[h.index(sys.argv[2])] or 0)' "$1" "$2"
}
i=0
until [ "$(hstat a status)" = UP ] && [ "$(hstat b status)" = UP ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/haproxy.log"; fail "haproxy never saw both up"; }
	sleep 0.1
done

# agent NAME: an agent with its own config, state dir and hw_id; sets AG_NAME, ST_NAME.
agent() {
	mkdir -p "$T/$1"
	printf '[server]\nurl = %s\nschool = 610102001\nroom = %s\n' "$URL" "room-$1" \
	    > "$T/$1/agent.conf"
	eval "ST_$1=$T/$1/state; AG_$1='env BBT_HW_ID=hw-$1 $A --config $T/$1/agent.conf \
--state-dir $T/$1/state'"
}
tok() { $SV token create --school 610102001 --uses 1 | tail -1; }
agent x; agent y
$AG_x enroll --token "$(tok)" > /dev/null || fail "x enroll through haproxy"
$AG_y enroll --token "$(tok)" > /dev/null || fail "y enroll through haproxy"
$SEED "$ST_y" 6 7200 1800 none > /dev/null
$AG_y sync > "$T/out" || { cat "$T/out"; fail "y sync"; }
$AG_x sync > "$T/out" || { cat "$T/out"; fail "x sync (heartbeat only)"; }
[ "$(hstat a hrsp_2xx)" -gt 0 ] && [ "$(hstat b hrsp_2xx)" -gt 0 ] ||
	fail "haproxy did not spread requests over both collectors"
[ "$(bbtq "$DB" 'len(r)' sessions)" = 6 ] || fail "y's 6 sessions not stored"

# X's upload in flight at A when A dies.
$SEED "$ST_x" 4000 86400 600 none > /dev/null
hap "set server collectors/a weight 0" > /dev/null
b0=$(hstat b hrsp_2xx)
$AG_x sync > "$T/x-killed.out" 2>&1 &
XPID=$!
# The moves, each as soon as haproxy shows the step before it (its
# runtime API polled every few ms, which a shell loop cannot do).
python3 - "$T/haproxy.sock" "$XPID" "$PID_a" "$b0" <<'PY' ||
import csv, os, signal, socket, sys, time
sock, x, a, b0 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def hap(cmd):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall(cmd.encode() + b"\n")
    out = b""
    while (b := s.recv(65536)):
        out += b
    return out.decode()
def stat(srv, field):
    rows = list(csv.reader(l[2:] if l.startswith("# ") else l
                           for l in hap("show stat").splitlines()))
    for r in rows[1:]:
        if len(r) == len(rows[0]) and r[0] == "collectors" and r[1] == srv:
            return int(r[rows[0].index(field)] or 0)
def until(cond, what):
    t = time.monotonic()
    while not cond():
        assert time.monotonic() - t < 20, what
        time.sleep(0.002)
# b answered x's heartbeat and a first batch: x is mid-upload. Hold it.
until(lambda: stat("b", "hrsp_2xx") >= b0 + 2, "b never answered x twice")
os.kill(x, signal.SIGSTOP)
os.kill(a, signal.SIGSTOP)
hap("set server collectors/a weight 100")
os.kill(x, signal.SIGCONT)
# One of x's next two batches goes to a, which cannot answer: kill it then.
until(lambda: stat("a", "scur") >= 1, "no batch of x reached a")
os.kill(a, signal.SIGKILL)
PY
	{ kill -KILL "$PID_a" 2>/dev/null; cat "$T/x-killed.out"; fail "a not killed mid-upload"; }
wait "$PID_a" 2>/dev/null || :
if wait "$XPID"; then fail "x's pass succeeded though a died under its upload"; fi
# unsynced: how many of x's sessions wait in its outbox (sessions --json: one a line).
unsynced() {
	$AG_x sessions --json | python3 -c '
import json, sys
print(sum(not json.loads(l)["synced"] for l in sys.stdin if l.strip()))'
}
acked=$((4000 - $(unsynced)))
[ "$acked" -ge 200 ] && [ "$acked" -lt 4000 ] || fail "x acknowledged $acked of 4000"
echo "a killed with x's upload in flight: $acked of 4000 acknowledged"
# Each acknowledged session stored, once; nothing stored that x sent only to a.
$AG_x sessions --json > "$T/x.json"
$SV sessions --format json > "$T/stored.json"
python3 - "$T/x.json" "$T/stored.json" <<'PY' || fail "acknowledged sessions not stored exactly once"
import collections, json, sys
mine = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
stored = collections.Counter(s["id"] for s in json.load(open(sys.argv[2])))
acked = {s["id"] for s in mine if s["synced"]}
assert all(stored[i] == 1 for i in acked), "an acknowledged session missing or twice"
assert max(stored.values()) == 1, "a session stored twice"
PY

# A back on its port; x's next pass stores the rest, once, through both.
collector a "$PA"
i=0
until [ "$(hstat a status)" = UP ]; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "haproxy never saw a back"
	sleep 0.1
done
a0=$(hstat a hrsp_2xx)
$AG_x sync > "$T/out" || { cat "$T/out"; fail "x's pass after a came back"; }
[ "$(hstat a hrsp_2xx)" -gt "$a0" ] || fail "a served none of x's resumed upload"
[ "$(bbtq "$DB" 'len(r)' sessions)" = 4006 ] || fail "not 4006 sessions stored"
[ "$(bbtq "$DB" 'len({x["id"] for x in r})' sessions)" = 4006 ] || fail "ids not unique"
[ "$(unsynced)" = 0 ] || fail "x's outbox not empty"

# Behind the proxy each client address has its own --max-per-address (4).
ytok=$($SEED "$ST_y" meta device_token)
python3 - "$PH" "$ytok" <<'PY' || fail "per-client limits behind haproxy"
import socket, sys, time
port, tok = int(sys.argv[1]), sys.argv[2]
def open_req(src):
    s = socket.create_connection(("127.0.0.1", port), source_address=(src, 0))
    s.sendall(("POST /api/v1/heartbeat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n" % tok).encode())
    return s
held = [open_req("127.0.0.2") for _ in range(4)]
time.sleep(0.5)
over = open_req("127.0.0.2")
over.settimeout(10)
assert b" 429 " in over.recv(4096).split(b"\r\n")[0] + b" ", "5th request of 127.0.0.2 not 429"
other = open_req("127.0.0.3")
other.sendall(b"{}")
other.settimeout(10)
assert b" 200 " in other.recv(4096), "127.0.0.3 refused while 127.0.0.2 was at its limit"
for s in held:
    s.sendall(b"{}")
    s.settimeout(10)
    assert b" 200 " in s.recv(4096), "a held request of 127.0.0.2 failed"
PY

# Revoked once, refused by both at once.
yid=$($SEED "$ST_y" meta device_id)
$SV device revoke "$yid" > /dev/null || fail "device revoke"
for p in "$PA" "$PB"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $ytok" \
	    -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$p/api/v1/heartbeat")
	[ "$code" = 401 ] || fail "revoked token got $code from 127.0.0.1:$p"
done
if $AG_y sync > "$T/out" 2>&1; then fail "revoked y synced through haproxy"; fi

# The same reports from either collector, byte for byte, once neither
# holds a heartbeat (each writes its own once a second: server/heartbeat.h).
for p in "$PA" "$PB"; do
	i=0
	until curl -s "http://127.0.0.1:$p/metrics" | grep -qx 'bbt_heartbeats_pending 0'; do
		i=$((i + 1)); [ $i -lt 50 ] || fail "127.0.0.1:$p still holds heartbeats after 5 s"
		sleep 0.1
	done
done
from=$(date -d "-30 days" +%F); to=$(date -d "+1 day" +%F)
for r in points verify stats devices; do
	for p in "$PA" "$PB"; do
		curl -sf -H "Authorization: Bearer $ADM" \
		    "http://127.0.0.1:$p/api/v1/$r?from=$from&to=$to" \
		    > "$T/$r.$p" || fail "GET /api/v1/$r from $p"
	done
	cmp -s "$T/$r.$PA" "$T/$r.$PB" || fail "$r differs between the collectors"
done
grep -q "room-x" "$T/devices.$PA" && grep -q '"revoked":true' "$T/devices.$PA" ||
	fail "devices report without x, or without y revoked"
echo "collectors_haproxy: ok"
