#!/bin/sh
# it_sync_tls: the Windows agent (under wine) enrolls and syncs over HTTPS
# to a real Linux bbt-server (serve --tls-cert/--tls-key) on loopback,
# trusting the school's own CA through ca_file (libcurl + OpenSSL; many
# Windows 7 root stores are stale, see packaging/windows/README.md). An
# agent given another CA is refused with an error that says the
# certificate could not be verified, and enrolls nothing.
# Run by tests/windows/run.sh (WINEPREFIX, BBT_WIN, BBT_TMP set).
set -u
top=$(pwd)
SV=$top/build/bbt-server
d=$BBT_TMP/tls
P=$d/pki
mkdir -p "$d/st" "$d/st-bad" "$P"
DB=$d/bbt.db
fail() { echo "FAIL: $*"; tail -n 20 "$d"/*.log 2>/dev/null; exit 1; }
[ -x "$SV" ] || fail "no $SV (make all)"
S() { "$SV" --db "$DB" "$@"; }

ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
for ca in ca other; do
	openssl req -x509 $ec -keyout "$P/$ca.key" -out "$P/$ca.pem" -days 30 \
		-subj "/CN=bbt test $ca" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || fail "CA $ca"
done
openssl req $ec -keyout "$P/srv.key" -out "$P/srv.csr" -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	>"$P/ext"
openssl x509 -req -in "$P/srv.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial \
	-out "$P/srv.pem" -days 30 -extfile "$P/ext" 2>/dev/null || fail "server cert"

"$SV" --db "$DB" serve --listen 127.0.0.1:0 --tls-cert "$P/srv.pem" --tls-key "$P/srv.key" \
	2>"$d/server.log" &
spid=$!
trap 'kill $spid 2>/dev/null' EXIT
i=0
until grep -q 'listening on .*threads)' "$d/server.log" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "server did not start"
	sleep 0.1
done
port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$d/server.log" | head -1)
S school add 610102001 "西安市第一小学" >/dev/null || fail "school add"
TOKEN=$(S token create --school 610102001 --uses 5 | tail -1)

# conf NAME CA STATE: an agent.conf trusting CA only.
conf() {
	cat >"$d/$1.conf" <<EOT
[server]
url = https://127.0.0.1:$port/
school = 610102001
room = 三年级二班
ca_file = $(winepath -w "$2")
[agent]
state_dir = $(winepath -w "$3")
EOT
}
conf bad "$P/other.pem" "$d/st-bad"
conf good "$P/ca.pem" "$d/st"
AG() { c=$1; shift; wine "$BBT_WIN/bbt-agent.exe" --config "$(winepath -w "$d/$c.conf")" "$@"; }

# Another CA: refused, and said so.
if AG bad enroll --token "$TOKEN" >"$d/enroll-bad.log" 2>&1; then
	fail "enrolled through a certificate of a CA it does not trust"
fi
grep -iqE 'certificate|verif' "$d/enroll-bad.log" || fail "no certificate error: $(cat "$d/enroll-bad.log")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM devices")" = 0 ] || fail "server enrolled a device"

AG good enroll --token "$TOKEN" >"$d/enroll.log" 2>&1 || fail "enroll over HTTPS"
python3 tests/gen/gen-lessons.py --seed 7 day "$d/day" >/dev/null || fail "generator"
AG good replay --start 2026-11-23T08:00:00+08:00 "$(winepath -w "$d/day/touch.events")" \
	>"$d/replay.json" 2>"$d/replay.log" || fail "replay"
n=$(grep -c '"id"' "$d/replay.json")
[ "$n" -ge 1 ] || fail "replay logged no session"
AG good sync >"$d/sync.log" 2>&1 || fail "sync over HTTPS"
stored=$(sqlite3 "$DB" "SELECT count(*) FROM sessions")
[ "$stored" = "$n" ] || fail "collector stored $stored of $n sessions"
echo "ok: wrong CA refused ($(head -c 120 "$d/enroll-bad.log" | tr '\n' ' ')), synced $n over HTTPS"
