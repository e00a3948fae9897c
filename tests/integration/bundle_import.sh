#!/bin/sh
# Bundles end to end with real processes (agent/cmd_export.c,
# server/cmd_import.c, server/bundles.c, common/bbt_bundle.c): a bundle
# exported by an enrolled agent is imported once; importing it again counts
# nothing twice; a bundle changed, with a line added or removed, cut short,
# claiming another device while signed by this one's key, or from a device
# the collector does not know, is refused whole and stores nothing; a
# session both exported and synced is counted once; after an import the
# agent's next sync empties its outbox (the server answers "duplicate").
. tests/bundle/lib.sh
start_server
T1=$(school_token 610102001 "西安市第一小学")
agent a "$T1" 610102001 "三年级二班"
agent b "$T1" 610102001 "四年级一班"
DEV_A=$(meta a device_id)
[ -n "$DEV_A" ] || fail "agent a has no device id"

seed a 3 > "$BBT_TMP/ids"
B=$(export_bundle a)

# Imported: 3 accepted, stored via bundle.
S import "$B" > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "import"; }
grep -q "device $DEV_A: 3 accepted, 0 duplicate, 0 rejected" "$BBT_TMP/out" ||
	{ cat "$BBT_TMP/out"; fail "import summary"; }
[ "$(stored)" = 3 ] || fail "expected 3 stored, got $(stored)"
for id in $(cat "$BBT_TMP/ids"); do
	[ "$(bbtq "$DB" "[x['via'] + ' ' + x['device_id'] for x in r if x['id'] == '$id']" \
	    sessions)" = "bundle $DEV_A" ] || fail "$id not stored as from device a via bundle"
done
# Imported twice: all duplicates, nothing new.
S import "$B" > "$BBT_TMP/out" || fail "second import"
grep -q ": 0 accepted, 3 duplicate, 0 rejected" "$BBT_TMP/out" ||
	{ cat "$BBT_TMP/out"; fail "second import summary"; }
[ "$(stored)" = 3 ] || fail "second import stored more"

# refused FILE WHY: import must fail, say "refused", store nothing.
refused() {
	n0=$(stored)
	if S import "$1" > "$BBT_TMP/out" 2>&1; then cat "$BBT_TMP/out"; fail "$2 accepted"; fi
	grep -q "refused" "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "$2: no reason"; }
	[ "$(stored)" = "$n0" ] || fail "$2: something was stored"
}

# Tampering, on a fresh bundle of new sessions so that any leak would show.
seed a 2 > /dev/null
B2=$(export_bundle a)
[ "$(wc -l < "$B2")" = 7 ] || fail "bundle of 5 sessions has $(wc -l < "$B2") lines"
sed '3s/"touches":42/"touches":420/' "$B2" > "$BBT_TMP/changed.bbtb"
cmp -s "$B2" "$BBT_TMP/changed.bbtb" && fail "the change edit did nothing"
refused "$BBT_TMP/changed.bbtb" "a changed line"
grep -q "signature does not verify" "$BBT_TMP/out" || fail "changed: wrong reason"
# Added: a new session (fresh id) inserted, count raised to match.
NEW=$(python3 -c 'import uuid; print(uuid.uuid4())')
{ sed -n '1s/"count":5/"count":6/p' "$B2"; sed -n '2p' "$B2" |
	sed 's/"id":"[^"]*"/"id":"'"$NEW"'"/'; sed -n '2,$p' "$B2"; } > "$BBT_TMP/added.bbtb"
