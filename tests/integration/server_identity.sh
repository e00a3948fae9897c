#!/bin/sh
# Device identity (issue 10 item 4, CONTRACT 4.4): a hw_id enrolled again with a
# token of its own school keeps its device_id and the old token stops
# working, counted in `devices`; with another school's token it is refused
# (409 naming `device move`) and the enrolled machine keeps its token,
# school, room and bundle key, the token its use. Two machines on one hw_id
# are flagged clone_suspected (an old token presented again, or keys that
# alternate); a machine enrolling again with its own key is not. Parallel
# re-enrollments of one hw_id never 500. The real agent takes its hw_id from
# the SMBIOS UUID the package's postinst saved in its --state-dir, and falls
# back (as without the file) when the file holds a firmware placeholder.
# Covers server/api_device.c (enroll) db_sqlite.c fleet.c http.c,
# agent/enroll.c (hw_id).
. tests/server/lib.sh

srv school add 610102001 实验小学 > /dev/null
srv school add 610102002 第二小学 > /dev/null
ta=$(srv token create --school 610102001 --uses 40 | tail -1)
tb=$(srv token create --school 610102002 --uses 5 | tail -1)
admin=$(srv admin create bureau | tail -1)
start_server

# enroll_key TOKEN HW_ID ROOM KEY: like enroll, with a given public key.
enroll_key() {
	req POST /api/v1/enroll - -H 'Content-Type: application/json' -d "{\"token\":\"$1\",\
\"hw_id\":\"$2\",\"hostname\":\"h-$2\",\"room\":\"$3\",\"agent_version\":\"test\",\
\"public_key\":\"$4\"}"
}
body='{"agent_time":"2026-11-20T08:00:00+08:00","sessions":[]}'
# dl EXPR: EXPR over the rows r of `device list` (the identity view).
dl() { bbtq "$DB" "$1" device list; }
# dev ID FIELD: one field of a device in `devices --format json`.
dev() {
	srv devices --format json > "$T/devices.json"
	python3 -c 'import json,sys
d = [r for r in json.load(open(sys.argv[1])) if r["device_id"] == sys.argv[2]][0]
print(json.dumps(d[sys.argv[3]], ensure_ascii=False))' "$T/devices.json" "$1" "$2"
}

# The victim, enrolled in school 1.
k1=$(pub)
expect 201 "$(enroll_key "$ta" hw-victim 三年级二班 "$k1")" "victim enrolls"
vid=$(jget device_id); vtok=$(jget device_token)
[ "$(dev "$vid" reenrolled)" = 0 ] || fail "a first enrollment counted as again"
[ "$(dev "$vid" clone_suspected)" = false ] || fail "new device flagged"

# The takeover attempt: another school's token and the victim's hw_id.
expect 409 "$(enroll "$tb" hw-victim 机房)" "other school's token"
grep -q 'device move' "$T/reply" || fail "409 does not name device move: $(cat "$T/reply")"
grep -q 'device_token' "$T/reply" && fail "409 handed out a token"
expect 200 "$(req POST /api/v1/sessions "$vtok" -d "$body")" "victim token after attempt"
[ "$(dl "['|'.join((x['school'], x['room'], x['public_key'])) for x in r
    if x['device_id'] == '$vid']")" = "610102001|三年级二班|$k1" ] ||
	fail "the attempt changed the victim: $(dl r)"
[ "$(bbtq "$DB" '[x["uses_left"] for x in r]' token list --school 610102002)" = 5 ] ||
	fail "a refused enrollment took a use"
[ "$(dev "$vid" reenrolled)" = 0 ] || fail "a refused enrollment was counted"

