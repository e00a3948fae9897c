#!/bin/sh
# A collector that moves (issue 12, CONTRACT 4.4 collector_url, `school
# move`): two `bbt-server serve` on one database, A (old address) and B
# (new), both HTTPS. The agent enrolled with A follows `school move` to B
# only after B answered its heartbeat; sessions reach the one database
# once; with B gone it falls back to A; a move to an address that does not
# answer, or a move told over plain HTTP, is not followed; the command
# refuses a URL agents would not take.
# Covers agent/sync.c (follow_move, contact), agent/reply.c, server/cmd_school.c,
# server/api_device.c (heartbeat_reply).
. tests/sync/lib.sh
. tests/integration/lib/server_query.sh
DB=$(test_db)
SV="$BBT_BUILD/bbt-server --db $DB"
$SV school add 610102001 测试小学 > /dev/null
$SV school add 610102002 二小 > /dev/null
tok() { $SV token create --school 610102001 --uses 5 | tail -1; }
# serve NAME PORT [ARGS]: a collector on PORT (0: a free one); sets
# NAME_PID, NAME_PORT.
serve() {
	n=$1; p=$2; shift 2
	: > "$BBT_TMP/$n.err"
	$SV serve --listen "127.0.0.1:$p" "$@" 2>"$BBT_TMP/$n.err" &
	eval "${n}_PID=$!"; PIDS="$PIDS $!"
	i=0
	while ! grep -q 'listening on .*threads)' "$BBT_TMP/$n.err"; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "$BBT_TMP/$n.err"; fail "$n did not start"; }
		sleep 0.1
	done
	eval "${n}_PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$BBT_TMP/$n.err")"
}
sync_ok() {
	$AG sync > "$BBT_TMP/out" 2> "$BBT_TMP/log" ||
		{ cat "$BBT_TMP/out" "$BBT_TMP/log"; fail "$1"; }
}

# The command takes only what agents follow.
for bad in http://127.0.0.1:1/ https:// "https://a b/" 'https://a"b/'; do
	rc=0; $SV school move 610102001 "$bad" 2> "$BBT_TMP/err" || rc=$?
	[ $rc -eq 2 ] || fail "school move '$bad': exit $rc, not a usage error"
	grep -q 'https://' "$BBT_TMP/err" || fail "school move '$bad': message"
done
if $SV school move 999 https://x.example/ 2> "$BBT_TMP/err"; then fail "unknown school"; fi
grep -q 999 "$BBT_TMP/err" || fail "unknown school: message"

P="$BBT_TMP/pki"; mkdir -p "$P"
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
openssl req -x509 $ec -keyout "$P/srv.key" -out "$P/srv.pem" -days 30 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
TLS="--tls-cert $P/srv.pem --tls-key $P/srv.key"
# shellcheck disable=SC2086 # TLS is words
serve A 0 $TLS
# shellcheck disable=SC2086
serve B 0 $TLS
CA_LINE="ca_file = $P/srv.pem"
OLD="https://127.0.0.1:$A_PORT/"; NEW="https://127.0.0.1:$B_PORT/"
agent_conf "$OLD"
$AG enroll --token "$(tok)" || fail "enroll with A"
$SEED "$ST" 2 7200 1800 none > /dev/null
sync_ok "first sync, with A"
[ "$(meta server_url)" = "$OLD" ] || fail "server_url before the move"

# Moved to an address that does not answer: not followed, nothing lost.
$SV school move 610102001 "https://127.0.0.1:1/" | grep -q '^1 school:' || fail "move to :1"
$SEED "$ST" 1 3600 1800 none > /dev/null
sync_ok "sync while the new address is dead"
[ "$(meta server_url)" = "$OLD" ] || fail "followed a move to a dead address"
grep -q 'does not answer' "$BBT_TMP/log" || { cat "$BBT_TMP/log"; fail "dead move: warning"; }
[ "$(bbtq "$DB" 'len(r)' sessions)" = 3 ] || fail "3 sessions after the dead move"

# Moved to B: followed, the old address kept; the other school is not told.
$SV school move 610102001 "$NEW" | grep -q '^1 school: agents told' || fail "move to B"
$SEED "$ST" 2 1800 1200 none > /dev/null
sync_ok "sync that follows the move"
[ "$(meta server_url)" = "$NEW" ] || fail "did not follow the move: $(meta server_url)"
[ "$(meta server_url_prev)" = "$OLD" ] || fail "old address not kept"
grep -q 'collector moved: now' "$BBT_TMP/log" || { cat "$BBT_TMP/log"; fail "move: log"; }
[ "$(bbtq "$DB" 'len(r)' sessions)" = 5 ] || fail "5 sessions after the move"
# Later passes talk to B: with A gone they still succeed.
kill "$A_PID"; wait "$A_PID" 2>/dev/null || :
$SEED "$ST" 1 1500 1200 none > /dev/null
sync_ok "sync with B, A gone"
[ "$(bbtq "$DB" 'len(r)' sessions)" = 6 ] || fail "6 sessions"

# B gone, A back: the agent falls back to A, keeps B as its collector.
# shellcheck disable=SC2086
serve A "$A_PORT" $TLS
kill "$B_PID"; wait "$B_PID" 2>/dev/null || :
$SV school move 610102001 --cancel | grep -q '^1 school: move cancelled' || fail "cancel"
$SEED "$ST" 1 1400 1200 none > /dev/null
sync_ok "sync falling back to A"
grep -q 'the address the collector moved from' "$BBT_TMP/log" || { cat "$BBT_TMP/log"; fail "fallback: log"; }
[ "$(meta server_url)" = "$NEW" ] || fail "fallback rewrote the address"
[ "$(bbtq "$DB" 'len(r)' sessions)" = 7 ] || fail "7 sessions after the fallback"
# Every session stored once, whichever collector took it.
[ "$(bbtq "$DB" 'len(set(x["id"] for x in r))' sessions)" = 7 ] || fail "a session twice"

# Over plain HTTP a move is not followed.
kill "$A_PID"; wait "$A_PID" 2>/dev/null || :
serve H 0
BBT_TMP="$BBT_TMP/plain"; mkdir -p "$BBT_TMP"
CA_LINE=""; agent_conf "http://127.0.0.1:$H_PORT/"
export BBT_HW_ID=plain-http-machine
$AG enroll --token "$(tok)" || fail "enroll over HTTP"
$SV school move --all "$NEW" | grep -q '^2 schools:' || fail "move --all"
sync_ok "sync over HTTP with a move told"
[ "$(meta server_url)" = "http://127.0.0.1:$H_PORT/" ] || fail "followed over plain HTTP"
grep -q 'only a collector reached over https' "$BBT_TMP/log" || { cat "$BBT_TMP/log"; fail "http: warning"; }
echo ok
