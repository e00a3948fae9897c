#!/bin/sh
# The bbt-agent command line (issue 10, item 8): every command listed by
# --help answers --help on stdout with exit 0 (without reading a config:
# `enroll --help` works on a machine whose config is broken), and an unknown
# flag with exit 2 and a message naming it. One convention with bbt-server:
# 0 ok, 1 failure, 2 usage (or configuration) error. Covers agent/main.c and
# the parsing in agent/cmd_*.c.
set -eu
A=$BBT_BUILD/bbt-agent; T=$BBT_TMP
fail() { echo "FAIL: $*"; exit 1; }
printf '[server]\nurl = http://127.0.0.1:9/\n' > "$T/agent.conf"
printf '[detector]\nmin_session = soon\n' > "$T/broken.conf"
ag() { "$A" --config "$T/agent.conf" --state-dir "$T/state" "$@"; }

"$A" --help > "$T/help" || fail "--help exit status"
sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' "$T/help" | sort -u > "$T/commands"
for want in run replay enroll sync export status sessions devices; do
	grep -qx "$want" "$T/commands" || fail "'$want' not found in bbt-agent --help"
done
n=0
while read -r c; do
	for h in --help -h; do
		"$A" --config "$T/broken.conf" --state-dir "$T/state" "$c" "$h" > "$T/out" 2> "$T/err" ||
			fail "'$c $h' exit $? ($(cat "$T/err"))"
		grep -q "^usage: bbt-agent" "$T/out" || fail "'$c $h' printed no usage on stdout"
		[ -s "$T/err" ] && fail "'$c $h' wrote to stderr: $(cat "$T/err")"
	done
	rc=0; ag "$c" --no-such-flag > "$T/out" 2> "$T/err" || rc=$?
	[ "$rc" = 2 ] || fail "'$c --no-such-flag' exit $rc, want 2"
	grep -q -- "--no-such-flag" "$T/err" || fail "'$c --no-such-flag': flag not named"
	grep -q "^usage: bbt-agent" "$T/err" || fail "'$c --no-such-flag': no usage on stderr"
	n=$((n + 1))
done < "$T/commands"
[ ! -e "$T/state" ] || fail "--help or a bad flag created the state dir"
echo "$n commands: --help 0, unknown flag 2"

# Stray arguments are usage errors too, never ignored.
for c in run sync enroll devices status; do
	rc=0; ag "$c" stray > /dev/null 2> "$T/err" || rc=$?
	[ "$rc" = 2 ] || fail "'$c stray' exit $rc, want 2"
done
rc=0; ag frobnicate > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q frobnicate "$T/err" || fail "unknown command: exit $rc"
rc=0; "$A" --no-such-global status > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q -- --no-such-global "$T/err" || fail "unknown global flag: exit $rc"
# A failure (nothing to export into) is 1, not 2.
rc=0; ag export --out "$T/no-such-dir" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] || fail "export to a missing dir: exit $rc, want 1"
echo "agent cli: ok"
