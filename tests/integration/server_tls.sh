#!/bin/sh
# TLS serving (issue 4): `serve --tls-cert --tls-key` answers HTTPS with the
# given certificate (verified by curl against it as the CA, host name
# included), refuses plain HTTP on that port, and refuses to start with only
# one of the two options or an unreadable key.
# Covers server/http.c cmd_serve.c.
. tests/server/lib.sh

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$T/key.pem" -out "$T/cert.pem" 2> /dev/null || fail "openssl req"
srv school add 610102001 实验小学 > /dev/null
if srv serve --listen 127.0.0.1:0 --tls-cert "$T/cert.pem" 2> "$T/err"; then
	fail "started with a certificate and no key"
fi
grep -q 'go together' "$T/err" || fail "cert-without-key message"
if srv serve --listen 127.0.0.1:0 --tls-cert "$T/cert.pem" --tls-key "$T/none" \
    2> "$T/err"; then
	fail "started with a missing key file"
fi
start_server --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
case "$URL" in https://127.0.0.1:*) ;; *) fail "not serving https: $URL" ;; esac
code=$(req GET /healthz - --cacert "$T/cert.pem"); expect 200 "$code" "healthz over TLS"
[ "$(jget status)" = ok ] || fail "healthz body"
code=$(req GET /healthz - ) || :
[ "$code" = 000 ] || fail "unverified certificate accepted ($code)"
plain=$(echo "$URL" | sed 's/^https/http/')
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$plain/healthz") || :
[ "$code" != 200 ] || fail "plain HTTP answered on the TLS port"
stop_server
echo "server_tls: ok"
