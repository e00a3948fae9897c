#!/bin/sh
# Heartbeat throughput (issue 12): POST /api/v1/heartbeat to the real
# bbt-server over loopback, from BENCH_HB_CONNS keep-alive connections
# (default 64) of BENCH_HB_DEVICES enrolled devices (default 2000, each
# taking its turn on its connection), for
# BENCH_HB_S seconds (default 5), beside a bare libmicrohttpd responder
# (bench/mhd_bare.c) with the same thread pool (--threads, BENCH_HB_THREADS,
# default 4) and connection settings, loaded the same way in the same run.
# The bare responder is the limit; the target is a ratio of at least 0.5
# (heartbeats are held and written once a second, server/heartbeat.h).
# Each device's token is read from the database once and then served from
# the collector's credential cache (server/credcache.h), as a fleet's are:
# an entry stays until a change names its device, so a classroom that comes
# back after 300 s finds it; the figures count both.
# The load generator is bench/hbload.c. Both are built here with the
# project's compiler flags. Then one flush of as many devices on the quiet
# database (bench/hb_flush.c). Figures only, never pass/fail.
# bench: also on PostgreSQL
set -eu
: "${BBT_BUILD:?}" "${BBT_TMP:=$(mktemp -d)}"
dir=$(cd "$(dirname "$0")" && pwd)
secs=${BENCH_HB_S:-5}; conns=${BENCH_HB_CONNS:-64}; ndev=${BENCH_HB_DEVICES:-2000}
threads=${BENCH_HB_THREADS:-4}
cflags="-std=c11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE"
# shellcheck disable=SC2046,SC2086 # flags are words
cc $cflags -o "$BBT_TMP/mhd_bare" "$dir/mhd_bare.c" $(pkg-config --cflags --libs libmicrohttpd) \
    -lpthread
# shellcheck disable=SC2086
cc $cflags -o "$BBT_TMP/hbload" "$dir/hbload.c" -lpthread
# BENCH_DB: another --db (a PostgreSQL URI). Under tests/pg/cluster.sh
# (BBT_TEST_DB=pg) the default is a new database of that cluster.
if [ -z "${BENCH_DB:-}" ] && [ "${BBT_TEST_DB:-sqlite}" = pg ]; then
	pgname="bench_hb_$$"
	"$BBT_PG_BIN/createdb" -h "$BBT_PG_SOCKET" -U postgres -T bbt_template "$pgname"
	BENCH_DB="postgresql:///$pgname?host=$BBT_PG_SOCKET&user=postgres"
fi
db=${BENCH_DB:-$BBT_TMP/bench.db}; log="$BBT_TMP/serve.log"
case $db in postgres*) echo "backend: PostgreSQL" ;; *) echo "backend: SQLite" ;; esac
srv() { "$BBT_BUILD/bbt-server" --db "$db" "$@"; }
srv school add 610100001 "基准小学" >/dev/null
token=$(srv token create --school 610100001 --uses "$ndev" | tail -1)
body='{"agent_version":"bench","buffer_depth":0,"devices":[],"sync_interval_s":300,"agent_time":"2026-12-02T20:00:00+08:00"}'

"$BBT_TMP/mhd_bare" "$threads" > "$BBT_TMP/bare.port" &
bpid=$!
"$BBT_BUILD/bbt-server" --db "$db" serve --listen 127.0.0.1:0 --threads "$threads" 2>"$log" &
spid=$!
trap 'kill "$spid" "$bpid" 2>/dev/null || :; wait "$spid" "$bpid" 2>/dev/null || :' EXIT
trap 'exit 1' INT TERM
i=0
until grep -q 'listening on .*threads)' "$log" && [ -s "$BBT_TMP/bare.port" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$log"; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$log" | head -1)
bport=$(cat "$BBT_TMP/bare.port")

