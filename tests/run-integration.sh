#!/bin/sh
# Run every tests/integration/*.sh against the real binaries in $BBT_BUILD.
# Each script gets a fresh $BBT_TMP and exits 0 (pass), 77 (skip: it cannot
# run here, and printed why as its last line) or anything else (fail). Its
# log is printed and kept only when it fails (tmux's regress style).
# Arguments keep only the scripts whose name contains one of them:
#   BBT_BUILD=$PWD/build tests/run-integration.sh server_ bundle_
#
# Strict, so that green means what it says:
#  - a skip is a failure when BBT_CI=1 (.ci/run) or when run as root: CI
#    can run everything, so nothing may quietly not run there;
#  - a sanitizer report in any file the script left in $BBT_TMP (daemon
#    logs included) fails it, whatever its exit status;
#  - running no script at all is a failure (a filter that matched nothing).
# The counts go to stdout and, when $BBT_COUNTS names a file, are appended
# to it as "integration:DIR PASSED FAILED SKIPPED" (make test sums them).
: "${BBT_BUILD:=$(pwd)/build}"; export BBT_BUILD
# Every sanitizer report is fatal; print where it came from.
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}halt_on_error=1"
export UBSAN_OPTIONS ASAN_OPTIONS
strict=0
{ [ "${BBT_CI:-0}" = 1 ] || [ "$(id -u)" = 0 ]; } && strict=1
SANRE='ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error: |SUMMARY: (Undefined|Address|Leak|Thread)'
wanted() {
	[ $# -eq 1 ] && return 0
	t=$1; shift
	for f in "$@"; do
		case "$t" in *"$f"*) return 0 ;; esac
	done
	return 1
}
pass=0; fail=0; skip=0; n=0
for t in tests/integration/*.sh; do
	wanted "$t" "$@" || continue
	n=$((n + 1))
	name=$(basename "$t")
	BBT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bbt-it.XXXXXX"); export BBT_TMP
	start=$(date +%s)
	timeout 600 sh "$t" >"$BBT_TMP/log" 2>&1
	rc=$?
	took="$(( $(date +%s) - start ))s"
	san=$(grep -rIlE "$SANRE" "$BBT_TMP" 2>/dev/null | head -3)
	if [ -n "$san" ]; then
		echo "FAIL $name ($took): sanitizer report in" $san
		grep -hE -A12 "$SANRE" $san | head -40
		fail=$((fail + 1))
	elif [ "$rc" = 0 ]; then
		echo "PASS $name ($took)"
		rm -rf "$BBT_TMP"
	elif [ "$rc" = 77 ]; then
		why=$(tail -1 "$BBT_TMP/log")
		if [ "$strict" = 1 ]; then
			echo "FAIL $name ($took): skipped on CI or as root, where it must run: $why"
			echo "  log in $BBT_TMP/log"
			fail=$((fail + 1))
		else
			echo "SKIP $name ($took): $why"
			skip=$((skip + 1))
			rm -rf "$BBT_TMP"
		fi
	else
		[ "$rc" = 124 ] && echo "TIMEOUT $name: killed after 600 s"
		echo "FAIL $name ($took, exit $rc), log in $BBT_TMP/log:"
		tail -60 "$BBT_TMP/log"
		fail=$((fail + 1))
	fi
done
pass=$((n - fail - skip))
if [ "$n" = 0 ]; then
	echo "FAIL integration: no script matched${*:+ $*}"
	fail=1
fi
echo "integration ($BBT_BUILD): $pass passed, $fail failed, $skip skipped"
[ -n "${BBT_COUNTS:-}" ] && echo "integration:$BBT_BUILD $pass $fail $skip" >>"$BBT_COUNTS"
[ "$fail" = 0 ]
