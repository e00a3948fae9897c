#!/bin/sh
# The dashboard sign-in (issue 14; CONTRACT 5.1 `admin passwd`, 5.2): the
# password read from stdin or typed twice at a terminal with echo off,
# refused when empty or short, stored as a scrypt hash (seen through `admin
# list`, never the database file); POST /api/v1/signin gives an HttpOnly,
# SameSite=Strict cookie (Secure under TLS) and a CSRF token; the cookie is
# an admin credential with the admin's scope; writes on it need the CSRF
# token and a same-origin request; sign-out, revocation and a new password
# end sessions; idle and absolute expiry; the throttle per name and per
# client address (the forwarded one behind --trusted-proxy), with
# Retry-After; an unknown name answers like a wrong password, as slowly.
# Covers server/api_signin.c http_session.c auth_password.c db_sqlite_auth.c
# cmd_admin.c.
. tests/server/lib.sh

PW='correct horse battery'
srv school add 610102001 实验小学 > /dev/null
srv school add 610102002 二小 > /dev/null
boss=$(srv admin create boss | tail -1)
srv admin create head --school 610102001 > /dev/null
srv admin create victim > /dev/null
srv admin create gone > /dev/null

# ---- admin passwd ----
passwd_fails() {	# WHAT NAME INPUT MESSAGE
	if printf '%s' "$3" | srv admin passwd "$2" 2> "$T/err"; then
		fail "admin passwd accepted $1"
	fi
	grep -q "$4" "$T/err" || { cat "$T/err"; fail "admin passwd $1: message"; }
}
printf '\n' | srv admin passwd boss 2> "$T/err" && fail "empty password accepted"
grep -q 'empty' "$T/err" || fail "empty password message"
passwd_fails "a short password" boss 'seven77' 'too short: 7 characters, at least 8'
passwd_fails "no input" boss '' 'no password on stdin'
passwd_fails "an unknown admin" nobody "$PW" "no active admin named 'nobody'"
rc=0; srv admin passwd 2> /dev/null || rc=$?
[ "$rc" = 2 ] || fail "admin passwd without a name: exit $rc, want 2"
echo "$PW" | srv admin passwd boss > /dev/null || fail "admin passwd from stdin"
# Eight Chinese characters are eight characters, not 24 bytes.
echo '校长办公室的密码' | srv admin passwd head > /dev/null || fail "Chinese password"
echo "$PW" | srv admin passwd victim > /dev/null
echo "$PW" | srv admin passwd gone > /dev/null

# At a terminal: prompted twice, nothing echoed; two different entries refused.
python3 - "$B/bbt-server" "$DB" <<'PY' || fail "admin passwd at a terminal"
import os, pty, select, sys, time
def run(first, second):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.argv[1], [sys.argv[1], "--db", sys.argv[2], "admin", "passwd", "victim"])
    out = b""
    def until(word):
        nonlocal out
        end = time.time() + 30
        while word not in out and time.time() < end:
            if not select.select([fd], [], [], 1)[0]:
                continue
            try:
                out += os.read(fd, 1024)
            except OSError:
                break
        assert word in out, out
    until(b"New password: "); os.write(fd, first + b"\n")
    until(b"again: "); os.write(fd, second + b"\n")
    end = time.time() + 30
    while time.time() < end:
        if not select.select([fd], [], [], 1)[0]:
            continue
        try:
            b = os.read(fd, 1024)
        except OSError:
            break
        if not b:
            break
        out += b
    _, st = os.waitpid(pid, 0)
    assert first not in out and second not in out, ("echoed", out)
    return os.waitstatus_to_exitcode(st), out
rc, out = run(b"typed at a tty", b"typed at a tty")
assert rc == 0 and b"password set" in out, out
rc, out = run(b"typed at a tty", b"typed differently")
assert rc == 1 and b"differ" in out, out
PY
echo "$PW" | srv admin passwd victim > /dev/null

