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
# BBT_JOBS=N runs N scripts at a time (each has its own $BBT_TMP and
# ephemeral ports); the scripts named in BBT_SERIAL still run one by one.
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
# One script: run it, print its verdict, leave "pass|fail|skip" in
# $results/NAME. Called by xargs -P below, so scripts run $BBT_JOBS at a
# time (default 1); those named in $BBT_SERIAL (system-wide state: an
# installed package, network namespaces) run alone after the rest.
run_one() {
	t=$1; name=$(basename "$t")
	BBT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bbt-it.XXXXXX"); export BBT_TMP
	start=$(date +%s)
	timeout 600 sh "$t" >"$BBT_TMP/log" 2>&1
	rc=$?
	took="$(( $(date +%s) - start ))s"
	san=$(grep -rIlE "$SANRE" "$BBT_TMP" 2>/dev/null | head -3)
	out=$(verdict)
	# One write per script, so parallel verdicts do not interleave.
	printf '%s\n' "$out"
}
verdict() {
	if [ -n "$san" ]; then
		echo "FAIL $name ($took): sanitizer report in" $san
		grep -hE -A12 "$SANRE" $san | head -40
		echo fail >"$results/$name"
	elif [ "$rc" = 0 ]; then
		echo "PASS $name ($took)"
		echo pass >"$results/$name"
		rm -rf "$BBT_TMP"
	elif [ "$rc" = 77 ]; then
		why=$(tail -1 "$BBT_TMP/log")
		if [ "$strict" = 1 ]; then
			echo "FAIL $name ($took): skipped on CI or as root, where it must run: $why"
			echo "  log in $BBT_TMP/log"
			echo fail >"$results/$name"
		else
			echo "SKIP $name ($took): $why"
			echo skip >"$results/$name"
			rm -rf "$BBT_TMP"
		fi
	else
		[ "$rc" = 124 ] && echo "TIMEOUT $name: killed after 600 s"
		echo "FAIL $name ($took, exit $rc), log in $BBT_TMP/log:"
		tail -60 "$BBT_TMP/log"
		echo fail >"$results/$name"
	fi
}
serial() {
	for f in $BBT_SERIAL; do
		case "$1" in *"$f"*) return 0 ;; esac
	done
	return 1
}
if [ "${1:-}" = --one ]; then
	run_one "$2"
	exit 0
fi
: "${BBT_JOBS:=1}"
: "${BBT_SERIAL:=zz_packaging rollout_}"
results=$(mktemp -d "${TMPDIR:-/tmp}/bbt-results.XXXXXX")
export results strict SANRE
par=$results.par; ser=$results.ser; : >"$par"; : >"$ser"
for t in tests/integration/*.sh; do
	wanted "$t" "$@" || continue
	if serial "$t"; then
		echo "$t" >>"$ser"
	else
		echo "$t" >>"$par"
	fi
done
xargs -r -P "$BBT_JOBS" -n 1 sh "$0" --one <"$par"
xargs -r -n 1 sh "$0" --one <"$ser"
n=$(cat "$par" "$ser" | wc -l)
fail=$(grep -l fail "$results"/* 2>/dev/null | wc -l)
skip=$(grep -l skip "$results"/* 2>/dev/null | wc -l)
ran=$(ls "$results" | wc -l)
# A script that left no verdict (the worker itself died) is a failure.
fail=$((fail + n - ran))
rm -rf "$results" "$par" "$ser"
pass=$((n - fail - skip))
if [ "$n" = 0 ]; then
	echo "FAIL integration: no script matched${*:+ $*}"
	fail=1
fi
echo "integration ($BBT_BUILD): $pass passed, $fail failed, $skip skipped"
[ -n "${BBT_COUNTS:-}" ] && echo "integration:$BBT_BUILD $pass $fail $skip" >>"$BBT_COUNTS"
[ "$fail" = 0 ]
