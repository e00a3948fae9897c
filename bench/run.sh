#!/bin/sh
# `make bench`: run every bench/*.sh (other than this one) against the
# binaries in $BBT_BUILD. Benchmarks print figures (and ratios against a
# limit measured in the same run), not pass/fail; a script that fails to
# run at all is reported and makes the whole run fail.
: "${BBT_BUILD:=$(pwd)/build}"; export BBT_BUILD
dir=$(cd "$(dirname "$0")" && pwd)
fail=0
for b in "$dir"/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo "== $(basename "$b" .sh)"
	BBT_TMP=$(mktemp -d /tmp/bbt-bench.XXXXXX); export BBT_TMP
	if sh "$b"; then
		rm -rf "$BBT_TMP"
	else
		echo "bench $(basename "$b") failed to run (files kept in $BBT_TMP)"
		fail=$((fail + 1))
	fi
done
[ "$fail" = 0 ]
