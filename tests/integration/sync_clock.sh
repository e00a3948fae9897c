#!/bin/sh
# Clocks (agent/clock.c, sync.c, http_client.c; CONTRACT 4.4), under faketime:
# a machine whose wall clock is 3 years behind (CLOCK_BOOTTIME untouched,
# as with a dead CMOS battery) enrolls and syncs over verified HTTPS with a
# CA and server certificate made here, although every certificate looks
# "not yet valid" to it; a lesson it recorded in this boot lands at its
# true time flagged clock_adjusted; a lesson of a boot that never met the
# server keeps its times and is flagged clock_unverified; one recorded
# before NTP fixed the clock lands at its true time. Verification is
# still on: a server whose certificate the agent cannot chain is refused.
. tests/sync/lib.sh
FT="env FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f -3y"
P="$BBT_TMP/pki"; mkdir -p "$P"
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
openssl req -x509 $ec -keyout "$P/ca.key" -out "$P/ca.pem" -days 30 \
	-subj "/CN=bbt test CA" -addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req $ec -keyout "$P/srv.key" -out "$P/srv.csr" -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$P/ext"
openssl x509 -req -in "$P/srv.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial \
	-out "$P/srv.pem" -days 30 -extfile "$P/ext" 2>/dev/null
# A second CA the agent is not told about.
openssl req -x509 $ec -keyout "$P/other.key" -out "$P/other.pem" -days 30 \
	-subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null

S="$BBT_TMP/srv"
start_fault "$S" --cert "$P/srv.pem" --key "$P/srv.key"
URL="https://127.0.0.1:$PORT/"
# The premise: with the clock 3 years behind, plain verification fails.
if $FT curl -sf --cacert "$P/ca.pem" "${URL}healthz" >/dev/null 2>&1; then
	fail "curl under faketime accepted the certificate: test premise broken"
fi
curl -sf --cacert "$P/ca.pem" "${URL}healthz" >/dev/null || fail "test PKI broken"

CA_LINE="ca_file = $P/ca.pem"
agent_conf "$URL"
$FT $AG enroll || fail "enroll over HTTPS with the clock 3 years behind"
[ "$(meta enrolled)" = 1 ] || fail "not enrolled"

# Recorded in this boot under the wrong clock, 2 h ago by boottime.
cur=$($FT $SEED "$ST" 1 7200 2400 current)
# Recorded in a boot that never met the server.
old=$($FT $SEED "$ST" 1 90000 1800 0b6c1a52-8f3e-4d2a-9c1b-2f6e7d8a9b0c)
$FT $AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "sync over HTTPS"; }
grep -q '2 accepted' "$BBT_TMP/out" || fail "not both accepted"
python3 - "$S/sessions.jsonl" "$cur" "$old" "$(date +%s)" <<'PY' || fail "session times"
import json, sys
from datetime import datetime
rows = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[1])}
cur, old, now = rows[sys.argv[2]], rows[sys.argv[3]], int(sys.argv[4])
ts = lambda s: datetime.fromisoformat(s).timestamp()
# True time: 2 h before now, give or take the test's own run time.
assert abs(ts(cur["start"]) - (now - 7200)) < 60, cur
assert ts(cur["end"]) - ts(cur["start"]) == 2400 == cur["duration_s"], cur
assert "clock_adjusted" in cur["flags"] and "clock_unverified" not in cur["flags"], cur
# Never met the server: left about 3 years behind, and flagged.
assert ts(old["start"]) < now - 2 * 365 * 86400, old
assert "clock_unverified" in old["flags"] and "clock_adjusted" not in old["flags"], old
PY
off=$(meta clock_offset_s)
[ "$off" -gt $((2 * 365 * 86400)) ] || fail "clock_offset_s $off"

# NTP fixed the clock later in the same boot: a lesson recorded before the
# jump is still moved to its true time.
ntp=$($FT $SEED "$ST" 1 3600 1500 current)
$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "sync after the clock jump"; }
python3 - "$S/sessions.jsonl" "$ntp" "$(date +%s)" <<'PY' || fail "times after the jump"
import json, sys
from datetime import datetime
rows = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[1])}
s, now = rows[sys.argv[2]], int(sys.argv[3])
assert abs(datetime.fromisoformat(s["start"]).timestamp() - (now - 3600)) < 60, s
assert "clock_adjusted" in s["flags"], s
PY

# Chain still verified: a server with a certificate of an unknown CA.
kill "$FPID"; wait "$FPID" 2>/dev/null || :
start_fault "$S" --port "$PORT" --cert "$P/other.pem" --key "$P/other.key"
$FT $SEED "$ST" 1 600 1000 current > /dev/null
if $FT $AG sync > "$BBT_TMP/out" 2>&1; then fail "unknown CA accepted"; fi
grep -qi 'certificate' "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "no certificate error"; }
[ "$(stored "$S")" = 3 ] || fail "sent to an unverified server"
echo ok
