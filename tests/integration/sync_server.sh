#!/bin/sh
# Agent sync against the real collector (agent/sync.c, enroll.c over
# server/api_device.c): enroll with a token from `bbt-server token create`,
# upload, a resend counted once, server killed and restarted (nothing lost),
# and HTTPS (`serve --tls-cert/--tls-key`) from an agent whose clock is 3
# years behind: the session of this boot is stored at its true time.
. tests/sync/lib.sh
. tests/integration/lib/server_query.sh
DB=$(test_db)
SV="$BBT_BUILD/bbt-server --db $DB"
$SV school add 610102001 测试小学 > /dev/null
tok() { $SV token create --school 610102001 --uses 5 | tail -1; }
# serve [ARGS]: start the collector on $PORT (0 the first time); sets SPID.
serve() {
	: > "$BBT_TMP/serve.err"
	$SV serve --listen "127.0.0.1:${PORT:-0}" "$@" 2>"$BBT_TMP/serve.err" &
	SPID=$!; PIDS="$PIDS $SPID"
	i=0
	while ! grep -q 'listening on .*threads)' "$BBT_TMP/serve.err"; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "$BBT_TMP/serve.err"; fail "server did not start"; }
		sleep 0.1
	done
	PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$BBT_TMP/serve.err")
}
serve
URL="http://127.0.0.1:$PORT/"
agent_conf "$URL"
$AG enroll --token "$(tok)" || fail "enroll with a server token"
$SEED "$ST" 5 7200 1800 none > /dev/null
$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "first sync"; }
grep -q '5 accepted.*0 left' "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "summary"; }
[ "$(bbtq "$DB" 'len(r)' sessions)" = 5 ] || fail "server did not store 5"
# The heartbeat reported 5, the pass then uploaded them: 0 left (issue 15).
[ "$(bbtq "$DB" '[x["buffered"] for x in r]' devices)" = 0 ] || fail "buffer depth after the pass"

# Killed and restarted: what waits arrives, once.
kill "$SPID"; wait "$SPID" 2>/dev/null || :
$SEED "$ST" 3 3600 1200 none > /dev/null
if $AG sync > "$BBT_TMP/out"; then fail "sync succeeded with the server down"; fi
serve
$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "sync after restart"; }
[ "$(bbtq "$DB" 'len(r)' sessions)" = 8 ] || fail "expected 8 sessions"

# HTTPS, agent clock 3 years behind.
kill "$SPID"; wait "$SPID" 2>/dev/null || :
P="$BBT_TMP/pki"; mkdir -p "$P"
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
openssl req -x509 $ec -keyout "$P/ca.key" -out "$P/ca.pem" -days 30 \
	-subj "/CN=bbt test CA" -addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req $ec -keyout "$P/srv.key" -out "$P/srv.csr" -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$P/ext"
openssl x509 -req -in "$P/srv.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial \
	-out "$P/srv.pem" -days 30 -extfile "$P/ext" 2>/dev/null
serve --tls-cert "$P/srv.pem" --tls-key "$P/srv.key"
FT="env FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f -3y"
BBT_TMP="$BBT_TMP/tls"; mkdir -p "$BBT_TMP"
CA_LINE="ca_file = $P/ca.pem"
agent_conf "https://127.0.0.1:$PORT/"
export BBT_HW_ID=tls-test-machine
BBT_TMP=${BBT_TMP%/tls}
$FT $AG enroll --token "$(tok)" || fail "enroll over HTTPS, clock behind"
id=$($FT $SEED "$ST" 1 7200 2400 current)
$FT $AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "sync over HTTPS, clock behind"; }
start=$(stored_field "$DB" "$id" start)
flags=$(stored_field "$DB" "$id" flags)
now=$(date +%s)
[ -n "$start" ] && [ $((now - 7200 - start)) -lt 60 ] && [ $((start - now + 7200)) -lt 60 ] \
	|| fail "session stored at $start, not about $((now - 7200))"
echo "$flags" | grep -q clock_adjusted || fail "flags '$flags'"
echo ok