refused "$BBT_TMP/added.bbtb" "an added line"
# Added without touching the count: refused before any crypto.
{ sed -n '1,2p' "$B2"; sed -n '2,$p' "$B2"; } > "$BBT_TMP/added2.bbtb"
refused "$BBT_TMP/added2.bbtb" "an added line (count kept)"
# Removed: line 3 dropped, with and without the count lowered.
sed '3d' "$B2" > "$BBT_TMP/removed.bbtb"
refused "$BBT_TMP/removed.bbtb" "a removed line"
sed -e '3d' -e '1s/"count":5/"count":4/' "$B2" > "$BBT_TMP/removed2.bbtb"
refused "$BBT_TMP/removed2.bbtb" "a removed line (count lowered)"
grep -q "signature does not verify" "$BBT_TMP/out" || fail "removed: wrong reason"
# Truncated: mid-line, at a line end, and without the signature line.
size=$(wc -c < "$B2")
head -c $((size / 2)) "$B2" > "$BBT_TMP/cut1.bbtb"
refused "$BBT_TMP/cut1.bbtb" "a bundle cut mid-line"
head -n 4 "$B2" > "$BBT_TMP/cut2.bbtb"
refused "$BBT_TMP/cut2.bbtb" "a bundle cut at a line end"
head -n 6 "$B2" > "$BBT_TMP/cut3.bbtb"
refused "$BBT_TMP/cut3.bbtb" "a bundle without its signature line"
head -c $((size - 1)) "$B2" > "$BBT_TMP/cut4.bbtb"
refused "$BBT_TMP/cut4.bbtb" "a bundle missing its last newline"

# Signed by another device: a's bundle re-signed with b's private key.
head -n 6 "$B2" > "$BBT_TMP/signed"
openssl pkeyutl -sign -inkey "$BBT_TMP/b/device.key" -rawin -in "$BBT_TMP/signed" \
	-out "$BBT_TMP/sig" || fail "openssl sign"
{ cat "$BBT_TMP/signed"; printf '{"signature":"%s"}\n' "$(base64 -w0 < "$BBT_TMP/sig")"; } \
	> "$BBT_TMP/other.bbtb"
refused "$BBT_TMP/other.bbtb" "a bundle signed by another device"
grep -q "signature does not verify" "$BBT_TMP/out" || fail "other device: wrong reason"
# Sanity of the forgery method: re-signed with a's own key it is accepted.
openssl pkeyutl -sign -inkey "$BBT_TMP/a/device.key" -rawin -in "$BBT_TMP/signed" \
	-out "$BBT_TMP/sig" || fail "openssl sign"
{ cat "$BBT_TMP/signed"; printf '{"signature":"%s"}\n' "$(base64 -w0 < "$BBT_TMP/sig")"; } \
	> "$BBT_TMP/own.bbtb"
S import "$BBT_TMP/own.bbtb" > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "own re-signed"; }
grep -q ": 2 accepted, 3 duplicate" "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "own summary"; }
[ "$(stored)" = 5 ] || fail "expected 5 stored"

# Several files at once: one refused does not stop the others; exit 1.
if S import "$BBT_TMP/cut1.bbtb" "$B2" > "$BBT_TMP/out"; then fail "mixed import exit 0"; fi
grep -q "cut1.bbtb: refused" "$BBT_TMP/out" && grep -q ": 0 accepted, 5 duplicate" \
	"$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "mixed import"; }

# Unknown device: a collector that never enrolled a.
DB_KEEP=$DB; DB=$(test_db other)
S school add 610102001 "西安市第一小学" > /dev/null
refused "$B2" "a bundle of an unknown device"
grep -q "unknown device" "$BBT_TMP/out" || fail "unknown device: wrong reason"
DB=$DB_KEEP

# Exported and synced counts once: b exports, syncs, then its bundle comes.
seed b 2 > /dev/null
BB=$(export_bundle b)
ag b sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "sync b"; }
grep -q '2 accepted.*0 left' "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "sync b summary"; }
S import "$BB" > "$BBT_TMP/out" || fail "import b"
grep -q ": 0 accepted, 2 duplicate" "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "b dup"; }
[ "$(stored)" = 7 ] || fail "expected 7 stored, got $(stored)"

# After the import, a's sync empties its outbox with duplicates only.
ag a sync > "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "sync a"; }
grep -q '0 accepted, 5 duplicate.*0 left' "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "sync a"; }
[ "$(stored)" = 7 ] || fail "sync after import stored more"
echo ok
