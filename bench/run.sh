#!/bin/sh
# `make bench`: run every bench/*.sh (other than this one) against the
# binaries in $BBT_BUILD. Benchmarks print figures (and ratios against a
# limit measured in the same run), not pass/fail; a script that fails to
# run at all is reported and makes the whole run fail.
# A script with the line "# bench: also on PostgreSQL" reads BBT_TEST_DB
# and is run a second time under tests/pg/cluster.sh (BBT_TEST_DB=pg), so
# `make bench` prints its figures for both backends (issue 12). Scripts
# that start a cluster themselves (points*.sh) have no such line.
# BENCH_ONLY="heartbeat server-ingest": only those scripts.
: "${BBT_BUILD:=$(pwd)/build}"; export BBT_BUILD
dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$dir/.." && pwd)
fail=0
# one NAME SCRIPT [WRAPPER...]: run SCRIPT (under WRAPPER) as bench NAME.
one() {
	_name=$1; _script=$2; shift 2
	echo "== $_name"
	BBT_TMP=$(mktemp -d /tmp/bbt-bench.XXXXXX); export BBT_TMP
	if (cd "$root" && "$@" sh "$_script"); then
		rm -rf "$BBT_TMP"
	else
		echo "bench $_name failed to run (files kept in $BBT_TMP)"
		fail=$((fail + 1))
	fi
}
for b in "$dir"/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	case " ${BENCH_ONLY:-$(basename "$b" .sh)} " in
	*" $(basename "$b" .sh) "*) ;;
	*) continue ;;
	esac
	one "$(basename "$b" .sh)" "$b" env
	grep -q '^# bench: also on PostgreSQL' "$b" &&
		one "$(basename "$b" .sh) (PostgreSQL)" "$b" tests/pg/cluster.sh env BBT_TEST_DB=pg
done
[ "$fail" = 0 ]
