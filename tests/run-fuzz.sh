#!/bin/sh
# Run every libFuzzer target in DIR for SECONDS each, seeded from
# tests/fuzz/corpus/<target>/ (copied, so runs do not grow the repo).
dir=${1:?usage: run-fuzz.sh DIR SECONDS}; secs=${2:-10}
fail=0
for t in "$dir"/fuzz_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	work=$(mktemp -d); mkdir -p "$work/corpus"
	[ -d "tests/fuzz/corpus/$n" ] && cp -r "tests/fuzz/corpus/$n/." "$work/corpus/"
	if "$t" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 \
		-artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1; then
		echo "PASS fuzz $n ($(grep -o 'Done [0-9]* runs' "$work/log" | tail -1))"
		rm -rf "$work"
	else
		echo "FAIL fuzz $n: log and crash input kept in $work"; tail -30 "$work/log"
		fail=1
	fi
done
[ "$fail" = 0 ]
