#!/bin/sh
# Run every cmocka test binary in DIR; print PASS/FAIL per binary and keep
# the output only of those that failed.
dir=${1:?usage: run-unit.sh DIR}
fail=0; n=0
for t in "$dir"/*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	if out=$("$t" 2>&1); then
		echo "PASS unit $(basename "$t")"
	else
		echo "FAIL unit $(basename "$t")"; echo "$out" | tail -40
		fail=$((fail + 1))
	fi
done
echo "unit ($dir): $n binaries, $fail failed"
[ "$fail" = 0 ]
