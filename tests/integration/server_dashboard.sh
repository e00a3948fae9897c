#!/bin/sh
# The admin dashboard at / (server/api_dashboard.c, server/dashboard/): its
# files are served without a credential under a strict CSP, and every read
# endpoint its script calls exists and answers an admin token with JSON
# (and refuses a request without one), so the page and the API cannot drift.
. tests/server/lib.sh
srv school add 610102001 "西安市第一小学" > /dev/null
admin=$(srv admin create 电教站 | tail -1)
start_server

curl -s -D "$T/h" -o "$T/index" "$URL/" > /dev/null
grep -q '^HTTP/1.1 200' "$T/h" || { cat "$T/h"; fail "GET / not 200"; }
grep -qi '^content-type: text/html; charset=utf-8' "$T/h" || fail "/ not HTML"
grep -qi "^content-security-policy: default-src 'none'; script-src 'self'" "$T/h" ||
	fail "/ without a strict CSP"
grep -q 'id="signin"' "$T/index" || fail "/ has no sign-in form"
grep -q 'src="/dashboard.js"' "$T/index" || fail "/ does not load its script"

for f in dashboard.js dashboard.css chart.js favicon.svg; do
	[ "$(req GET "/$f" -)" = 200 ] || fail "GET /$f"
done
# Chart.js is Debian's, embedded at build time (server/dashboard.mk).
req GET /chart.js - > /dev/null
cmp -s "$T/reply" /usr/share/javascript/chart.js/chart.min.js ||
	fail "/chart.js is not libjs-chart.js's chart.min.js"
cp "$T/reply" "$T/css"
[ "$(req GET /dashboard.js -)" = 200 ] && cp "$T/reply" "$T/js"
cmp -s "$T/js" server/dashboard/dashboard.js || fail "served script differs from the source"
grep -q 'textContent' "$T/js" && ! grep -q 'innerHTML' "$T/js" ||
	fail "the script must put values in the page as text, never as HTML"

# Every read endpoint the script names (api("NAME", ...)) must answer the
# admin, and only the admin.
paths=$(grep -o 'api("[a-z]*"' "$T/js" | sed 's,api(",/api/v1/,; s,"$,,' | sort -u)
[ "$(echo "$paths" | wc -l)" -ge 5 ] || fail "script names too few endpoints: $paths"
for p in $paths; do
	expect 401 "$(req GET "$p" -)" "$p without a token"
	expect 200 "$(req GET "$p" "$admin")" "$p with the admin token"
	python3 -c 'import json,sys; v = json.load(open(sys.argv[1]))
assert isinstance(v, list) or sys.argv[2] == "/api/v1/me", v' "$T/reply" "$p" ||
		fail "$p: not a JSON array"
done

# Every view downloads: format=xlsx|csv is the CLI's file, as an attachment.
curl -s -D "$T/h" -o "$T/x.xlsx" -H "Authorization: Bearer $admin" \
	"$URL/api/v1/stats?format=xlsx" > /dev/null
grep -qi '^content-type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' \
	"$T/h" || { cat "$T/h"; fail "stats?format=xlsx is not a workbook"; }
grep -qi '^content-disposition: attachment' "$T/h" || fail "xlsx not an attachment"
python3 tests/console/xlsx_read.py "$T/x.xlsx" > "$T/x.json" &&
	grep -q '"名称"' "$T/x.json" || fail "the workbook has no Chinese header"
expect 200 "$(req GET '/api/v1/devices?format=csv&lang=en' "$admin")" "devices?format=csv"
head -c 20 "$T/reply" | grep -q 'device_id' || fail "lang=en CSV lacks key headers"
expect 400 "$(req GET '/api/v1/points?format=pdf' "$admin")" "format=pdf"
expect 400 "$(req GET '/api/v1/points?format=csv&lang=fr' "$admin")" "lang=fr"
expect 401 "$(req GET '/api/v1/points?format=xlsx' -)" "an export without a token"

expect 405 "$(req POST / -)" "POST /"
expect 404 "$(req GET /admin.html -)" "an unknown page"
echo "server_dashboard: ok"