# Stored as a self-describing scrypt hash, never in clear: what `admin list`
# tells of it is the algorithm and its cost; the password itself is nowhere.
[ "$(bbtq "$DB" '[x["password"] for x in r if x["name"] == "boss"]' admin list)" = \
    "scrypt N=32768 r=8 p=3" ] || { srv admin list; fail "password hash format"; }
srv admin list --format json | grep -q "$PW" && fail "admin list shows the password"
srv admin create nopass > /dev/null
[ "$(bbtq "$DB" '[x["password"] for x in r if x["name"] == "nopass"]' admin list)" = none ] ||
    fail "admin without a password"

# ---- helpers ----
# signin NAME PASSWORD [XFF [curl args]]: the status; reply in $T/reply, the
# headers in $T/hdr, the cookie in $T/jar.
signin() {
	n=$1; p=$2; x=${3:-10.9.9.9}; shift 2; [ $# -gt 0 ] && shift
	curl -s -o "$T/reply" -D "$T/hdr" -c "$T/jar" -w '%{http_code}' -X POST \
	    "$URL/api/v1/signin" -H 'Content-Type: application/json' \
	    -H "X-Forwarded-For: $x" -d "{\"name\":\"$n\",\"password\":\"$p\"}" "$@"
}
# creq JAR METHOD PATH [curl args]: a request with the cookies of JAR.
creq() {
	j=$1; m=$2; p=$3; shift 3
	curl -s -o "$T/reply" -D "$T/hdr" -w '%{http_code}' -b "$j" -X "$m" "$URL$p" "$@"
}
header() { tr -d '\r' < "$T/hdr" | sed -n "s/^$1: //Ip" | head -1; }
code() { jget code; }

start_server --trusted-proxy 127.0.0.1
origin=$URL

# ---- sign-in and the cookie ----
expect 200 "$(signin boss "$PW")" "sign-in"
cookie=$(header Set-Cookie)
echo "$cookie" | grep -Eq '^bbt_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200$' ||
    fail "cookie flags: $cookie"
python3 -c 'import json,re,sys; r = json.load(open(sys.argv[1]))
assert r["name"] == "boss" and r["school"] is None and r["school_name"] is None, r
assert re.fullmatch("[0-9a-f]{64}", r["csrf"]), r
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", r["expires"]), r' \
    "$T/reply" || fail "sign-in reply"
csrf=$(jget csrf)
cp "$T/jar" "$T/boss.jar"
expect 200 "$(creq "$T/boss.jar" GET /api/v1/me)" "me by cookie"
[ "$(jget scope)" = bureau ] && [ "$(jget csrf)" = "$csrf" ] || fail "me: $(cat "$T/reply")"
expect 200 "$(creq "$T/boss.jar" GET /api/v1/devices)" "a read by cookie"
# A cookie a server never issued, or a malformed one, is no credential.
echo "127.0.0.1	FALSE	/	FALSE	0	bbt_session	$(printf '%064d' 0)" > "$T/fake.jar"
expect 401 "$(creq "$T/fake.jar" GET /api/v1/me)" "an unknown session"
[ "$(code)" = signed_out ] || fail "unknown session code"

# ---- CSRF ----
# POST /api/v1/bundles takes an admin credential: past authentication an
# empty body is a 400 from its handler, so 400 means the write was let in.
expect 403 "$(creq "$T/boss.jar" POST /api/v1/bundles)" "a write without the CSRF token"
[ "$(code)" = csrf ] || fail "csrf code"
expect 403 "$(creq "$T/boss.jar" POST /api/v1/bundles -H "X-CSRF-Token: $boss")" \
    "a write with a wrong CSRF token"
expect 403 "$(creq "$T/boss.jar" POST /api/v1/bundles -H "X-CSRF-Token: $csrf" \
    -H 'Origin: http://evil.example')" "a write from another origin"
expect 403 "$(creq "$T/boss.jar" POST /api/v1/bundles -H "X-CSRF-Token: $csrf" \
    -H 'Sec-Fetch-Site: cross-site')" "a write from another site"
expect 400 "$(creq "$T/boss.jar" POST /api/v1/bundles -H "X-CSRF-Token: $csrf" \
    -H "Origin: $origin" -H 'Sec-Fetch-Site: same-origin')" "a write with the CSRF token"
expect 400 "$(req POST /api/v1/bundles "$boss")" "a Bearer write needs no CSRF token"
expect 403 "$(signin boss "$PW" 10.9.9.9 -H 'Origin: http://evil.example')" \
    "a sign-in posted from another site"

# ---- sign-out ----
expect 204 "$(creq "$T/boss.jar" POST /api/v1/signout -H "X-CSRF-Token: $csrf")" "sign-out"
header Set-Cookie | grep -q '^bbt_session=; .*Max-Age=0' || fail "sign-out clears the cookie"
expect 401 "$(creq "$T/boss.jar" GET /api/v1/me)" "a signed-out session"
[ "$(code)" = signed_out ] || fail "signed-out code"

# ---- scope: a school admin's cookie sees only its school ----
t1=$(srv token create --school 610102001 | tail -1)
t2=$(srv token create --school 610102002 | tail -1)
expect 201 "$(enroll "$t1" hw-a 101)" "enroll school 1"
expect 201 "$(enroll "$t2" hw-b 201)" "enroll school 2"
expect 200 "$(signin head '校长办公室的密码')" "school admin sign-in"
cp "$T/jar" "$T/head.jar"
python3 -c 'import json,sys; r = json.load(open(sys.argv[1]))
assert r["school"] == "610102001" and r["school_name"] == "实验小学", r' "$T/reply" ||
    fail "school admin sign-in reply"
expect 200 "$(creq "$T/head.jar" GET /api/v1/me)" "school admin me"
[ "$(jget scope)" = school ] || fail "school admin scope"
expect 200 "$(creq "$T/head.jar" GET /api/v1/devices)" "school admin devices"
python3 -c 'import json,sys; r = json.load(open(sys.argv[1]))
assert [d["school"] for d in r] == ["610102001"], r' "$T/reply" || fail "school admin sees others"
expect 403 "$(creq "$T/head.jar" GET '/api/v1/devices?school=610102002')" "another school"
[ "$(code)" = scope ] || fail "scope code"

# ---- a new password or a revocation ends sessions ----
expect 200 "$(signin gone "$PW")" "sign-in before revocation"
cp "$T/jar" "$T/gone.jar"
expect 200 "$(creq "$T/gone.jar" GET /api/v1/me)" "session before revocation"
srv admin revoke gone > /dev/null
expect 401 "$(creq "$T/gone.jar" GET /api/v1/me)" "session after revocation"
expect 401 "$(signin gone "$PW")" "sign-in of a revoked admin"
expect 200 "$(signin boss "$PW")" "sign-in before a new password"
cp "$T/jar" "$T/boss.jar"
echo "another good password" | srv admin passwd boss > /dev/null
expect 401 "$(creq "$T/boss.jar" GET /api/v1/me)" "session after a new password"
expect 401 "$(signin boss "$PW")" "the old password"
echo "$PW" | srv admin passwd boss > /dev/null

# ---- wrong name or password: one answer, one cost ----
s1=$(curl -s -o "$T/r1" -w '%{http_code} %{time_total}' -X POST "$URL/api/v1/signin" \
    -H 'X-Forwarded-For: 10.8.0.1' -d "{\"name\":\"boss\",\"password\":\"wrong one!\"}")
s2=$(curl -s -o "$T/r2" -w '%{http_code} %{time_total}' -X POST "$URL/api/v1/signin" \
    -H 'X-Forwarded-For: 10.8.0.2' -d "{\"name\":\"nosuch\",\"password\":\"wrong one!\"}")
[ "${s1% *}" = 401 ] && [ "${s2% *}" = 401 ] || fail "wrong password/name: $s1 / $s2"
cmp -s "$T/r1" "$T/r2" || fail "unknown name and wrong password answer differently"
grep -q '"code":"bad_credentials"' "$T/r1" || fail "bad_credentials code"
# The unknown name pays for a scrypt too (without it: a few ms against ~100+).
python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2])
assert b > 0.3 * a, (a, b)' "${s1#* }" "${s2#* }" || fail "unknown name answers fast: $s1 / $s2"
expect 400 "$(curl -s -o "$T/reply" -w '%{http_code}' -X POST "$URL/api/v1/signin" -d '[1]')" \
    "a body that is not an object"
