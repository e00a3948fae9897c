#!/bin/sh
# POST /api/v1/bundles (server/api_bundles.c): a bundle posted with an admin
# token or its own device's token is verified and ingested like an import
# (200, the upload reply plus device_id; twice counts once); no credential
# is 401; another device's token or an admin of another school is 403; a
# tampered bundle is 400 and stores nothing.
. tests/bundle/lib.sh
start_server
T1=$(school_token 610102001 "西安市第一小学")
T2=$(school_token 610102002 "西安市第二小学")
agent a "$T1" 610102001 "三年级二班"
agent c "$T2" 610102002 "一年级一班"
ADMIN=$(S admin create 电教站 | tail -1)
ADMIN2=$(S admin create 二小管理员 --school 610102002 | tail -1)
TOK_A=$(meta a device_token)
TOK_C=$(meta c device_token)
seed a 3 > /dev/null
B=$(export_bundle a)

# post FILE [TOKEN]: prints the status, body in $BBT_TMP/body.
post() {
	if [ -n "${2:-}" ]; then set -- "$1" -H "Authorization: Bearer $2"; fi
	f=$1; shift
	curl -s -o "$BBT_TMP/body" -w '%{http_code}' --data-binary "@$f" \
		-H 'Content-Type: application/octet-stream' "$@" "${URL}api/v1/bundles"
}

[ "$(post "$B")" = 401 ] || fail "no credential: not 401"
[ "$(post "$B" not-a-token)" = 401 ] || fail "bad credential: not 401"
[ "$(post "$B" "$TOK_C")" = 403 ] || fail "another device's token: not 403"
[ "$(post "$B" "$ADMIN2")" = 403 ] || fail "another school's admin: not 403"
[ "$(stored)" = 0 ] || fail "a refused post stored something"

sed '2s/"touches":42/"touches":43/' "$B" > "$BBT_TMP/bad.bbtb"
[ "$(post "$BBT_TMP/bad.bbtb" "$ADMIN")" = 400 ] || fail "tampered: not 400"
grep -q '"error":"bundle refused' "$BBT_TMP/body" || { cat "$BBT_TMP/body"; fail "tampered reply"; }
head -c 100 "$B" > "$BBT_TMP/cut.bbtb"
[ "$(post "$BBT_TMP/cut.bbtb" "$ADMIN")" = 400 ] || fail "truncated: not 400"
[ "$(stored)" = 0 ] || fail "a tampered post stored something"

[ "$(post "$B" "$ADMIN")" = 200 ] || { cat "$BBT_TMP/body"; fail "admin post"; }
python3 - "$BBT_TMP/body" "$(meta a device_id)" <<'EOF' || fail "admin post reply"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["device_id"] == sys.argv[2], r
assert len(r["accepted"]) == 3 and r["duplicate"] == [] and r["rejected"] == [], r
assert "server_time" in r, r
EOF
[ "$(stored)" = 3 ] || fail "expected 3 stored"
[ "$(post "$B" "$TOK_A")" = 200 ] || { cat "$BBT_TMP/body"; fail "own device post"; }
python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
assert len(r["duplicate"]) == 3 and r["accepted"] == [], r' \
	"$BBT_TMP/body" || fail "second post not all duplicates"
[ "$(stored)" = 3 ] || fail "second post stored more"
# Bundle sessions are counted in the ingest metrics like uploads.
curl -s -H "Authorization: Bearer $ADMIN" "${URL}metrics" > "$BBT_TMP/metrics"
grep -qx 'bbt_sessions_total{result="accepted"} 3' "$BBT_TMP/metrics" ||
	{ grep bbt_sessions "$BBT_TMP/metrics"; fail "bundle sessions not in metrics"; }
grep -qx 'bbt_sessions_total{result="duplicate"} 3' "$BBT_TMP/metrics" ||
	fail "bundle duplicates not in metrics"
# Imports counted like uploads: one a bundle, timed like an upload.
grep -qx 'bbt_bundles_total 2' "$BBT_TMP/metrics" &&
    grep -qx 'bbt_ingest_duration_seconds_count 2' "$BBT_TMP/metrics" ||
	{ grep -E 'bbt_bundles|ingest_duration_seconds_count' "$BBT_TMP/metrics";
	fail "bundle imports not counted"; }
echo ok
