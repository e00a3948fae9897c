#!/bin/sh
# The real agent against the real collector (CONTRACT 4.4): `bbt-agent enroll`
# with a server-made token, sessions logged through the agent's store, one
# `bbt-agent sync` (gzip upload and heartbeat): every session is stored once
# with the device's school and room, the heartbeat is recorded, the outbox is
# emptied, and a second sync sends nothing: its summary line says 0
# duplicate and the collector's /metrics count 5 accepted, 0 duplicate (a
# resent session would be answered and counted "duplicate"). Needs tests/sync/sync_seed
# (make sync-tests).
# Covers server/api_device.c ingest.c http.c with agent/sync.c enroll.c.
. tests/server/lib.sh
SEED="$B/synctest/sync_seed"
[ -x "$SEED" ] || fail "missing $SEED: build it with make BUILD=... sync-tests"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

srv school add 610102001 实验小学 > /dev/null
tok=$(srv token create --school 610102001 | tail -1)
start_server
ST=$T/state; mkdir -p "$ST"
cat > "$T/agent.conf" <<EOT
[server]
url = $URL/
school = 610102001
room = 三年级二班
EOT
AG="$B/bbt-agent --config $T/agent.conf --state-dir $ST"
BBT_HW_ID=server-agent-test-machine $AG enroll --server "$URL/" --token "$tok" \
    --school 610102001 --room 三年级二班 > "$T/enroll.out" 2>&1 ||
	{ cat "$T/enroll.out"; fail "agent enroll"; }
[ "$(bbtq "$DB" 'len(r)' device list)" = 1 ] || fail "no device enrolled"
$SEED "$ST" 5 7200 1800 none > "$T/ids"
$AG sync > "$T/sync.out" 2>&1 || { cat "$T/sync.out"; fail "first sync"; }
grep -qx 'sync: ok: 5 accepted, 0 duplicate, 0 rejected, 0 left' "$T/sync.out" ||
	{ cat "$T/sync.out"; fail "sync summary"; }
[ "$(bbtq "$DB" 'len(r)' sessions)" = 5 ] || fail "not 5 sessions stored"
for id in $(cat "$T/ids"); do
	[ "$(bbtq "$DB" "['|'.join((x['school'], x['room'], x['via'])) for x in r \
if x['id'] == '$id']" sessions)" = "610102001|三年级二班|http" ] || fail "session $id not stored right"
done
[ "$(bbtq "$DB" '[x["buffered"] is not None and x["last_seen"] is not None for x in r]' \
    devices)" = 1 ] ||
	fail "heartbeat not recorded"
$AG sync > "$T/sync2.out" 2>&1 || { cat "$T/sync2.out"; fail "second sync"; }
grep -qx 'sync: ok: 0 accepted, 0 duplicate, 0 rejected, 0 left' "$T/sync2.out" ||
	{ cat "$T/sync2.out"; fail "resent"; }
[ "$(bbtq "$DB" 'len(r)' sessions)" = 5 ] || fail "sessions stored twice"
# What the collector judged over both syncs: each session once, no resend.
expect 200 "$(req GET /metrics -)" "metrics"
grep -qx 'bbt_sessions_total{result="accepted"} 5' "$T/reply" &&
	grep -qx 'bbt_sessions_total{result="duplicate"} 0' "$T/reply" ||
	{ grep bbt_sessions_total "$T/reply"; fail "the agent's uploads as the collector counted them"; }
# The heartbeat states the agent's own interval (300 s by default), so the
# collector's online window is three of them, not --offline-after.
sleep 2
srv devices --offline-after 1 --format json > "$T/devices.json"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
assert len(r) == 1 and r[0]["online"] is True, r' "$T/devices.json" ||
	fail "the agent's sync interval did not set its online window"
stop_server
echo "server_agent: ok"
