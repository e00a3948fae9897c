#!/bin/sh
# Planted bugs: each mutant below is a one-line change to a core behaviour
# that some test must catch. For each, this script changes the line in a
# private copy of the tree (build/mutant/src; the checkout is never
# touched), rebuilds there (build/mutant/build, build/mutant/fuzz),
# runs the mutant's tests through the ordinary runners, puts the line back
# (a trap does it even on ^C) and prints which test caught it. Before the
# mutants, every listed test runs once on the unchanged copy: a test that
# fails there would "catch" anything, so the run stops.
#
#   make test-mutants                       all of them (4 to 8 minutes)
#   make test-mutants MUTANTS=weekly-cap,sig   some (names from the table)
#   MUTANT_BASELINE=0 tests/mutants.sh ...  skip the baseline run
#
# Exit 0 only if every mutant applied and was caught. Not part of make
# test: it rebuilds once per mutant.
#
# Tests: unit:NAME (a cmocka binary, through run-unit.sh), it:SCRIPT
# (tests/integration/SCRIPT.sh, through run-integration.sh), ci:SCRIPT (the
# same with BBT_CI=1, as .ci/run), fuzz:TARGET (the libFuzzer target for
# MUTANT_FUZZ_SECONDS, default 20, through run-fuzz.sh), san:SCRIPT (the
# script against an ASan+UBSan build, build/mutant/san).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
W="$top/build/mutant"; SRC="$W/src"; MB="$W/build"; FB="$W/fuzz"; SB="$W/san"
LOGS="$W/logs"
FUZZ_S=${MUTANT_FUZZ_SECONDS:-20}

