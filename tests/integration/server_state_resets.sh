#!/bin/sh
# A device whose agent state was reset (issue 11, restore software): the
# same hw_id enrolling again from a fresh state dir comes with a new device
# key (the key lives in the state dir), and the collector counts it as
# `state_resets` in `bbt-server devices` and GET /api/v1/devices, so the
# admin knows to set [agent] state_dir (firmware-notes/restore-software.md).
# A re-enrollment from the same state (same key, an admin's `enroll`) is
# counted in reenrolled but is no reset. Real agents, real collector.
. tests/server/lib.sh
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
srv school add 610102001 实验小学 > /dev/null
tok=$(srv token create --school 610102001 --uses 10 | tail -1)
admin=$(srv admin create 电教站 | tail -1)
start_server
# agent_enroll HW_ID STATE_DIR
agent_enroll() {
	mkdir -p "$2"
	BBT_HW_ID=$1 "$B/bbt-agent" --config /dev/null --state-dir "$2" enroll --server "$URL/" \
	    --token "$tok" --school 610102001 --room 三年级二班 >"$T/enroll.out" 2>&1 ||
		{ cat "$T/enroll.out"; fail "enroll $1 from $2"; }
	sed -n 's/^enrolled: device \([^ ]*\) at .*/\1/p' "$T/enroll.out" > "$T/id.$1"
	[ -s "$T/id.$1" ] || { cat "$T/enroll.out"; fail "no device id"; }
}
# resets HW_ID: its reenrolled and state_resets as `devices --format json` says.
resets() {
	srv devices --format json > "$T/dev.json"
	python3 -c 'import json, sys
r = [d for d in json.load(open(sys.argv[1])) if d["device_id"] == sys.argv[2]]
assert len(r) == 1, r
print(r[0]["reenrolled"], r[0]["state_resets"])' "$T/dev.json" "$(cat "$T/id.$1")"
}
agent_enroll pc-restore-1 "$T/boot1"
agent_enroll pc-steady "$T/steady"
[ "$(resets pc-restore-1)" = "0 0" ] || fail "a first enrollment counted: $(resets pc-restore-1)"
agent_enroll pc-restore-1 "$T/boot1"
[ "$(resets pc-restore-1)" = "1 0" ] || fail "an enrollment from the same state counted as a reset: $(resets pc-restore-1)"
echo "ok: enrolling again from the same state is not a reset"
agent_enroll pc-restore-1 "$T/boot2"
agent_enroll pc-restore-1 "$T/boot3"
[ "$(resets pc-restore-1)" = "3 2" ] || fail "two fresh states, want reenrolled 3, state_resets 2: $(resets pc-restore-1)"
[ "$(resets pc-steady)" = "0 0" ] || fail "the other device: $(resets pc-steady)"
echo "ok: two enrollments from a fresh state dir counted as 2 state resets"
srv devices > "$T/table"
head -1 "$T/table" | grep -q state_resets || { cat "$T/table"; fail "no state_resets column in the table"; }
expect 200 "$(req GET /api/v1/devices "$admin")" "GET /api/v1/devices"
python3 -c 'import json, sys
rows = json.load(open(sys.argv[1]))
rows = rows["devices"] if isinstance(rows, dict) else rows
got = {d["device_id"]: d["state_resets"] for d in rows}
assert got == {sys.argv[2]: 2, sys.argv[3]: 0}, got' "$T/reply" \
    "$(cat "$T/id.pc-restore-1")" "$(cat "$T/id.pc-steady")" ||
	{ cat "$T/reply"; fail "the devices API lacks state_resets"; }
echo "ok: state_resets in devices and the devices API"
