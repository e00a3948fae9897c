# Shared by tests/integration/server_*.sh: a fresh database, the real
# bbt-server on a free loopback port, and small curl helpers.
# Sourced with $BBT_BUILD and $BBT_TMP set (tests/run-integration.sh).
set -eu
. tests/integration/lib/server_query.sh
B=$BBT_BUILD; T=$BBT_TMP; DB=$(test_db)
srv() { "$B/bbt-server" --db "$DB" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }
SPID=

# start_server [serve options...]: sets SPID and URL.
start_server() {
	# Empty first: the previous server's line must not be taken for this one's.
	: > "$T/serve.log"
	"$B/bbt-server" --db "$DB" serve --listen 127.0.0.1:0 "$@" 2> "$T/serve.log" &
	SPID=$!
	i=0
	while ! grep -q 'listening on .*threads)' "$T/serve.log"; do
		i=$((i + 1))
		[ $i -lt 150 ] || { cat "$T/serve.log"; fail "server did not start"; }
		kill -0 "$SPID" 2>/dev/null || { cat "$T/serve.log"; fail "server exited"; }
		sleep 0.1
	done
	URL=$(sed -n 's/.*listening on \([0-9.:]*\) (\(http[s]*\).*/\2:\/\/\1/p' \
	    "$T/serve.log" | head -1)
}
stop_server() {
	[ -n "$SPID" ] || return 0
	kill "$SPID" 2>/dev/null || :
	wait "$SPID" 2>/dev/null || :
	SPID=
}
trap 'stop_server' EXIT

# settle: wait (up to 5 s) until the collector has written the heartbeats
# it holds (server/heartbeat.h: once a second), so the CLI sees them.
settle() {
	_n=0
	until curl -s "$URL/metrics" | grep -qx 'bbt_heartbeats_pending 0'; do
		_n=$((_n + 1)); [ $_n -lt 50 ] || fail "heartbeats still held after 5 s"
		sleep 0.1
	done
}

# A fresh Ed25519 public key, base64 of its raw 32 bytes.
pub() {
	openssl genpkey -algorithm ed25519 2>/dev/null | openssl pkey -pubout -outform DER \
	    2>/dev/null | tail -c 32 | base64
}

# req METHOD PATH TOKEN(or -) [curl args...]: body in $T/reply, prints the status.
req() {
	m=$1; p=$2; tok=$3; shift 3
	if [ "$tok" = - ]; then
		curl -s -o "$T/reply" -w '%{http_code}' -X "$m" "$URL$p" "$@"
	else
		curl -s -o "$T/reply" -w '%{http_code}' -X "$m" "$URL$p" \
		    -H "Authorization: Bearer $tok" "$@"
	fi
}

# enroll TOKEN HW_ID ROOM [SCHOOL]: prints the status; reply in $T/reply.
enroll() {
	req POST /api/v1/enroll - -H 'Content-Type: application/json' -d "{\"token\":\"$1\",\
\"hw_id\":\"$2\",\"hostname\":\"h-$2\",\"school\":\"${4:-}\",\"room\":\"$3\",\
\"agent_version\":\"test\",\"public_key\":\"$(pub)\"}"
}

# jget KEY: a top-level field of $T/reply.
jget() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
    "$T/reply" "$1"; }

# expect STATUS GOT WHAT: fail with the reply unless GOT = STATUS.
expect() {
	[ "$1" = "$2" ] || { cat "$T/reply" 2>/dev/null; echo; fail "$3: got $2, want $1"; }
}

# send TOKEN START END...: upload one session per START END pair (local
# times, +08:00) from the device of TOKEN; fails unless all are accepted.
send() {
	tok=$1; shift
	python3 - "$@" > "$T/batch.json" <<'PY'
import datetime as d, json, sys, uuid
a = sys.argv[1:]
t = lambda x: d.datetime.fromisoformat(x + "+08:00")
ss = [{"id": str(uuid.uuid4()), "start": s + "+08:00", "end": e + "+08:00",
       "duration_s": int((t(e) - t(s)).total_seconds()), "touches": 50,
       "active_minutes": 10, "teacher": None, "input": None, "flags": []}
      for s, e in zip(a[0::2], a[1::2])]
print(json.dumps({"agent_time": "2026-11-23T09:00:00+08:00", "sessions": ss}))
PY
	expect 200 "$(req POST /api/v1/sessions "$tok" -H 'Content-Type: application/json' \
		--data-binary "@$T/batch.json")" "upload"
	python3 -c 'import json,sys; r = json.load(open(sys.argv[1]))
assert not r["rejected"], r' "$T/reply" || fail "sessions rejected"
}