# name @@ file @@ the line's text as it is @@ what it becomes @@ tests
# One mutant per line; the text must occur exactly once in the file.
TABLE=$(cat <<'EOF'
detector-15min @@ agent/detector.c @@ if (s.end_us - s.start_us < sec_us(d->set.min_session)) @@ if (s.end_us - s.start_us <= sec_us(d->set.min_session)) @@ unit:agent_detector it:agent_run_lesson
weekly-cap @@ server/points.c @@ credited >= r->max_per_week) @@ credited > r->max_per_week) @@ unit:server_points it:server_points
duplicate @@ server/db_sqlite.c @@ *inserted = sqlite3_changes(db_sq(db)->h) == 1; @@ *inserted = 1; @@ unit:server_ingest it:server_sessions it:bundle_http it:server_agent
verify-80 @@ server/verify.c @@ *covered_s * 5 >= slot * 4) @@ *covered_s * 5 > slot * 4) @@ unit:server_verify it:server_verify
outbox-ack @@ agent/store.c @@ " AND acked_at IS NULL", &ack, e) < 0 || @@ " OR acked_at IS NULL", &ack, e) < 0 || @@ unit:agent_store it:sync_basic it:sync_faults
resend @@ agent/sync.c @@ ret = send_batch(p, s + h, lines + h, n - h, acked, e); @@ ret = send_batch(p, s, lines, n - h, acked, e); @@ unit:agent_sync it:sync_basic it:sync_faults
signature @@ common/bbt_ed25519.c @@ if (ok != 1) { @@ if (ok < 0) { @@ unit:common_ed25519 unit:common_bundle it:bundle_import
overflow @@ agent/evemu.c @@ memcpy(line, buf + pos, n); @@ memcpy(line, buf + pos, n + 1); @@ unit:agent_evemu it:agent_replay fuzz:fuzz_agent_evemu
ub-overflow @@ agent/evemu.c @@ if (sec > EVEMU_MAX_SEC) @@ if (sec < 0) @@ unit:agent_evemu fuzz:fuzz_agent_evemu
skipped @@ tests/integration/server_stats.sh @@ . tests/server/lib.sh @@ . tests/server/lib.sh; echo "planted: cannot run here (skipped)"; exit 77 @@ ci:server_stats
leak @@ server/api_device.c @@ metrics_sessions(b.accepted, b.duplicate, b.rejected); @@ metrics_sessions(b.accepted, b.duplicate, b.rejected); { char *volatile lk = malloc(100); (void)lk; } @@ it:server_limits san:server_limits
revocation @@ server/db_sqlite.c @@ "AND revoked_at IS NULL", token_hash @@ "AND 1", token_hash @@ it:server_revoke
quarantine @@ agent/store.c @@ sqlite3_stmt *q = o->rejected ? put : release; @@ sqlite3_stmt *q = release; @@ unit:agent_store it:sync_clock_ahead
future-time @@ server/ingest.c @@ if (clk->offset <= INGEST_CLOCK_MIN_S) { @@ if (1) { @@ unit:server_ingest it:sync_clock_ahead
EOF
)

names() { echo "$TABLE" | sed 's/ @@ .*//'; }
field() { echo "$TABLE" | awk -F ' @@ ' -v n="$1" -v f="$2" '$1 == n { print $f }'; }

# --check: only that each mutant's text occurs exactly once in its file
# (make style runs it, so a change to a line a mutant plants into fails
# there, not months later in a make test-mutants nobody ran).
if [ "${1:-}" = --check ]; then
	bad=0
	for n in $(names); do
		c=$(grep -cF -- "$(field "$n" 3)" "$(field "$n" 2)")
		[ "$c" = 1 ] && continue
		echo "mutants: $n: its text occurs $c times in $(field "$n" 2) (must be once)"
		bad=1
	done
	exit $bad
fi

want=$*
for n in $want; do
	names | grep -qx "$n" || { echo "mutants: no mutant $n (have: $(names | tr '\n' ' '))"; exit 2; }
done
[ -n "$want" ] || want=$(names)

# The private copy: the files git knows plus uncommitted ones, copied only
# when they differ (so make rebuilds only what changed), stale ones removed.
mkdir -p "$SRC" "$LOGS"
git ls-files -co --exclude-standard | grep -v '^build/' >"$W/files"
while read -r f; do
	[ -f "$f" ] || continue
	cmp -s "$f" "$SRC/$f" 2>/dev/null && continue
	mkdir -p "$SRC/$(dirname "$f")"; cp -p "$f" "$SRC/$f"; touch "$SRC/$f"
done <"$W/files"
(cd "$SRC" && find . -type f | sed 's|^\./||') | sort >"$W/have"
sort "$W/files" | comm -23 "$W/have" - | while read -r f; do rm -f "$SRC/$f"; done

MUT_FILE=
restore() {
	[ -n "$MUT_FILE" ] && cp "$top/$MUT_FILE" "$SRC/$MUT_FILE" && touch "$SRC/$MUT_FILE"
	MUT_FILE=
}
trap 'restore' EXIT
trap 'restore; echo "mutants: interrupted, $SRC restored"; exit 130' INT TERM HUP

build() {
	log=$1; shift
	(cd "$SRC" && make -j2 --no-print-directory BUILD="$MB" all sync-tests "$@" \
		&& { [ "$need_fuzz" = 0 ] || make --no-print-directory FUZZ_BUILD="$FB" fuzz-build; } \
		&& { [ "$need_san" = 0 ] || make -j2 --no-print-directory BUILD="$SB" SAN=1 CC=clang \
			all sync-tests; }) \
		>"$log" 2>&1
}

# run_test TEST LOG: 0 if the test passed.
run_test() {
	kind=${1%%:*}; what=${1#*:}
	rm -rf "$W/tmp"; mkdir -p "$W/tmp"
	(
		cd "$SRC" || exit 1
		unset BBT_COUNTS
		TMPDIR="$W/tmp"; export TMPDIR
		case $kind in
		unit) d=$(mktemp -d); ln -s "$MB/tests/$what" "$d/$what"
			tests/run-unit.sh "$d"; rc=$?; rm -rf "$d"; exit $rc ;;
		it) BBT_BUILD="$MB" tests/run-integration.sh "$what.sh" ;;
		ci) BBT_CI=1 BBT_BUILD="$MB" tests/run-integration.sh "$what.sh" ;;
		san) BBT_BUILD="$SB" tests/run-integration.sh "$what.sh" ;;
		fuzz) d=$(mktemp -d); ln -s "$FB/$what" "$d/$what"
			tests/run-fuzz.sh "$d" "$FUZZ_S"; rc=$?; rm -rf "$d"; exit $rc ;;
		*) echo "unknown test kind $kind"; exit 2 ;;
		esac
	) >"$2" 2>&1
	rc=$?
	# What the runners kept of a failure is in the log already.
	rm -rf "$W/tmp"
	return $rc
}