python3 -c 'print("{\"name\":\"boss\",\"password\":\"" + "x" * 20000 + "\"}")' > "$T/big"
expect 413 "$(curl -s -o "$T/reply" -w '%{http_code}' -X POST "$URL/api/v1/signin" \
    --data-binary "@$T/big")" "an oversized sign-in body"

# ---- throttle ----
# Per name: five wrong passwords for victim from five addresses; the sixth
# attempt, even with the right password, is 429.
for i in 1 2 3 4 5; do
	expect 401 "$(signin victim "wrong password $i" "10.1.0.$i")" "victim attempt $i"
done
expect 429 "$(signin victim "$PW" 10.1.0.6)" "a throttled name"
[ "$(code)" = throttled ] || fail "throttled code"
after=$(header Retry-After)
[ "$after" -ge 1 ] && [ "$after" -le 900 ] || fail "Retry-After: '$after'"
# Per address: five wrong attempts from 10.2.0.1 on five names; then even
# boss's right password from that address is 429, and from another one 200.
for i in 1 2 3 4 5; do
	expect 401 "$(signin "someone$i" "wrong password" 10.2.0.1)" "address attempt $i"
done
expect 429 "$(signin boss "$PW" 10.2.0.1)" "a throttled address"
header Retry-After | grep -Eq '^[0-9]+$' || fail "Retry-After on the address"
expect 200 "$(signin boss "$PW" 10.2.0.2)" "another address"
stop_server

