#!/bin/sh
# Sync under server faults (agent/sync.c, http_client.c) with
# tests/faultserver.py: 500, 503 and 429 with Retry-After, a reply past the
# agent's 4 MiB cap (refused, not buffered), 413 (the batch
# is split; a session too big alone is kept, not deleted, and does not make
# sync loop), a server that accepts and never answers, a server killed
# after committing but before replying, an agent killed mid-upload, and 401
# (revoked: no further requests until enrolled again). After each fault the
# outbox still holds every session and the server counts each one once; the
# recovery sends exactly what was left (its summary line, whole) and a sync
# after it sends nothing (the fault server's sent.log counts every id the
# agent sends). The two kills are deterministic: the fault server holds the
# request (mode hold) and the test kills only once the body has arrived.
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
# recover LINE: a sync that succeeds and prints exactly LINE.
recover() {
	$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "recovery: sync failed"; }
	summary "$1"
}
# quiet: with everything acknowledged, a sync sends no session at all.
quiet() {
	n0=$(sent "$S")
	$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "$1: sync after recovery"; }
	summary "ok: 0 accepted, 0 duplicate, 0 rejected, 0 left"
	[ "$(sent "$S")" = "$n0" ] || fail "$1: $(( $(sent "$S") - n0 )) acknowledged ids resent"
}
# wait_file FILE SECONDS: 0 once FILE exists.
wait_file() {
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1)); [ $i -le $(($2 * 10)) ] || return 1
		sleep 0.1
	done
}

for m in "500@sessions" "503:7@sessions" "429:4" "429date:30@sessions" "huge:5000000@sessions"; do
	seed 2 9000
	mode "$m"
	if $AG sync > "$BBT_TMP/out"; then fail "sync succeeded under $m"; fi
	[ "$(left)" = 2 ] || { cat "$BBT_TMP/out"; fail "$m: outbox not kept"; }
	case $m in
	503:7*) meta last_sync_error | grep -q 'HTTP 503.*retry after 7 s' || fail "503 Retry-After" ;;
	429date*) meta last_sync_error | grep -Eq 'retry after (29|30) s' || fail "429 date" ;;
	huge*) meta last_sync_error | grep -q 'reply larger than 4194304 bytes' ||
		fail "a 5 MB reply: $(meta last_sync_error)" ;;
	esac
	mode ok
	recover "ok: 2 accepted, 0 duplicate, 0 rejected, 0 left"
	quiet "$m"
done
[ "$(unique "$S")" = $total ] && [ "$(stored "$S")" = $total ] || fail "counts after 5xx/429"

# 413: split until it fits.
seed 6 8000
mode "413:900@sessions"
$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "413 split"; }
summary "ok: 6 accepted, 0 duplicate, 0 rejected, 0 left"
grep -q 'sessions 413' "$S/requests.log" || fail "no 413 was answered"
[ "$(unique "$S")" = $total ] && [ "$(stored "$S")" = $total ] || fail "counts after 413"
quiet "413"
# A session too large even alone: kept, reported, no loop.
seed 2 7000
mode "413:100@sessions"
n0=$(wc -l < "$S/requests.log")
if $AG sync > "$BBT_TMP/out"; then fail "sync exit 0 with sessions left"; fi
grep -q '2 left (some too large' "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "too-big summary"; }
[ $(( $(wc -l < "$S/requests.log") - n0 )) -lt 10 ] || fail "too many requests for 2 sessions"
mode ok
recover "ok: 2 accepted, 0 duplicate, 0 rejected, 0 left"
quiet "too big"

# Accepts, never answers: sync gives up within its timeout, keeps all.
seed 3 6000
mode "hang@sessions"
t0=$(date +%s)
if BBT_HTTP_TIMEOUT=3 $AG sync > "$BBT_TMP/out"; then fail "sync succeeded on hang"; fi
[ $(( $(date +%s) - t0 )) -lt 20 ] || fail "hang: sync did not time out"
[ "$(left)" = 3 ] || fail "hang: outbox not kept"
mode ok
recover "ok: 3 accepted, 0 duplicate, 0 rejected, 0 left"
quiet "hang"

# Server commits then dies before replying: resent, counted once.
seed 4 5000
mode "commit-and-die@sessions"
if $AG sync > "$BBT_TMP/out"; then fail "sync succeeded with no reply"; fi
[ "$(left)" = 4 ] || fail "killed server: outbox not kept"
wait "$FPID" 2>/dev/null || :
mode ok
start_fault "$S" --port "$PORT"
recover "ok: 0 accepted, 4 duplicate, 0 rejected, 0 left"
[ "$(unique "$S")" = $total ] && [ "$(stored "$S")" = $total ] || fail "counts after server death"
quiet "server death"

# Server killed while the agent waits for its reply (nothing committed):
# the server holds the upload; the kill comes once the whole body is in.
seed 2 4500
rm -f "$S/held" "$S/release"
mode "hold@sessions"
$AG sync > "$BBT_TMP/out" 2>&1 &
apid=$!
wait_file "$S/held" 20 || fail "server kill: the upload never arrived"
grep -qx '/api/v1/sessions 2' "$S/held" || fail "server kill: held $(cat "$S/held")"
kill -0 $apid 2>/dev/null || fail "server kill: the agent was gone before the kill"
kill -9 "$FPID"; wait "$FPID" 2>/dev/null || :
if wait $apid; then fail "sync succeeded with the server killed"; fi
summary "failed: 0 accepted, 0 duplicate, 0 rejected, 2 left"
mode ok; rm -f "$S/held"
start_fault "$S" --port "$PORT"
recover "ok: 2 accepted, 0 duplicate, 0 rejected, 0 left"
[ "$(unique "$S")" = $total ] && [ "$(stored "$S")" = $total ] || fail "counts after server kill"
quiet "server kill"

# Agent killed mid-upload: the server holds the upload until the agent is
# dead, then stores the batch and answers no one. The agent never saw the
# acknowledgement, so it resends all three, and they are duplicates.
seed 3 4000
mode "hold@sessions"
$AG sync > "$BBT_TMP/out" 2>&1 &
apid=$!
wait_file "$S/held" 20 || fail "agent kill: the upload never arrived"
grep -qx '/api/v1/sessions 3' "$S/held" || fail "agent kill: held $(cat "$S/held")"
kill -9 $apid
st=0; wait $apid || st=$?
[ "$st" = 137 ] || fail "agent kill: the agent ended with $st before the kill landed"
touch "$S/release"
stored_all() { [ "$(stored "$S")" = "$total" ]; }
i=0; while ! stored_all; do i=$((i + 1)); [ $i -lt 100 ] || fail "held batch not stored"; sleep 0.1; done
mode ok; rm -f "$S/held" "$S/release"
recover "ok: 0 accepted, 3 duplicate, 0 rejected, 0 left"
[ "$(unique "$S")" = $total ] && [ "$(stored "$S")" = $total ] || fail "counts after agent kill"
quiet "agent kill"

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
recover "ok: 1 accepted, 0 duplicate, 0 rejected, 0 left"
[ "$(unique "$S")" = $total ] && [ "$(stored "$S")" = $total ] || fail "final counts"
quiet "re-enroll"
[ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$S/devices.json")" = 1 ] \
	|| fail "re-enrollment made a second device"
echo ok
