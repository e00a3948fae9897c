#!/bin/sh
# Pruning of acknowledged sessions does not trust the wall clock
# (agent/store.c prune, issue 11): three sessions acknowledged now are all
# still shown by `sessions` after the clock steps 200 days ahead (faketime),
# while a session acknowledged 181 days before the newest acknowledgement
# is still pruned.
set -u
AG="$BBT_BUILD/bbt-agent"
T="$BBT_TMP"
GEN="$(dirname "$0")/../gen/gen-lessons.py"
fail() { echo "FAIL: $*"; exit 1; }
command -v faketime >/dev/null || fail "faketime is not installed (make deps)"
unset BBT_AGENT_CONFIG
: > "$T/agent.conf"
ag() { "$AG" --config "$T/agent.conf" --state-dir "$T/st" "$@"; }
sql() { sqlite3 -batch -noheader "$T/st/buffer.db" "$1"; }

python3 "$GEN" --seed 7 day "$T/day" || fail "generator"
ag replay --start 2026-11-23T08:00:00+08:00 "$T/day/touch.events" >/dev/null 2>"$T/err" ||
	{ cat "$T/err"; fail "replay"; }
sql "UPDATE sessions SET acked_at = strftime('%s','now')"
[ "$(sql 'SELECT count(*) FROM sessions')" = 3 ] || fail "want 3 acked sessions"

FT="env FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f +200d"
$FT "$AG" --config "$T/agent.conf" --state-dir "$T/st" sessions --json >"$T/out" 2>"$T/err" ||
	{ cat "$T/err"; fail "sessions under faketime"; }
n=$(wc -l <"$T/out")
[ "$n" = 3 ] || { cat "$T/err"; fail "after a clock step of +200 d, sessions shows $n of 3"; }
[ "$(sql 'SELECT count(*) FROM sessions')" = 3 ] || fail "the buffer lost sessions"
echo "ok: a +200 d clock step prunes nothing (3 of 3 shown)"

# Real age still prunes: one acked 181 days before the newest ack.
sql "UPDATE sessions SET acked_at = acked_at - 181*86400 WHERE rowid = 1"
ag sessions --json >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "sessions"; }
[ "$(wc -l <"$T/out")" = 2 ] || fail "a session acked 181 days ago was not pruned"
echo "ok: a session acknowledged 181 days before the newest is pruned"
