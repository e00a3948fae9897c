#!/bin/sh
# Run every libFuzzer target in DIR for SECONDS each, seeded from
# tests/fuzz/corpus/<target>/ (copied, so runs do not grow the repo).
# A target fails when it crashes, when any sanitizer report appears in its
# log (UBSan halts: the build has -fno-sanitize-recover=all and
# UBSAN_OPTIONS says halt_on_error, so no report scrolls past), or when it
# ran no input at all. No target in DIR is a failure too. The log and
# crash input of a failure are kept (the path is printed).
# Counts: stdout, and appended to $BBT_COUNTS (if set) as
# "fuzz:DIR PASSED FAILED SKIPPED" for make test's closing line.
dir=${1:?usage: run-fuzz.sh DIR SECONDS}; secs=${2:-10}
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}halt_on_error=1"
export UBSAN_OPTIONS ASAN_OPTIONS
SANRE='ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error: |SUMMARY: (Undefined|Address|Leak|Thread)'
pass=0; fail=0; n=0
for t in "$dir"/fuzz_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	n=$((n + 1))
	name=$(basename "$t")
	work=$(mktemp -d "${TMPDIR:-/tmp}/bbt-fuzz.XXXXXX"); mkdir -p "$work/corpus"
	[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/corpus/"
	"$t" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 \
		-artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/log" | tail -1)
	if [ "$rc" != 0 ] || grep -qE "$SANRE" "$work/log"; then
		echo "FAIL fuzz $name (exit $rc): log and crash input kept in $work"
		grep -E -A15 "$SANRE|deadly signal|ERROR: libFuzzer" "$work/log" | head -40
		fail=$((fail + 1))
	elif [ -z "$runs" ] || [ "$runs" = 0 ]; then
		echo "FAIL fuzz $name: ran no input (log kept in $work/log)"; tail -10 "$work/log"
		fail=$((fail + 1))
	else
		echo "PASS fuzz $name ($runs runs in ${secs}s)"
		pass=$((pass + 1))
		rm -rf "$work"
	fi
done
if [ "$n" = 0 ]; then
	echo "FAIL fuzz: no fuzz_* target in $dir (make fuzz-build)"
	fail=1
fi
echo "fuzz ($dir): $pass passed, $fail failed, 0 skipped"
[ -n "${BBT_COUNTS:-}" ] && echo "fuzz:$dir $pass $fail 0" >>"$BBT_COUNTS"
[ "$fail" = 0 ]
