#!/bin/sh
# Sync under server faults (agent/sync.c, http_client.c) with
# tests/faultserver.py: 500, 503 and 429 with Retry-After, 413 (the batch
# is split; a session too big alone is kept, not deleted, and does not make
# sync loop), a server that accepts and never answers, a server killed
# after committing but before replying, an agent killed mid-upload, and 401
# (revoked: no further requests until enrolled again). After each fault the
# outbox still holds every session and the server counts each one once.
. tests/sync/lib.sh
S="$BBT_TMP/srv"
start_fault "$S"
URL="http://127.0.0.1:$PORT/"
agent_conf "$URL"
enroll "$URL"
mode() { echo "$1" > "$S/mode"; }
left() { sed -n 's/.* \([0-9-]*\) left.*/\1/p' "$BBT_TMP/out"; }
total=0
seed() { $SEED "$ST" "$1" "$2" 1000 none > /dev/null; total=$((total + $1)); }

for m in "500@sessions" "503:7@sessions" "429:4" "429date:30@sessions"; do
	seed 2 9000
	mode "$m"
	if $AG sync > "$BBT_TMP/out"; then fail "sync succeeded under $m"; fi
	[ "$(left)" = 2 ] || { cat "$BBT_TMP/out"; fail "$m: outbox not kept"; }
	case $m in
	503:7*) meta last_sync_error | grep -q 'HTTP 503.*retry after 7 s' || fail "503 Retry-After" ;;
	429date*) meta last_sync_error | grep -Eq 'retry after (29|30) s' || fail "429 date" ;;
	esac
	mode ok
	$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "recovery after $m"; }
done
[ "$(unique "$S")" = $total ] && [ "$(stored "$S")" = $total ] || fail "counts after 5xx/429"

# 413: split until it fits.
seed 6 8000
mode "413:900@sessions"
$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "413 split"; }
grep -q 'sessions 413' "$S/requests.log" || fail "no 413 was answered"
[ "$(unique "$S")" = $total ] && [ "$(stored "$S")" = $total ] || fail "counts after 413"
# A session too large even alone: kept, reported, no loop.
seed 2 7000
mode "413:100@sessions"
n0=$(wc -l < "$S/requests.log")
if $AG sync > "$BBT_TMP/out"; then fail "sync exit 0 with sessions left"; fi
grep -q '2 left (some too large' "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "too-big summary"; }
[ $(( $(wc -l < "$S/requests.log") - n0 )) -lt 10 ] || fail "too many requests for 2 sessions"
mode ok
$AG sync > "$BBT_TMP/out" || fail "after too-big"

# Accepts, never answers: sync gives up within its timeout, keeps all.
seed 3 6000
mode "hang@sessions"
t0=$(date +%s)
if BBT_HTTP_TIMEOUT=3 $AG sync > "$BBT_TMP/out"; then fail "sync succeeded on hang"; fi
[ $(( $(date +%s) - t0 )) -lt 20 ] || fail "hang: sync did not time out"
[ "$(left)" = 3 ] || fail "hang: outbox not kept"
mode ok
$AG sync > "$BBT_TMP/out" || fail "after hang"

# Server commits then dies before replying: resent, counted once.
seed 4 5000
mode "commit-and-die@sessions"
if $AG sync > "$BBT_TMP/out"; then fail "sync succeeded with no reply"; fi
[ "$(left)" = 4 ] || fail "killed server: outbox not kept"
wait "$FPID" 2>/dev/null || :
mode ok
start_fault "$S" --port "$PORT"
$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "after server death"; }
grep -q '0 accepted, 4 duplicate' "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "not duplicates"; }
[ "$(unique "$S")" = $total ] && [ "$(stored "$S")" = $total ] || fail "counts after server death"

# Server killed while the agent waits for its reply (nothing committed).
seed 2 4500
mode "hang@sessions"
$AG sync > "$BBT_TMP/out" 2>&1 &
apid=$!
sleep 1; kill -9 "$FPID"; wait "$FPID" 2>/dev/null || :
if wait $apid; then fail "sync succeeded with the server killed"; fi
[ "$(left)" = 2 ] || { cat "$BBT_TMP/out"; fail "server killed: outbox not kept"; }
mode ok
start_fault "$S" --port "$PORT"
$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "after server kill"; }
[ "$(unique "$S")" = $total ] && [ "$(stored "$S")" = $total ] || fail "counts after server kill"

# Agent killed mid-upload (the server stores the batch after it is gone).
seed 3 4000
mode "slow:2@sessions"
$AG sync > "$BBT_TMP/out" 2>&1 &
apid=$!
sleep 1; kill -9 $apid; wait $apid 2>/dev/null || :
sleep 2
mode ok
$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "after agent kill"; }
grep -q ' 0 left' "$BBT_TMP/out" || fail "left after agent kill"
[ "$(unique "$S")" = $total ] && [ "$(stored "$S")" = $total ] || fail "counts after agent kill"

# 401: revoked, no more requests, `enroll` brings it back.
seed 1 3000
mode 401
if $AG sync > "$BBT_TMP/out"; then fail "sync succeeded on 401"; fi
[ "$(meta enrolled)" = revoked ] || fail "not marked revoked"
$AG status | grep -q 'not enrolled' || { $AG status; fail "status does not say not enrolled"; }
n0=$(wc -l < "$S/requests.log")
if $AG sync > "$BBT_TMP/out"; then fail "sync succeeded while revoked"; fi
[ "$(wc -l < "$S/requests.log")" = "$n0" ] || fail "revoked agent still sent requests"
mode ok
enroll "$URL"
$AG sync > "$BBT_TMP/out" || fail "after re-enroll"
[ "$(unique "$S")" = $total ] && [ "$(stored "$S")" = $total ] || fail "final counts"
[ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$S/devices.json")" = 1 ] \
	|| fail "re-enrollment made a second device"
echo ok