python3 - "$port" "$token" "$ndev" > "$BBT_TMP/tokens" <<'EOF'
import base64, http.client, json, os, sys
port, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port)
for i in range(n):
    conn.request("POST", "/api/v1/enroll", json.dumps({"token": token, "hw_id": "bench-%d" % i,
        "hostname": "b%d" % i, "school": "610100001", "room": "r%d" % i,
        "agent_version": "bench", "public_key": base64.b64encode(os.urandom(32)).decode()}),
        {"Content-Type": "application/json"})
    r = conn.getresponse()
    rep = json.loads(r.read())
    assert r.status == 201, rep
    print(rep["device_token"])
EOF

# Warm both up for a second, then measure: bare, server, bare again (the
# mean of the two bare runs is the limit, so drift in the machine's load
# during the run shows and does not bias the ratio).
"$BBT_TMP/hbload" "$bport" 1 "$conns" /api/v1/heartbeat - "$body" > /dev/null
"$BBT_TMP/hbload" "$port" 1 "$conns" /api/v1/heartbeat "$BBT_TMP/tokens" "$body" > /dev/null
b1=$("$BBT_TMP/hbload" "$bport" "$secs" "$conns" /api/v1/heartbeat - "$body")
s1=$("$BBT_TMP/hbload" "$port" "$secs" "$conns" /api/v1/heartbeat "$BBT_TMP/tokens" "$body")
b2=$("$BBT_TMP/hbload" "$bport" "$secs" "$conns" /api/v1/heartbeat - "$body")
# Where the rest goes: the collector's own request path with one read and
# no authentication (GET /healthz), on the same server.
hz=$(HBLOAD_METHOD=GET "$BBT_TMP/hbload" "$port" "$secs" "$conns" /healthz - "")
m=$(curl -s "http://127.0.0.1:$port/metrics")
flushes=$(echo "$m" | sed -n 's/^bbt_heartbeat_flushes_total{result="ok"} //p')
fsum=$(echo "$m" | sed -n 's/^bbt_heartbeat_flush_duration_seconds_sum //p')
cached=$(echo "$m" | sed -n 's/^bbt_device_tokens_total{source="cache"} //p')
looked=$(echo "$m" | sed -n 's/^bbt_device_tokens_total{source="database"} //p')
kill -TERM "$spid"; wait "$spid" 2>/dev/null || :
seen=$(srv devices --format json | python3 -c '
import json, sys; print(sum(1 for d in json.load(sys.stdin) if d["agent_version"] == "bench"))')
echo "$b1|$s1|$b2|$flushes|$fsum|$seen|$threads|$conns|$ndev|$hz|$cached|$looked" | awk -F'|' '{
	split($1, b1, " "); split($2, s, " "); split($3, b2, " "); split($10, hz, " ")
	bare = (b1[1] / b1[3] + b2[1] / b2[3]) / 2; hb = s[1] / s[3]
	printf "threads %d, %d keep-alive connections, %d devices\n", $7, $8, $9
	printf "bare libmicrohttpd responder (limit): %9.0f req/s (runs: %.0f, %.0f)\n", bare, b1[1] / b1[3], b2[1] / b2[3]
	printf "bbt-server heartbeats:                %9.0f req/s (%d errors)\n", hb, s[2]
	printf "ratio: %.2f (target >= 0.5)\n", hb / bare
	printf "for scale: GET /healthz (no auth, one read) %.0f req/s, %.2f of the bare\n", hz[1] / hz[3], hz[1] / hz[3] / bare
	printf "device tokens: %d from the credential cache, %d read from the database\n", $11, $12
	printf "written in %d flushes (%.1f ms each on average, under the load); %d of %d devices stored\n", $4, $4 ? 1000 * $5 / $4 : 0, $6, $9
}'
# One flush with nothing else running, against the statement-per-device way
# it was written before (bench/hb_flush.c, built by make bench).
if [ -x "$BBT_BUILD/bench/hb_flush" ]; then
	"$BBT_BUILD/bench/hb_flush" "$db" "$ndev"
else
	echo "one flush, quiet: not measured ($BBT_BUILD/bench/hb_flush not built: make bench builds it)"
fi
