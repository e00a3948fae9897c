#!/bin/sh
# Enrollment and authentication against the real collector (issue 3, CONTRACT
# 4.4): unknown, exhausted, expired and other-school tokens; a bad public
# key; uses taken atomically under concurrent enrollments; tokens stored only
# as hashes; re-enrolling a hw_id keeps its device_id and revokes the old
# device token; device vs admin tokens on each kind of endpoint; school scope.
# Covers server/api_device.c api_admin.c http.c auth.c cmd_school.c
# cmd_token.c cmd_admin.c db_sqlite.c.
. tests/server/lib.sh

srv school add 610102001 实验小学 --district 雁塔区 > /dev/null
srv school add 610102002 第二小学 > /dev/null
srv school add 610102001 again 2> "$T/err" && fail "duplicate school accepted"
grep -q exists "$T/err" || fail "duplicate school message"
srv token create --school 999 2> "$T/err" && fail "token for unknown school"
tok=$(srv token create --school 610102001 --uses 2 | tail -1)
one=$(srv token create --school 610102001 | tail -1)
old=$(srv token create --school 610102001 --uses 5 --expires-days 0 | tail -1)
admin=$(srv admin create bureau | tail -1)
sadmin=$(srv admin create head2 --school 610102002 | tail -1)
[ ${#tok} = 64 ] || fail "token is not 64 hex digits: $tok"
# Only hashes are stored.
for secret in "$tok" "$one" "$admin"; do
	db_dump "$DB" | grep -q "$secret" && fail "a token is stored in clear"
done
db_is_pg || [ "$(stat -c %a "$DB")" = 600 ] || fail "database is not mode 0600"
start_server

code=$(enroll 0000 hw-x r1); expect 401 "$code" "unknown token"
grep -q 'unknown enrollment token' "$T/reply" || fail "unknown token text"
code=$(enroll "$old" hw-x r1); expect 403 "$code" "expired token"
grep -q 'expired' "$T/reply" || fail "expired text"
code=$(enroll "$tok" hw-x r1 610102002); expect 403 "$code" "other school in body"
grep -q 'is for school 610102001, not 610102002' "$T/reply" || fail "school text"
code=$(req POST /api/v1/enroll - -d "{\"token\":\"$tok\",\"hw_id\":\"hw-x\",\
\"public_key\":\"c2hvcnQ=\"}"); expect 400 "$code" "short public key"
code=$(req POST /api/v1/enroll - -d "{\"token\":\"$tok\",\"public_key\":\"$(pub)\"}")
expect 400 "$code" "missing hw_id"
code=$(req POST /api/v1/enroll - -d "{\"token\":5}"); expect 400 "$code" "token not a string"
# None of the refusals used the token up.
[ "$(bbtq "$DB" '[x["uses_left"] for x in r if x["uses_left"] == 2]' token list)" = 2 ] ||
	fail "a refused enrollment took a use"

code=$(enroll "$tok" hw-1 三年级二班 610102001); expect 201 "$code" "enroll"
id1=$(jget device_id); dev1=$(jget device_token)
code=$(enroll "$one" hw-2 实验室); expect 201 "$code" "enroll without school"
[ "$(jget school)" = 610102001 ] || fail "the token's school is not the device's"
code=$(enroll "$one" hw-3 r); expect 403 "$code" "exhausted token"
grep -q 'no uses left' "$T/reply" || fail "exhausted text"

# Re-enroll hw-1: same id, new token; the old token stops working.
body="{\"agent_time\":\"2026-11-20T08:00:00+08:00\",\"sessions\":[]}"
code=$(req POST /api/v1/sessions "$dev1" -d "$body"); expect 200 "$code" "first token"
code=$(enroll "$tok" hw-1 四年级一班); expect 201 "$code" "re-enroll"
[ "$(jget device_id)" = "$id1" ] || fail "re-enroll changed the device id"
dev1b=$(jget device_token)
[ "$dev1b" != "$dev1" ] || fail "re-enroll kept the device token"
code=$(req POST /api/v1/sessions "$dev1" -d "$body"); expect 401 "$code" "old device token"
code=$(req POST /api/v1/sessions "$dev1b" -d "$body"); expect 200 "$code" "new device token"
[ "$(bbtq "$DB" "[x['room'] for x in r if x['device_id'] == '$id1']" device list)" = 四年级一班 ] ||
	fail "re-enroll did not update the room"
[ "$(bbtq "$DB" 'len(r)' device list)" = 2 ] || fail "device count"
code=$(enroll "$tok" hw-9 r); expect 403 "$code" "token of 2 uses, third use"

# Uses are taken atomically: 8 machines race for a 5-use token.
: > "$T/race"
race=$(srv token create --school 610102002 --uses 5 | tail -1)
for i in 1 2 3 4 5 6 7 8; do
	curl -s -o /dev/null -w '%{http_code}\n' -X POST "$URL/api/v1/enroll" -d \
	    "{\"token\":\"$race\",\"hw_id\":\"race-$i\",\"room\":\"r$i\",\
\"public_key\":\"$(pub)\"}" >> "$T/race" &
done
wait_n=0
while [ "$(wc -l < "$T/race")" -lt 8 ]; do
	wait_n=$((wait_n + 1)); [ $wait_n -lt 300 ] || fail "race requests hung"; sleep 0.1
done
[ "$(grep -c 201 "$T/race")" = 5 ] || { cat "$T/race"; fail "not exactly 5 enrollments"; }
[ "$(grep -c 403 "$T/race")" = 3 ] || { cat "$T/race"; fail "not exactly 3 refusals"; }

# Auth: missing, malformed, unknown, wrong kind.
code=$(req POST /api/v1/sessions - -d "$body"); expect 401 "$code" "no token"
code=$(req POST /api/v1/sessions - -H 'Authorization: Basic eDp5' -d "$body")
expect 401 "$code" "basic auth"
code=$(req POST /api/v1/sessions "$(printf '%064d' 0)" -d "$body"); expect 401 "$code" "bad"
code=$(req POST /api/v1/sessions "$admin" -d "$body"); expect 401 "$code" "admin on device"
grep -q 'admin token is not a device token' "$T/reply" || fail "admin-on-device text"
code=$(req POST /api/v1/heartbeat "$admin" -d '{}'); expect 401 "$code" "admin heartbeat"
code=$(req GET /api/v1/me "$dev1b"); expect 401 "$code" "device on admin endpoint"
grep -q 'device token is not an admin token' "$T/reply" || fail "device-on-admin text"
code=$(req GET /api/v1/me -); expect 401 "$code" "no admin token"
code=$(req GET /api/v1/me "$admin"); expect 200 "$code" "admin"
[ "$(jget scope)" = bureau ] || fail "bureau scope"
code=$(req GET /api/v1/me "$sadmin"); expect 200 "$code" "school admin"
[ "$(jget school)" = 610102002 ] || fail "school admin scope"
curl -s -D "$T/hdr" -o /dev/null "$URL/api/v1/me"
grep -qi '^WWW-Authenticate: Bearer' "$T/hdr" || fail "401 without WWW-Authenticate"
echo "server_enroll: ok"