# A re-image in the same school: same id, new key and token, counted.
k2=$(pub)
expect 201 "$(enroll_key "$ta" hw-victim 三年级三班 "$k2")" "re-image"
[ "$(jget device_id)" = "$vid" ] || fail "re-image changed the device id"
[ "$(jget reenrolled)" = True ] || fail "reply does not say reenrolled"
vtok2=$(jget device_token)
expect 200 "$(req POST /api/v1/sessions "$vtok2" -d "$body")" "new token"
[ "$(dev "$vid" reenrolled)" = 1 ] || fail "re-enrollment not counted"
[ "$(dev "$vid" last_reenrolled)" != null ] || fail "no last_reenrolled time"
[ "$(dev "$vid" room)" = '"三年级三班"' ] || fail "room not updated"
[ "$(dev "$vid" clone_suspected)" = false ] || fail "a plain re-image flagged as clone"
# ... until the old token shows up again: a second machine still holds it.
expect 401 "$(req POST /api/v1/sessions "$vtok" -d "$body")" "replaced token"
grep -q 'enrolled again' "$T/reply" || fail "401 does not say why: $(cat "$T/reply")"
[ "$(dev "$vid" clone_suspected)" = true ] || fail "old token in use, not flagged"
code=$(req GET /api/v1/devices "$admin"); expect 200 "$code" "devices API"
python3 -c 'import json,sys
d = [r for r in json.load(open(sys.argv[1])) if r["device_id"] == sys.argv[2]][0]
assert d["clone_suspected"] is True and d["reenrolled"] == 1, d' "$T/reply" "$vid" ||
	fail "API devices lacks the identity columns"
srv devices | head -1 | grep -q clone_suspected || fail "table lacks clone_suspected"

# Cloned images alternating, without ever presenting an old token: A, B, A.
ka=$(pub); kb=$(pub)
expect 201 "$(enroll_key "$ta" hw-clone r1 "$ka")" "clone A"; cid=$(jget device_id)
expect 201 "$(enroll_key "$ta" hw-clone r1 "$kb")" "clone B"
[ "$(dev "$cid" clone_suspected)" = false ] || fail "one re-enrollment flagged"
expect 201 "$(enroll_key "$ta" hw-clone r1 "$ka")" "clone A again"
[ "$(dev "$cid" clone_suspected)" = true ] || fail "alternating keys not flagged"
[ "$(dev "$cid" reenrolled)" = 2 ] || fail "clone re-enrollments not counted"

# The same machine enrolling again with its own key (bbt-agent enroll twice)
# is no clone, even if its daemon sends the old token once more.
ks=$(pub)
expect 201 "$(enroll_key "$ta" hw-same r1 "$ks")" "same 1"; sid=$(jget device_id)
stok=$(jget device_token)
expect 201 "$(enroll_key "$ta" hw-same r1 "$ks")" "same 2"
expect 401 "$(req POST /api/v1/heartbeat "$stok" -d '{}')" "same machine, old token"
[ "$(dev "$sid" clone_suspected)" = false ] || fail "same key re-enrollment flagged"

# Parallel re-enrollments of one hw_id: all answered 201, one device, one id.
: > "$T/race"
for i in 1 2 3 4 5 6 7 8; do
	curl -s -o "$T/race.$i" -w '%{http_code}\n' -X POST "$URL/api/v1/enroll" -d \
	    "{\"token\":\"$ta\",\"hw_id\":\"hw-race\",\"room\":\"r$i\",\
\"public_key\":\"$(pub)\"}" >> "$T/race" &
done
n=0
while [ "$(wc -l < "$T/race")" -lt 8 ]; do
	n=$((n + 1)); [ $n -lt 300 ] || fail "parallel enrollments hung"; sleep 0.1
done
[ "$(grep -c '^201$' "$T/race")" = 8 ] || { cat "$T/race"; fail "a parallel enroll failed"; }
[ "$(dl "len([x for x in r if x['hw_id'] == 'hw-race'])")" = 1 ] ||
	fail "parallel enrollments made two devices"
[ "$(cat "$T"/race.? | python3 -c 'import json,sys
print(len({json.loads(l)["device_id"] for l in sys.stdin.read().replace("}{", "}\n{").split("\n") if l}))')" = 1 ] || fail "parallel enrollments got different ids"
[ "$(dl "[x['reenrolled'] for x in r if x['hw_id'] == 'hw-race']")" = 7 ] ||
	fail "parallel re-enrollments miscounted"
ok=0
for i in 1 2 3 4 5 6 7 8; do
	tok=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["device_token"])' \
	    "$T/race.$i")
	[ "$(req POST /api/v1/heartbeat "$tok" -d '{}')" = 200 ] && ok=$((ok + 1))
