#!/bin/sh
# The fleet view tells the truth (server/fleet.c, `devices`, issue 15):
#  - buffered is the depth after the pass: the heartbeat that opens a pass
#    reports 7, the pass then uploads 5, so 2 remain (not 7);
#  - a heartbeat without agent_time leaves the clock offset unknown (null),
#    not 0;
#  - online uses each agent's own sync interval (sync_interval_s in its
#    heartbeat: three missed beats), the fixed window only for agents that
#    do not say.
. tests/server/lib.sh
srv school add 610102001 一小 > /dev/null
tok=$(srv token create --school 610102001 --uses 5 | tail -1)
start_server
expect 201 "$(enroll "$tok" hw-a 101)" "enroll"; a=$(jget device_token)
expect 201 "$(enroll "$tok" hw-b 102)" "enroll"; b=$(jget device_token)
expect 201 "$(enroll "$tok" hw-c 103)" "enroll"; c=$(jget device_token)
expect 201 "$(enroll "$tok" hw-d 104)" "enroll"; d=$(jget device_token)
hb() {
	expect 200 "$(req POST /api/v1/heartbeat "$1" -H 'Content-Type: application/json' \
		-d "$2")" "heartbeat"
}
# row HOST FIELD: one field of that device's row in `devices --format json`.
row() {
	srv devices --format json ${3:-} > "$T/d.json"
	python3 -c 'import json, sys
r = [r for r in json.load(open(sys.argv[1])) if r["hostname"] == sys.argv[2]][0]
print(json.dumps(r[sys.argv[3]]))' "$T/d.json" "h-$1" "$2"
}
hb "$a" '{"agent_version":"t","buffer_depth":7}'
[ "$(row hw-a clock_offset_s)" = null ] || fail "offset without agent_time: $(row hw-a clock_offset_s)"
[ "$(row hw-a buffered)" = 7 ] || fail "buffered at the heartbeat"
send "$a" 2026-11-16T08:00:00 2026-11-16T08:45:00 2026-11-17T08:00:00 2026-11-17T08:45:00 \
	2026-11-18T08:00:00 2026-11-18T08:45:00 2026-11-19T08:00:00 2026-11-19T08:45:00 \
	2026-11-20T08:00:00 2026-11-20T08:45:00
[ "$(row hw-a buffered)" = 2 ] || fail "buffered after the pass: $(row hw-a buffered)"
[ "$(row hw-a clock_offset_s)" != null ] || fail "offset once measured"
send "$a" 2026-11-21T08:00:00 2026-11-21T08:45:00 2026-11-21T09:00:00 2026-11-21T09:45:00 \
	2026-11-21T10:00:00 2026-11-21T10:45:00
[ "$(row hw-a buffered)" = 0 ] || fail "buffered never below 0"
hb "$a" '{"agent_version":"t","buffer_depth":4}'
[ "$(row hw-a buffered)" = 4 ] || fail "the next heartbeat's depth"

# Own intervals: b beats every second, d every hour, c does not say.
hb "$b" '{"agent_version":"t","sync_interval_s":1}'
hb "$c" '{"agent_version":"t"}'
hb "$d" '{"agent_version":"t","sync_interval_s":3600}'
sleep 4
[ "$(row hw-b online)" = false ] || fail "b missed three of its 1 s beats"
[ "$(row hw-c online)" = true ] || fail "c within the fixed 900 s"
[ "$(row hw-d online)" = true ] || fail "d within its own hour"
[ "$(row hw-c online --offline-after=2)" = false ] || fail "c past a 2 s fixed window"
[ "$(row hw-d online --offline-after=2)" = true ] || fail "d keeps its own window"
expect 400 "$(req POST /api/v1/heartbeat "$b" -H 'Content-Type: application/json' \
	-d '{"buffer_depth":-1}')" "bad depth"
echo "server_fleet: ok"