units_of() { for t in $1; do case $t in unit:*) printf '%s ' "$MB/tests/${t#unit:}" ;; esac; done; }
fuzz_in() { case " $1" in *" fuzz:"*) echo 1 ;; *) echo 0 ;; esac; }
san_in() { case " $1" in *" san:"*) echo 1 ;; *) echo 0 ;; esac; }

alltests=$(for n in $want; do field "$n" 5 | tr ' ' '\n'; done | sort -u | tr '\n' ' ')
if [ "${MUTANT_BASELINE:-1}" != 0 ]; then
	need_fuzz=$(fuzz_in "$alltests"); need_san=$(san_in "$alltests")
	echo "mutants: baseline build and run of: $alltests"
	build "$LOGS/baseline.build" $(units_of "$alltests") ||
		{ tail -30 "$LOGS/baseline.build"; echo "mutants: the unchanged tree does not build"; exit 1; }
	for t in $alltests; do
		run_test "$t" "$LOGS/baseline.$(echo "$t" | tr : _)" || {
			tail -30 "$LOGS/baseline.$(echo "$t" | tr : _)"
			echo "mutants: $t fails on the unchanged tree; it cannot judge a mutant"; exit 1; }
	done
fi

bad=0; report=""
for n in $want; do
	file=$(field "$n" 2); from=$(field "$n" 3); to=$(field "$n" 4); tests=$(field "$n" 5)
	need_fuzz=$(fuzz_in "$tests"); need_san=$(san_in "$tests")
	MUT_FILE=$file
	if ! python3 - "$SRC/$file" "$from" "$to" <<'PY'
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if text.count(old) != 1:
    sys.exit("%d occurrences" % text.count(old))
open(path, "w").write(text.replace(old, new))
PY
	then
		restore
		echo "NOT APPLIED $n: '$from' is not once in $file (the code moved: update the table)"
		report="$report$n: NOT APPLIED\n"; bad=1; continue
	fi
	printf '%s: %s\n  - %s\n  + %s\n' "$n" "$file" "$from" "$to"
	start=$(date +%s)
	if ! build "$LOGS/$n.build" $(units_of "$tests"); then
		# A mutant that does not compile proves nothing about the tests.
		restore
		tail -20 "$LOGS/$n.build"
		echo "NOT BUILT $n (log: $LOGS/$n.build)"
		report="$report$n: DOES NOT BUILD\n"; bad=1; continue
	fi
	caught=""; missed=""
	for t in $tests; do
		log="$LOGS/$n.$(echo "$t" | tr : _)"
		if run_test "$t" "$log"; then
			missed="$missed $t"
		else
			caught="$caught $t"
			echo "  caught by $t: $(grep -m1 -E '^(FAIL|TIMEOUT)' "$log" | cut -c1-150)"
		fi
	done
	restore
	took=$(( $(date +%s) - start ))
	if [ -n "$caught" ]; then
		echo "  CAUGHT ($took s) by:$caught${missed:+; not by:$missed}"
		report="$report$n: caught by$caught${missed:+ (not by$missed)}\n"
	else
		echo "  SURVIVED ($took s): no test failed of$missed (logs: $LOGS/$n.*)"
		report="$report$n: SURVIVED$missed\n"; bad=1
	fi
done
trap - EXIT
# Leave the copy's objects built from the real sources.
echo
echo "mutants:"
printf '%b' "$report" | sed 's/^/  /'
if [ "$bad" = 0 ]; then echo "mutants: all caught"; else echo "mutants: some not caught or not applied"; fi
exit $bad
