#!/bin/sh
# usb_table: firmware-notes/gen-usbdb.awk turns the vendor table into C and
# refuses a malformed table (so a typo cannot ship as a missing device): wrong
# field count, bad hex ids, unknown kind, missing maker, duplicate ids.
# Covers: firmware-notes/gen-usbdb.awk, agent/usbdb.mk.
set -eu
gen=firmware-notes/gen-usbdb.awk
T=$(printf '\t')
good="6615${T}0070${T}IRTOUCH Systems${T}ir_frame${T}hid-multitouch${T}kernel:hid-ids.h${T}say \"hi\""

printf '# comment\n\n%s\n' "$good" >"$BBT_TMP/good.tsv"
awk -F'\t' -f $gen "$BBT_TMP/good.tsv" >"$BBT_TMP/good.c"
grep -q '{ 0x6615, 0x0070, "IRTOUCH Systems", USBDB_IR_FRAME, "hid-multitouch", "say \\"hi\\"", "kernel:hid-ids.h", 1 },' "$BBT_TMP/good.c"
# The generated source compiles as it is.
cc -std=c11 -Wall -Wextra -Werror -Iagent -c "$BBT_TMP/good.c" -o "$BBT_TMP/good.o"

reject() {
	printf '%s\n' "$1" >"$BBT_TMP/bad.tsv"
	if awk -F'\t' -f $gen "$BBT_TMP/bad.tsv" >"$BBT_TMP/bad.c" 2>"$BBT_TMP/err"; then
		echo "accepted a bad table ($2):"; cat "$BBT_TMP/bad.tsv"; exit 1
	fi
	grep -q 'bad.tsv:[0-9]*:' "$BBT_TMP/err" || { echo "no line number: $(cat "$BBT_TMP/err")"; exit 1; }
}
reject "6615${T}0070${T}IRTOUCH${T}ir_frame${T}hid-multitouch${T}src" "6 fields"
reject "6615 0070 IRTOUCH ir_frame hid-multitouch src notes" "spaces not tabs"
reject "6615${T}0070${T}IRTOUCH${T}ir-frame${T}hid-multitouch${T}src${T}-" "unknown kind"
reject "66A5${T}0070${T}IRTOUCH${T}ir_frame${T}hid-multitouch${T}src${T}-" "uppercase vid"
reject "6615${T}70${T}IRTOUCH${T}ir_frame${T}hid-multitouch${T}src${T}-" "short pid"
reject "6615${T}0070${T}-${T}ir_frame${T}hid-multitouch${T}src${T}-" "no maker"
reject "$good
$good" "duplicate"
# An empty table is an error too: the agent would silently know nothing.
printf '# only comments\n' >"$BBT_TMP/empty.tsv"
if awk -F'\t' -f $gen "$BBT_TMP/empty.tsv" >/dev/null 2>&1; then echo "accepted empty"; exit 1; fi
# And the real table passes.
awk -F'\t' -f $gen firmware-notes/touch-devices.tsv >/dev/null
echo "usb_table: ok"
