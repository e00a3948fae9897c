#!/bin/sh
# Sync (agent/sync.c, enroll.c, http_client.c): enrollment, first sync of
# sessions over gzip, the heartbeat, the outbox emptied only by the
# server's acknowledgements, a second sync sending nothing, and a server
# that is down: `sync` fails promptly, loses nothing, and succeeds later;
# a backlog of 250 goes in two batches, all of it.
# The fault server logs every id the agent sends (sent.log), so each
# session is checked to go exactly once, not only to arrive.
. tests/sync/lib.sh
S="$BBT_TMP/srv"
start_fault "$S"
URL="http://127.0.0.1:$PORT/"
agent_conf "$URL"
enroll "$URL"
[ "$(meta enrolled)" = 1 ] || fail "not enrolled"
[ -n "$(meta device_token)" ] || fail "no device token"
[ "$(stat -c %a "$ST/device.key")" = 600 ] || fail "device.key not 0600"
grep -q '"public_key"' "$S/devices.json" || fail "no public key sent"

$SEED "$ST" 5 7200 1800 none > "$BBT_TMP/ids"
$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "first sync"; }
summary "ok: 5 accepted, 0 duplicate, 0 rejected, 0 left"
[ "$(stored "$S")" = 5 ] || fail "server has $(stored "$S") sessions, not 5"
[ "$(sent "$S")" = 5 ] && [ -z "$(sent_twice "$S")" ] || fail "sent $(sent "$S") ids, not 5 once"
for id in $(cat "$BBT_TMP/ids"); do grep -q " $id\$" "$S/sent.log" || fail "$id not sent"; done
for id in $(cat "$BBT_TMP/ids"); do grep -q "$id" "$S/sessions.jsonl" || fail "$id missing"; done
grep -q '"buffer_depth": 5' "$S/heartbeats.jsonl" || fail "heartbeat without depth"
grep -q '+08:00' "$S/sessions.jsonl" || fail "times not in the session's offset"
[ -n "$(meta last_sync)" ] || fail "no last_sync"
$AG status --json > "$BBT_TMP/status"
python3 - "$BBT_TMP/status" <<'PY' || { cat "$BBT_TMP/status"; fail "status after sync"; }
import json, sys
s = json.load(open(sys.argv[1]))
assert s["enrolled"] is True, s
PY

# Nothing left: a second pass uploads nothing and succeeds.
$AG sync > "$BBT_TMP/out" || fail "second sync"
summary "ok: 0 accepted, 0 duplicate, 0 rejected, 0 left"
[ "$(sent "$S")" = 5 ] || fail "the second sync sent $(( $(sent "$S") - 5 )) acknowledged sessions"

# Server down: sync fails fast, keeps the sessions.
$SEED "$ST" 3 3600 1200 none > /dev/null
kill "$FPID"; wait "$FPID" 2>/dev/null || :
t0=$(date +%s)
if $AG sync > "$BBT_TMP/out"; then fail "sync succeeded with the server down"; fi
[ $(( $(date +%s) - t0 )) -lt 15 ] || fail "sync did not return promptly"
summary "failed: 0 accepted, 0 duplicate, 0 rejected, 3 left"
[ -n "$(meta last_sync_error)" ] || fail "no last_sync_error"
# Back on the same port: everything arrives, once.
start_fault "$S" --port "$PORT"
$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "sync after restart"; }
summary "ok: 3 accepted, 0 duplicate, 0 rejected, 0 left"
[ "$(stored "$S")" = 8 ] && [ "$(unique "$S")" = 8 ] || fail "expected 8 sessions once each"
[ "$(sent "$S")" = 8 ] && [ -z "$(sent_twice "$S")" ] || fail "sent $(sent "$S") ids, not 8 once"
[ -z "$(meta last_sync_error)" ] || fail "error not cleared"

# A backlog over one batch (at most 200 sessions): two uploads, and the
# acknowledgement of the first leaves the rest in the outbox for the second.
$SEED "$ST" 250 30000 600 none > /dev/null
n0=$(grep -c 'sessions 200' "$S/requests.log")
$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "sync of 250"; }
summary "ok: 250 accepted, 0 duplicate, 0 rejected, 0 left"
[ "$(( $(grep -c 'sessions 200' "$S/requests.log") - n0 ))" = 2 ] || fail "250 not in 2 batches"
[ "$(sent "$S")" = 258 ] && [ -z "$(sent_twice "$S")" ] || fail "sent $(sent "$S") ids, not 258 once"
[ "$(unique "$S")" = 258 ] || fail "server has $(unique "$S") sessions, not 258"

# [server] proxy is used: the collector's name does not even resolve; the
# fault server, as the proxy, answers for it.
BBT_TMP="$BBT_TMP/p"; mkdir -p "$BBT_TMP"
CA_LINE="proxy = http://127.0.0.1:$PORT"
agent_conf "http://collector.invalid/"
export BBT_HW_ID=proxy-test-machine
$AG enroll || fail "enroll through the proxy"
$SEED "$ST" 2 3600 1200 none > /dev/null
$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "sync through the proxy"; }
summary "ok: 2 accepted, 0 duplicate, 0 rejected, 0 left"
grep -q 'sessions 200 2 via-proxy collector.invalid' "$S/requests.log" || fail "proxy not used"
[ "$(unique "$S")" = 260 ] || fail "proxied sessions not stored"
[ "$(sent "$S")" = 260 ] && [ -z "$(sent_twice "$S")" ] || fail "sent $(sent "$S") ids, not 260 once"
echo ok