# ---- expiry: idle and absolute ----
start_server --trusted-proxy 127.0.0.1 --session-idle 5 --session-max 9
expect 200 "$(signin boss "$PW")" "sign-in (short sessions)"
cp "$T/jar" "$T/idle.jar"
sleep 6
expect 401 "$(creq "$T/idle.jar" GET /api/v1/me)" "an idle session"
[ "$(code)" = signed_out ] || fail "idle session code"
# In use every 2 s (never idle 5 s): good until 9 s after sign-in, not after.
expect 200 "$(signin boss "$PW")" "sign-in (short sessions, in use)"
t0=$(date +%s); cp "$T/jar" "$T/busy.jar"; good=0
while :; do
	sleep 2
	c=$(creq "$T/busy.jar" GET /api/v1/me)
	[ "$c" = 200 ] || break
	good=$((good + 1))
	[ $good -lt 10 ] || fail "a session in use outlived --session-max"
done
expect 401 "$c" "a session past its absolute limit"
el=$(($(date +%s) - t0))
[ "$good" -ge 3 ] && [ "$el" -ge 8 ] || fail "session in use ended early: $good uses, ${el}s"
stop_server

# ---- TLS: the cookie is Secure ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$T/key.pem" -out "$T/cert.pem" 2> /dev/null || fail "openssl req"
start_server --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
expect 200 "$(signin boss "$PW" 10.9.9.9 --cacert "$T/cert.pem")" "sign-in over TLS"
header Set-Cookie | grep -q 'HttpOnly; SameSite=Strict; Max-Age=43200; Secure$' ||
    fail "cookie over TLS: $(header Set-Cookie)"
stop_server
echo "server_signin: ok"
