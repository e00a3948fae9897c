#!/bin/sh
# Device identity (issue 10 item 4, SPEC 4.4): a hw_id enrolled again with a
# token of its own school keeps its device_id and the old token stops
# working, counted in `devices`; with another school's token it is refused
# (409 naming `device move`) and the enrolled machine keeps its token,
# school, room and bundle key, the token its use. Two machines on one hw_id
# are flagged clone_suspected (an old token presented again, or keys that
# alternate); a machine enrolling again with its own key is not. Parallel
# re-enrollments of one hw_id never 500.
# Covers server/api_device.c (enroll) db_sqlite.c fleet.c http.c.
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
q() { sqlite3 "$DB" "$1"; }
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
[ "$(q "SELECT school || '|' || room || '|' || public_key FROM devices
    WHERE device_id = '$vid'")" = "610102001|三年级二班|$k1" ] ||
	fail "the attempt changed the victim: $(q "SELECT * FROM devices")"
[ "$(q "SELECT uses_left FROM enroll_tokens WHERE school = '610102002'")" = 5 ] ||
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
[ "$(q "SELECT count(*) FROM devices WHERE hw_id = 'hw-race'")" = 1 ] ||
	fail "parallel enrollments made two devices"
[ "$(cat "$T"/race.? | python3 -c 'import json,sys
print(len({json.loads(l)["device_id"] for l in sys.stdin.read().replace("}{", "}\n{").split("\n") if l}))')" = 1 ] || fail "parallel enrollments got different ids"
[ "$(q "SELECT reenrolled FROM devices WHERE hw_id = 'hw-race'")" = 7 ] ||
	fail "parallel re-enrollments miscounted"
ok=0
for i in 1 2 3 4 5 6 7 8; do
	tok=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["device_token"])' \
	    "$T/race.$i")
	[ "$(req POST /api/v1/heartbeat "$tok" -d '{}')" = 200 ] && ok=$((ok + 1))
done
[ $ok = 1 ] || fail "$ok of the parallel tokens work, want exactly the last one"
grep -q ' 500 \|internal error' "$T/serve.log" && fail "the server logged an internal error"
echo "server_identity: ok"
