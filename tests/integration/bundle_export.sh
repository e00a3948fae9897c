#!/bin/sh
# Bundles, agent side (agent/cmd_export.c, common/bbt_bundle.c,
# common/bbt_ed25519.c): `export --out DIR` writes one signed .bbtb of the
# unacknowledged sessions under its CONTRACT 4.5 name, checked here with the
# openssl CLI against the public key the agent sent at enrollment (an
# independent Ed25519 implementation path); export leaves the outbox as it
# was, so a later sync still delivers every session; no temp file is left;
# export refuses when not enrolled or when DIR is not a directory.
. tests/sync/lib.sh
S="$BBT_TMP/srv"
USB="$BBT_TMP/usb"
mkdir -p "$USB"
start_fault "$S"
URL="http://127.0.0.1:$PORT/"
agent_conf "$URL"

# Not enrolled yet: refused with a reason, nothing written.
$SEED "$ST" 1 7200 1800 none > /dev/null
if $AG export --out "$USB" 2> "$BBT_TMP/err"; then fail "export before enrollment"; fi
grep -q "not enrolled" "$BBT_TMP/err" || { cat "$BBT_TMP/err"; fail "no reason given"; }
[ -z "$(ls -A "$USB")" ] || fail "something written while not enrolled"
if $AG export --out "$BBT_TMP/nope" 2>/dev/null; then fail "export to a missing dir"; fi
if $AG export 2>/dev/null; then fail "export without --out"; fi

enroll "$URL"
$SEED "$ST" 4 9000 1800 none >> /dev/null
$AG export --out "$USB" > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "export"; }
grep -q "^export: 5 sessions to " "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "summary"; }
set -- "$USB"/*
[ $# = 1 ] || fail "expected one file in the export dir, got: $(ls -A "$USB")"
B=$1
DEV=$(meta device_id)
case "$(basename "$B")" in
bbt-"$DEV"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z.bbtb) ;;
*) fail "bad bundle name $(basename "$B")" ;;
esac
[ -z "$(ls -A "$USB" | grep -v '\.bbtb$')" ] || fail "temp file left behind"

# Structure: header, 5 sessions, signature line.
[ "$(wc -l < "$B")" = 7 ] || fail "expected 7 lines"
head -1 "$B" | grep -q '^{"format":"bbt-bundle/1","device_id":"'"$DEV"'",' || fail "header"
head -1 "$B" | grep -q '"count":5}$' || fail "count"
tail -1 "$B" | grep -q '^{"signature":"[A-Za-z0-9+/]*==*"}$' || fail "signature line"

# The signature verifies with openssl and the enrolled public key.
PUB=$(python3 -c 'import json, sys
print(list(json.load(open(sys.argv[1])).values())[0]["public_key"])' "$S/devices.json")
# SubjectPublicKeyInfo DER of an Ed25519 key: a fixed 12-byte prefix + the key.
python3 -c 'import sys, base64; sys.stdout.buffer.write(bytes.fromhex(
    "302a300506032b6570032100") + base64.b64decode(sys.argv[1], validate=True))' \
	"$PUB" > "$BBT_TMP/pub.der"
openssl pkey -pubin -inform DER -in "$BBT_TMP/pub.der" -out "$BBT_TMP/pub.pem" || fail "pub key"
head -n 6 "$B" > "$BBT_TMP/signed"
tail -1 "$B" | sed 's/^{"signature":"\(.*\)"}$/\1/' | base64 -d > "$BBT_TMP/sig"
openssl pkeyutl -verify -pubin -inkey "$BBT_TMP/pub.pem" -rawin -in "$BBT_TMP/signed" \
	-sigfile "$BBT_TMP/sig" || fail "openssl does not verify the bundle"
# ... and not once a byte changed.
sed '2s/"touches":42/"touches":43/' "$BBT_TMP/signed" > "$BBT_TMP/signed2"
cmp -s "$BBT_TMP/signed" "$BBT_TMP/signed2" && fail "tamper edit did nothing"
if openssl pkeyutl -verify -pubin -inkey "$BBT_TMP/pub.pem" -rawin \
	-in "$BBT_TMP/signed2" -sigfile "$BBT_TMP/sig" >/dev/null 2>&1; then
	fail "openssl verifies a changed bundle"
fi

# Export leaves the outbox alone: sync still delivers all 5, once.
$AG sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "sync after export"; }
grep -q '5 accepted.*0 left' "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "sync summary"; }
[ "$(unique "$S")" = 5 ] || fail "server has $(unique "$S") sessions, not 5"
# Everything acknowledged now: nothing to export, no new file.
$AG export --out "$USB" > "$BBT_TMP/out" || fail "empty export"
grep -q "nothing to export" "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "empty summary"; }
[ "$(ls -A "$USB" | wc -l)" = 1 ] || fail "an empty bundle was written"
echo ok
