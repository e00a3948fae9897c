#!/bin/sh
# Run every tests/integration/*.sh against the real binaries in $BBT_BUILD.
# Each script gets a fresh $BBT_TMP and exits non-zero on failure; its log
# is printed only when it fails (tmux's regress style). Arguments keep only
# the scripts whose name contains one of them:
#   BBT_BUILD=$PWD/build tests/run-integration.sh server_ bundle_
: "${BBT_BUILD:=$(pwd)/build}"; export BBT_BUILD
wanted() {
	[ $# -eq 1 ] && return 0
	t=$1; shift
	for f in "$@"; do
		case "$t" in *"$f"*) return 0 ;; esac
	done
	return 1
}
fail=0; n=0
for t in tests/integration/*.sh; do
	wanted "$t" "$@" || continue
	n=$((n + 1))
	BBT_TMP=$(mktemp -d /tmp/bbt-it.XXXXXX); export BBT_TMP
	start=$(date +%s)
	if timeout 600 sh "$t" >"$BBT_TMP/log" 2>&1; then
		echo "PASS $(basename "$t") ($(( $(date +%s) - start ))s)"
		rm -rf "$BBT_TMP"
	else
		echo "FAIL $(basename "$t") ($(( $(date +%s) - start ))s), log in $BBT_TMP/log:"
		tail -60 "$BBT_TMP/log"
		fail=$((fail + 1))
	fi
done
echo "integration: $n scripts, $fail failed"
[ "$fail" = 0 ]
