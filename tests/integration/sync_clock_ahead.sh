#!/bin/sh
# A clock hours ahead and the rejection quarantine (issue 11 item 1; CONTRACT
# 4.1, 4.4, 5.3; server/ingest.c, agent/sync.c, store.c, cmd_sync.c,
# cmd_sessions.c, cmd_status.c). The real agent under faketime 8 h ahead
# (a dual-boot PC whose Windows keeps the RTC in local time; CLOCK_BOOTTIME
# untouched) against the real bbt-server: a lesson of this boot and one of
# a boot that never met the server both land at their true time flagged
# clock_adjusted (the second corrected by the collector from the request's
# agent_time). A session the collector refuses (over 24 h) lands in the
# quarantine with its reason: `sync` exits non-zero and says so on stderr,
# `sessions --rejected` and `status` show it, nothing is deleted. Then a
# collector that refuses (faultserver reject:) and later accepts: the
# quarantined session is offered again by every `sync` and leaves the
# quarantine once accepted.
. tests/sync/lib.sh
FT="env FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f +8h"
. tests/integration/lib/server_query.sh
DB=$(test_db)
SV="$BBT_BUILD/bbt-server --db $DB"
$SV school add 610102001 测试小学 > /dev/null
: > "$BBT_TMP/serve.err"
$SV serve --listen 127.0.0.1:0 2>"$BBT_TMP/serve.err" &
SPID=$!; PIDS="$PIDS $SPID"
i=0
while ! grep -q 'listening on .*threads)' "$BBT_TMP/serve.err"; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$BBT_TMP/serve.err"; fail "server did not start"; }
	sleep 0.1
done
PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$BBT_TMP/serve.err")
agent_conf "http://127.0.0.1:$PORT/"
export BBT_HW_ID=dual-boot-pc
ahead=$(( $($FT date +%s) - $(date +%s) ))
[ "$ahead" -gt 28000 ] && [ "$ahead" -lt 29600 ] || fail "faketime premise: $ahead s"
tok=$($SV token create --school 610102001 --uses 5 | tail -1)
$FT $AG enroll --token "$tok" || fail "enroll 8 h ahead"

# Both recorded 2 h ago by the true clock: one in this boot, one in a boot
# that never met the server (no clock evidence: sent with its wrong times).
cur=$($FT $SEED "$ST" 1 7200 2400 current)
old=$($FT $SEED "$ST" 1 7200 1800 0b6c1a52-8f3e-4d2a-9c1b-2f6e7d8a9b0c)
$FT $AG sync > "$BBT_TMP/out" 2> "$BBT_TMP/err" ||
	{ cat "$BBT_TMP/out" "$BBT_TMP/err"; fail "sync 8 h ahead"; }
grep -q '2 accepted, 0 duplicate, 0 rejected, 0 left' "$BBT_TMP/out" ||
	{ cat "$BBT_TMP/out"; fail "summary 8 h ahead"; }
now=$(date +%s)
for id in "$cur" "$old"; do
	start=$(stored_field "$DB" "$id" start)
	flags=$(stored_field "$DB" "$id" flags)
	[ -n "$start" ] || fail "session $id not stored"
	d=$((start - (now - 7200)))
	[ "$d" -gt -60 ] && [ "$d" -lt 60 ] || fail "session $id at $start, not about $((now - 7200))"
	echo "$flags" | grep -q clock_adjusted || fail "session $id flags '$flags'"
done
# What an admin sees: the points report puts both at their true time.
$SV points --explain --format json --from "$(date -u -d @$((now - 86400)) +%F)" \
	--to "$(date -u -d @$((now + 86400)) +%F)" > "$BBT_TMP/points.json" || fail "points --explain"
python3 - "$BBT_TMP/points.json" "$cur" "$old" "$now" <<'PY' || fail "points --explain times"
import json, sys
from datetime import datetime
seen = {s["id"]: s for row in json.load(open(sys.argv[1])) for s in row.get("sessions", [])}
for sid in sys.argv[2:4]:
    assert sid in seen, (sid, seen.keys())
    t = datetime.fromisoformat(seen[sid]["start"]).timestamp()
    assert abs(t - (int(sys.argv[4]) - 7200)) < 60, seen[sid]
PY
stored_field "$DB" "$old" flags | grep -q clock_unverified ||
	fail "the unverified boot's session lost its clock_unverified flag"
