#!/bin/sh
# Detector and store throughput: a generated school week (tests/gen/
# gen-lessons.py: five days of IR-frame and keyboard input) replayed with
# `bbt-agent replay`, which parses the evemu files, feeds the detector and
# stores the sessions in a fresh SQLite buffer. The limit beside it is
# issue 2's bar: one school day in well under a second. Figures only.
set -eu
: "${BBT_BUILD:?}" "${BBT_TMP:=$(mktemp -d)}"
gen="$(dirname "$0")/../tests/gen/gen-lessons.py"
python3 "$gen" week "$BBT_TMP/week" >/dev/null
events=$(cat "$BBT_TMP/week"/*.events | grep -c '^E:')
bytes=$(cat "$BBT_TMP/week"/*.events | wc -c)
t0=$(date +%s%N)
"$BBT_BUILD/bbt-agent" --state-dir "$BBT_TMP/state" replay \
	--start 2026-11-23T08:00:00+08:00 "$BBT_TMP/week"/*.events >"$BBT_TMP/out" 2>&1
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
sessions=$(grep -c '"id"' "$BBT_TMP/out" || true)
echo "a school week: $events events ($((bytes / 1024)) KiB of evemu text), $sessions sessions"
echo "replay (parse + detect + store): ${ms} ms, $(( events * 1000 / (ms > 0 ? ms : 1) )) events/s"
echo "limit: one school day well under 1000 ms; measured per day: $((ms / 5)) ms"
