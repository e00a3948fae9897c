#!/bin/sh
# Enrollment races across two collector processes on one database (issue
# 12, CONTRACT 5.7): correctness must come from single statements (INSERT ...
# ON CONFLICT ... RETURNING, compare-and-swap UPDATEs), not from one
# process's write lock. Two `serve` processes share one SQLite file:
#  - 12 first enrollments of one new hw_id at once: all 201, one device;
#  - 16 re-enrollments of it at once: all 201 with its device_id kept, the
#    re-enrollment count is exactly 11 + 16, every replaced token refused;
#  - 8 enrollments of it with another school's token at once: all 409;
#  - 8 admins created at once under one name: exactly one succeeds.
# None may be a 5xx. Covers server/db_sqlite.c db_device_enroll,
# db_admin_add, db_school_add.
. tests/server/lib.sh

srv school add 610102001 实验小学 > /dev/null
srv school add 610102002 第二小学 > /dev/null
tok=$(srv token create --school 610102001 --uses 100 | tail -1)
other=$(srv token create --school 610102002 --uses 100 | tail -1)
start_server
URL1=$URL; SPID1=$SPID
# The second collector: its own log, the same database.
"$B/bbt-server" --db "$DB" serve --listen 127.0.0.1:0 2> "$T/serve2.log" &
SPID2=$!
trap 'stop_server; kill "$SPID2" 2>/dev/null || :' EXIT
i=0
while ! grep -q 'listening on .*threads)' "$T/serve2.log"; do
	i=$((i + 1)); [ $i -lt 150 ] || { cat "$T/serve2.log"; fail "server 2 did not start"; }
	sleep 0.1
done
URL2=$(sed -n 's/.*listening on \([0-9.:]*\) (\(http[s]*\).*/\2:\/\/\1/p' \
    "$T/serve2.log" | head -1)
[ -n "$URL2" ] && [ "$URL1" != "$URL2" ] || fail "two collectors on two ports"

# burst N TOKEN HW_ID OUT: N enrollments at once, alternating collectors;
# OUT gets "STATUS DEVICE_ID DEVICE_TOKEN" per request, each line in one
# write(2) to the O_APPEND file so that lines of concurrent requests do not
# interleave (print() writes each field apart under PYTHONUNBUFFERED=1).
burst() {
	n=$1; : > "$4"
	for k in $(seq 1 "$n"); do
		u=$URL1; [ $((k % 2)) = 0 ] && u=$URL2
		key=$(pub)
		( code=$(curl -s -o "$4.$k" -w '%{http_code}' -X POST "$u/api/v1/enroll" -d \
		    "{\"token\":\"$2\",\"hw_id\":\"$3\",\"hostname\":\"h$k\",\"room\":\"r$k\",\
\"public_key\":\"$key\"}")
		  python3 -c 'import json, os, sys
try: r = json.load(open(sys.argv[2]))
except Exception: r = {}
line = [sys.argv[1], r.get("device_id", "-"), r.get("device_token", "-")]
os.write(1, (" ".join(map(str, line)) + "\n").encode())' \
		    "$code" "$4.$k" >> "$4" ) &
	done
	wait_n=0
	while [ "$(wc -l < "$4")" -lt "$n" ]; do
		wait_n=$((wait_n + 1)); [ $wait_n -lt 600 ] || fail "enrollments hung"; sleep 0.1
	done
	! grep -q '^5' "$4" || { cat "$4"; cat "$4".*; fail "a 5xx in an enrollment race"; }
}

burst 12 "$tok" hw-race "$T/first"
[ "$(grep -c '^201 ' "$T/first")" = 12 ] || { cat "$T/first"; fail "first enrollments"; }
[ "$(cut -d' ' -f2 "$T/first" | sort -u | wc -l)" = 1 ] ||
	{ cat "$T/first"; fail "one new hw_id became several devices"; }
id=$(head -1 "$T/first" | cut -d' ' -f2)

burst 16 "$tok" hw-race "$T/again"
[ "$(grep -c "^201 $id " "$T/again")" = 16 ] || { cat "$T/again"; fail "re-enrollments"; }

srv device list --format json > "$T/devices.json"
python3 - "$T/devices.json" "$id" <<'PY' || fail "device state after the races"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 1, d
assert d[0]["device_id"] == sys.argv[2], d
assert d[0]["reenrolled"] == 11 + 16, d[0]
PY
# Exactly one of the 28 device tokens works; the others were replaced.
body='{"agent_time":"2026-11-20T08:00:00+08:00","sessions":[]}'
ok=0
for t in $(cut -d' ' -f3 "$T/first" "$T/again"); do
	code=$(curl -s -o "$T/reply" -w '%{http_code}' -X POST "$URL2/api/v1/sessions" \
	    -H "Authorization: Bearer $t" -d "$body")
	case $code in
	200) ok=$((ok + 1)) ;;
	401) grep -q 'device token replaced' "$T/reply" ||
		{ cat "$T/reply"; fail "a replaced token is not told it was replaced"; } ;;
	*) fail "device token answered $code" ;;
	esac
done
[ "$ok" = 1 ] || fail "$ok device tokens of one machine work, want 1"

burst 8 "$other" hw-race "$T/moved"
[ "$(grep -c '^409 ' "$T/moved")" = 8 ] || { cat "$T/moved"; fail "other-school enrolls"; }

# Admin names: one of 8 concurrent creations wins, the others are told.
# (set -e holds in the subshells: the exit status is caught, not fatal.)
: > "$T/admins"
for k in 1 2 3 4 5 6 7 8; do
	( rc=0; srv admin create racer > "$T/admin.$k" 2>&1 || rc=$?
	  echo "$rc" >> "$T/admins" ) &
done
wait_n=0
while [ "$(wc -l < "$T/admins")" -lt 8 ]; do
	wait_n=$((wait_n + 1)); [ $wait_n -lt 300 ] || fail "admin creations hung"; sleep 0.1
done
[ "$(grep -c '^0$' "$T/admins")" = 1 ] || { cat "$T"/admin.*; fail "not one admin created"; }
grep -l 'exists' "$T"/admin.* | wc -l | grep -qx 7 ||
	{ cat "$T"/admin.*; fail "losers not told the admin exists"; }
echo "server_enroll_race: ok"
