#!/bin/sh
# Run every tests/integration/*.sh against the real binaries in $BBT_BUILD.
# Each script gets a fresh $BBT_TMP and exits non-zero on failure; its log
# is printed only when it fails (tmux's regress style). Run one alone:
#   BBT_BUILD=$PWD/build tests/integration/agent_replay.sh
: "${BBT_BUILD:=$(pwd)/build}"; export BBT_BUILD
only=${1:-}
fail=0; n=0
for t in tests/integration/*.sh; do
	case "$t" in *"$only"*) ;; *) continue ;; esac
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