done
[ $ok = 1 ] || fail "$ok of the parallel tokens work, want exactly the last one"
grep -q ' 500 \|internal error' "$T/serve.log" && fail "the server logged an internal error"

# The agent's hw_id: <state dir>/hw_id first, hashed as the product UUID.
unset BBT_HW_ID http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
# agent_hw NAME [FILE CONTENT]: enroll a fresh agent, print its hw_id.
agent_hw() {
	mkdir -p "$T/$1"
	[ $# -lt 2 ] || printf '%s\n' "$2" > "$T/$1/hw_id"
	"$B/bbt-agent" --state-dir "$T/$1" enroll --server "$URL/" --token "$ta" \
	    --school 610102001 --room "room-$1" > "$T/$1.out" 2>&1 ||
		{ cat "$T/$1.out"; fail "agent $1 enroll"; }
	dl "[x['hw_id'] for x in r if x['room'] == 'room-$1']"
}
uuid=4C4C4544-0042-3510-8052-B4C04F4E3132
want=$(printf 'bbt-hw-id/1 dmi-product-uuid %s' "$(echo $uuid | tr A-F a-f)" |
    sha256sum | cut -d' ' -f1)
[ "$(agent_hw uuid "$uuid")" = "$want" ] || fail "hw_id not from the state dir's UUID"
plain=$(agent_hw plain)
[ "$plain" != "$want" ] || fail "no file, same hw_id"
n=0
for bad in 00000000-0000-0000-0000-000000000000 FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF \
    'Not Settable'; do
	n=$((n + 1))
	[ "$(agent_hw "bad$n" "$bad")" = "$plain" ] || fail "placeholder '$bad' used as hw_id"
done

# The postinst's save_hw_id (run here on copies of its paths): a real UUID
# lands in the state file (0644) and the agent uses it; a placeholder
# leaves no file (and removes a stale one), so the agent falls back.
sed -n '/^save_hw_id() {/,/^}/p' packaging/debian/bbt-agent.postinst |
    sed -e "s|/var/lib/bbt-agent|$T/pi|" -e "s|/sys/class/dmi/id/product_uuid|$T/dmi|" \
    > "$T/save_hw_id.sh"
grep -q "$T/dmi" "$T/save_hw_id.sh" || fail "postinst has no save_hw_id reading the UUID"
# pi_run CONTENT: the postinst step with CONTENT as the firmware's UUID.
pi_run() {
	printf '%s\n' "$1" > "$T/dmi"
	(set -e; chown() { :; }; . "$T/save_hw_id.sh"; save_hw_id) || fail "save_hw_id failed"
}
pi_run "$uuid"
[ "$(cat "$T/pi/hw_id")" = "$(echo $uuid | tr A-F a-f)" ] || fail "postinst did not save the UUID"
[ "$(stat -c %a "$T/pi/hw_id")" = 644 ] || fail "hw_id file not 0644"
rm -rf "$T/pi-agent"; cp -r "$T/pi" "$T/pi-agent"
[ "$(agent_hw pi-agent)" = "$want" ] || fail "agent did not use the postinst's file"
for bad in 00000000-0000-0000-0000-000000000000 ffffffff-ffff-ffff-ffff-ffffffffffff \
    'Not Settable' '' 03000200-0400-0500-0006-000700080009; do
	pi_run "$uuid"; pi_run "$bad"
	[ -e "$T/pi/hw_id" ] && fail "postinst kept a hw_id for placeholder '$bad'"
done
rm -f "$T/dmi"; pi_run "$uuid"; rm -f "$T/dmi"
(set -e; chown() { :; }; . "$T/save_hw_id.sh"; save_hw_id) 2> "$T/pi.err" ||
	fail "save_hw_id fails without DMI"
[ -s "$T/pi.err" ] && fail "save_hw_id complains without DMI: $(cat "$T/pi.err")"
[ -e "$T/pi/hw_id" ] && fail "postinst kept a hw_id without DMI"
echo "server_identity: ok"
