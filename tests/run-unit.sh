#!/bin/sh
# Run every cmocka test binary in DIR; print PASS/FAIL/SKIP per binary and
# keep the output only of those that failed (its path is printed).
#  - Sanitizer reports are fatal (UBSAN_OPTIONS halt_on_error) and a binary
#    whose output holds one fails even if it exited 0.
#  - A cmocka skip() is counted as skipped, and is a failure when BBT_CI=1
#    (.ci/run) or when run as root (CI can run everything).
#  - No binary in DIR is a failure: a build that made nothing ran nothing.
# Counts: stdout, and appended to $BBT_COUNTS (if set) as
# "unit:DIR PASSED FAILED SKIPPED" for make test's closing line.
dir=${1:?usage: run-unit.sh DIR}
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}halt_on_error=1"
export UBSAN_OPTIONS ASAN_OPTIONS
strict=0
{ [ "${BBT_CI:-0}" = 1 ] || [ "$(id -u)" = 0 ]; } && strict=1
SANRE='ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error: |SUMMARY: (Undefined|Address|Leak|Thread)'
logs=$(mktemp -d "${TMPDIR:-/tmp}/bbt-unit.XXXXXX")
pass=0; fail=0; skip=0; n=0
for t in "$dir"/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	n=$((n + 1))
	name=$(basename "$t"); log="$logs/$name.log"
	"$t" >"$log" 2>&1
	rc=$?
	# cmocka lists each skipped test once as it runs and once in the summary.
	ns=$(grep -E '^\[  SKIPPED \] ' "$log" | grep -v 'test(s)' | sort -u | wc -l)
	if [ "$rc" != 0 ] || grep -qE "$SANRE" "$log"; then
		echo "FAIL unit $name (exit $rc), output kept in $log:"; tail -40 "$log"
		fail=$((fail + 1))
	elif [ "$ns" -gt 0 ] && [ "$strict" = 1 ]; then
		echo "FAIL unit $name: $ns test(s) skipped on CI or as root, where all must run:"
		grep -E '^\[  SKIPPED \] ' "$log" | grep -v 'test(s)' | sort -u
		echo "  output kept in $log"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
		skip=$((skip + ns))
		if [ "$ns" -gt 0 ]; then
			echo "PASS unit $name ($ns test(s) SKIPPED: see $log)"
		else
			echo "PASS unit $name"; rm -f "$log"
		fi
	fi
done
if [ "$n" = 0 ]; then
	echo "FAIL unit: no test binary in $dir"
	fail=1
fi
rmdir "$logs" 2>/dev/null
echo "unit ($dir): $pass passed, $fail failed, $skip skipped"
[ -n "${BBT_COUNTS:-}" ] && echo "unit:$dir $pass $fail $skip" >>"$BBT_COUNTS"
[ "$fail" = 0 ]
