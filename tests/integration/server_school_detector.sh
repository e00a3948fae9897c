#!/bin/sh
# Per-school detector settings (`school set`, server/cmd_school.c; the
# heartbeat reply in server/api_device.c): a school's settings reach only
# that school's devices, each setting over the server's own (`serve
# --idle-gap 700`), and a change applies at the next heartbeat.
. tests/server/lib.sh
srv school add 610102001 一小 > /dev/null
srv school add 610102002 二小 > /dev/null
tokA=$(srv token create --school 610102001 | tail -1)
tokB=$(srv token create --school 610102002 | tail -1)
srv school set 610102001 --idle-gap 300 --stuck-contact 60 > "$T/set.out" || fail "school set"
grep -qx 'school 610102001 detector: idle_gap=300 min_session=(server) stuck_contact=60' \
	"$T/set.out" || { cat "$T/set.out"; fail "school set output"; }
start_server --idle-gap 700
expect 201 "$(enroll "$tokA" hw-a 101)" "enroll A"; a=$(jget device_token)
expect 201 "$(enroll "$tokB" hw-b 201)" "enroll B"; b=$(jget device_token)
# detector TOKEN IDLE MIN STUCK: the settings in that device's heartbeat reply.
detector() {
	expect 200 "$(req POST /api/v1/heartbeat "$1" -H 'Content-Type: application/json' \
		-d '{"agent_version":"t"}')" "heartbeat"
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["detector"]
got = [d["idle_gap"], d["min_session"], d["stuck_contact"]]
assert got == [int(x) for x in sys.argv[2:]], got' "$T/reply" "$2" "$3" "$4" ||
		fail "detector for $1: want $2 $3 $4, got $(cat "$T/reply")"
}
detector "$a" 300 900 60
detector "$b" 700 900 120
# Changed while serving: the next heartbeat has it; other settings are kept.
srv school set 610102001 --min-session 600 > /dev/null
detector "$a" 300 600 60
detector "$b" 700 900 120
srv school set 610102002 --reset --idle-gap 450 > /dev/null
detector "$b" 450 900 120
srv school set 610102001 --reset > /dev/null
detector "$a" 700 900 120

# Usage errors: exit 2; an unknown school is an error.
for args in "610102001" "610102001 --idle-gap 0" "610102001 --min-session 86401" \
    "610102001 --stuck-contact soon"; do
	set +e
	srv school set $args > /dev/null 2>&1; rc=$?
	set -e
	[ $rc = 2 ] || fail "school set $args: exit $rc, want 2"
done
if srv school set 999 --idle-gap 5 > "$T/u.out" 2>&1; then fail "unknown school"; fi
grep -q 'unknown school 999' "$T/u.out" || { cat "$T/u.out"; fail "unknown school msg"; }
echo "server_school_detector: ok"
