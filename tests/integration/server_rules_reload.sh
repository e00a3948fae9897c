#!/bin/sh
# `serve` reads the rule file once at start and again on SIGHUP, never per
# request (server/rulebook.c): editing the file changes nothing until the
# signal; after it, the API's points follow the new file; a broken file on
# SIGHUP keeps the rule in force (and says so in the log) rather than
# failing every report; a broken file at start stops serve before it listens.
. tests/server/lib.sh
srv school add 610102001 一小 > /dev/null
tok=$(srv token create --school 610102001 | tail -1)
admin=$(srv admin create 教育局 | tail -1)
printf 'school,room,weekday,start,end,teacher_id,teacher_name,subject\n%s\n' \
	'610102001,101,1,08:00,08:45,T1,王芳,数学' > "$T/tt.csv"
srv timetable import "$T/tt.csv" > /dev/null || fail "timetable"
printf '[interactive_teaching]\npoints_per_session = 5\n' > "$T/rules.ini"
mkdir "$T/bin"
printf '#!/bin/sh\nexec "%s/bbt-server" --rules "%s/rules.ini" "$@"\n' "$B" "$T" \
	> "$T/bin/bbt-server"
chmod +x "$T/bin/bbt-server"
REAL_B=$B
B=$T/bin
start_server
expect 201 "$(enroll "$tok" hw-1 101)" "enroll"; dev=$(jget device_token)
send "$dev" 2026-11-16T08:00:00 2026-11-16T08:45:00
points() {
	expect 200 "$(req GET /api/v1/points?week=2026-W47 "$admin")" "points API"
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["points"])' "$T/reply"
}
[ "$(points)" = 5 ] || fail "points at start: $(points)"
printf '[interactive_teaching]\npoints_per_session = 7\n' > "$T/rules.ini"
[ "$(points)" = 5 ] || fail "the rule file was read again without SIGHUP"
kill -HUP "$SPID"
i=0
until grep -q 'points rule reloaded' "$T/serve.log"; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "no reload logged: $(cat "$T/serve.log")"; sleep 0.1
done
[ "$(points)" = 7 ] || fail "points after SIGHUP: $(points), want 7"
printf '[interactive_teaching]\npoints_per_sesion = 9\n' > "$T/rules.ini"
kill -HUP "$SPID"
i=0
until grep -q 'not reloaded' "$T/serve.log"; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "no failed reload logged"; sleep 0.1
done
grep -q "unknown key 'points_per_sesion'" "$T/serve.log" || fail "the log does not say why"
kill -0 "$SPID" || fail "a bad rule file on SIGHUP stopped the server"
[ "$(points)" = 7 ] || fail "a bad rule file replaced the rule in force: $(points)"
stop_server
# A bad file at start: serve refuses before listening, exit 1.
set +e
"$REAL_B/bbt-server" --db "$DB" --rules "$T/rules.ini" serve --listen 127.0.0.1:0 \
	2> "$T/err"; rc=$?
set -e
[ $rc = 1 ] || fail "serve with a bad rule file: exit $rc"
grep -q 'points_per_sesion' "$T/err" || fail "serve's error does not name the key"
echo "server_rules_reload: ok"
