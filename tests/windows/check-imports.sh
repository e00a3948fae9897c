#!/bin/sh
# check-imports.sh EXE: fail if EXE imports a DLL or function that Windows 7
# SP1 does not have (classroom PCs run 7 to 11: an exe that needs one more
# symbol does not start at all, "entry point not found").
#
# Two lists in this folder:
#  - win7-imports.txt: every "DLL function" the agent is known to import,
#    each checked against Windows 7 SP1 when it was added. An import not in
#    the list fails the test: a new call (or a new library version) has to
#    be checked and added by hand, never silently accepted.
#  - not-win7.txt: functions and DLLs known to be newer than Windows 7
#    (Windows 8+ or the UCRT), which must never appear in either the exe or
#    the allowlist (a guard against adding one by mistake).
# The imports come from objdump -p (the import tables of the PE file).
exe=${1:?usage: check-imports.sh EXE}
here=$(dirname "$0")
allow=$here/win7-imports.txt
deny=$here/not-win7.txt
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bbt-imports.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

x86_64-w64-mingw32-objdump -p "$exe" >"$tmp/pe" || { echo "objdump failed"; exit 1; }
# "DLL Name: KERNEL32.dll" then rows "  vma  hint  Name" until a blank line.
awk '/DLL Name:/ { dll = tolower($3); next }
     dll != "" && NF == 0 { dll = ""; next }
     dll != "" && $1 ~ /^[0-9a-f]+$/ && NF >= 3 { print dll, $NF }' "$tmp/pe" |
    sort -u >"$tmp/imports"
[ -s "$tmp/imports" ] || { echo "no imports found in $exe (objdump output changed?)"; exit 1; }
grep -v '^#' "$allow" | awk 'NF { print tolower($1), $2 }' | sort -u >"$tmp/allow"
grep -v '^#' "$deny" | awk 'NF { print $1 }' | sort -u >"$tmp/deny"

rc=0
new=$(comm -23 "$tmp/imports" "$tmp/allow")
if [ -n "$new" ]; then
	echo "imports not checked against Windows 7 (add to $allow once checked):"
	echo "$new" | sed 's/^/  /'
	rc=1
fi
for f in "$tmp/imports" "$tmp/allow"; do
	hits=$(awk 'NR == FNR { d[$1] = 1; next } ($1 in d) || ($2 in d)' "$tmp/deny" "$f")
	if [ -n "$hits" ]; then
		echo "newer than Windows 7 (in $(basename "$f")):"
		echo "$hits" | sed 's/^/  /'
		rc=1
	fi
done
echo "$(wc -l <"$tmp/imports") imports from $(awk '{ print $1 }' "$tmp/imports" | sort -u |
    tr '\n' ' ')"
exit $rc