[ "$($AG sessions --rejected --json | wc -l)" = 0 ] || fail "quarantine not empty"

# Refused by the collector (lasts 25 h): quarantined, sync exits non-zero.
long=$($SEED "$ST" 1 100000 90000 none)
if $AG sync > "$BBT_TMP/out" 2> "$BBT_TMP/err"; then
	cat "$BBT_TMP/out" "$BBT_TMP/err"; fail "sync exited 0 with a rejection"
fi
grep -q '0 accepted, 0 duplicate, 1 rejected, 0 left, 1 in quarantine' "$BBT_TMP/out" ||
	{ cat "$BBT_TMP/out"; fail "summary with a rejection"; }
grep -q 'rejected 1 session; kept in quarantine' "$BBT_TMP/err" ||
	{ cat "$BBT_TMP/err"; fail "no word of the rejection on stderr"; }
[ "$(bbtq "$DB" "len([x for x in r if x['id'] == '$long'])" sessions)" = 0 ] || fail "stored anyway"
$AG sessions --rejected > "$BBT_TMP/rej" || fail "sessions --rejected"
grep -q "$long.*over 24 h" "$BBT_TMP/rej" || { cat "$BBT_TMP/rej"; fail "reason not shown"; }
grep -q '^1 session rejected by the collector' "$BBT_TMP/rej" || fail "rejected summary"
$AG sessions --rejected --json > "$BBT_TMP/rej.json" || fail "sessions --rejected --json"
python3 - "$BBT_TMP/rej.json" "$long" <<'PY' || fail "sessions --rejected --json content"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 1 and rows[0]["id"] == sys.argv[2], rows
r = rows[0]["rejected"]
assert "over 24 h" in r["error"] and r["count"] == 1 and r["reoffered"] is False, r
assert rows[0]["duration_s"] == 90000, rows
PY
$AG sessions | grep -q "rejected .*$long" || fail "sessions table: not marked rejected"
$AG status | grep -q '^rejected: *1 session kept in quarantine' || fail "status count"
[ "$($AG status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["rejected"])')" = 1 ] ||
	fail "status --json rejected"
# Offered again by the next sync, refused again: still kept, counted twice.
if $AG sync > "$BBT_TMP/out" 2>&1; then fail "second sync exited 0"; fi
grep -q '1 rejected' "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "not offered again"; }
$AG sessions --rejected --json | grep -q '"count":2' || fail "second rejection not counted"
kill "$SPID"; wait "$SPID" 2>/dev/null || :

# A collector that refuses, then accepts (after an admin's fix).
F="$BBT_TMP/fault"
start_fault "$F"
echo "reject:not yet, says the admin" > "$F/mode"
$AG enroll --server "http://127.0.0.1:$PORT/" --token enroll-me || fail "enroll at the fault server"
late=$($SEED "$ST" 1 3600 1200 none)
if $AG sync > "$BBT_TMP/out" 2>&1; then fail "sync exited 0, all rejected"; fi
grep -q '2 rejected.*2 in quarantine' "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "both refused"; }
$AG sessions --rejected | grep -q "$late.*not yet, says the admin" || fail "reason of the fault server"
echo ok > "$F/mode"
$AG sync > "$BBT_TMP/out" 2>&1 || { cat "$BBT_TMP/out"; fail "sync once the collector accepts"; }
grep -q '2 accepted, 0 duplicate, 0 rejected, 0 left' "$BBT_TMP/out" ||
	{ cat "$BBT_TMP/out"; fail "quarantined sessions not accepted"; }
grep -q "in quarantine" "$BBT_TMP/out" && fail "still in quarantine"
for id in "$long" "$late"; do
	grep -q "\"id\": \"$id\"" "$F/sessions.jsonl" || fail "$id never reached the collector"
done
[ "$($AG sessions --rejected --json | wc -l)" = 0 ] || fail "quarantine not emptied"
$AG status --json | grep -q '"rejected":0' || fail "status still counts rejected"
$AG sessions | grep -q "yes .*$long" || fail "accepted session not shown synced"
# And never offered twice once accepted.
$AG sync > "$BBT_TMP/out" 2>&1 || fail "idle sync"
grep -q '0 accepted, 0 duplicate, 0 rejected, 0 left' "$BBT_TMP/out" || fail "resent"
echo ok
