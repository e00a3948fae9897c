#!/bin/sh
# `bbt-agent replay` through the real binary (agent/cmd_replay.c, evemu.c,
# detector.c, store.c): a generated school day (tests/gen/gen-lessons.py:
# an IR frame with lessons, breaks, a 10-minute use, ghost touches, and a
# keyboard with a book on it) must give exactly the sessions of the
# generator's plan (start, end, touches, active_minutes, flags), printed as
# CONTRACT 4.3 lines in --start's offset and stored (sessions --json shows the
# same ids); a recording with a bad line fails naming file:line; usage
# errors exit 2. Prints how long the day took to replay (not asserted).
set -u
AG="$BBT_BUILD/bbt-agent"
T="$BBT_TMP"
GEN="$(dirname "$0")/../gen/gen-lessons.py"
fail() { echo "FAIL: $*"; exit 1; }
unset BBT_AGENT_CONFIG
: > "$T/agent.conf"

python3 "$GEN" --seed 7 day "$T/day" || fail "generator"
t0=$(date +%s%N)
"$AG" --config "$T/agent.conf" --state-dir "$T/st" replay \
	--start 2026-11-23T08:00:00+08:00 "$T/day/touch.events" "$T/day/keyboard.events" \
	> "$T/out" 2> "$T/err" || { cat "$T/err"; fail "replay exit $?"; }
t1=$(date +%s%N)
echo "school day replayed in $(( (t1 - t0) / 1000000 )) ms" \
	"($(wc -l < "$T/day/touch.events") + $(wc -l < "$T/day/keyboard.events") lines)"
cat "$T/out"

python3 - "$T/out" "$T/day/expected.jsonl" <<'EOF' || fail "sessions differ from the plan"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
want = [json.loads(l) for l in open(sys.argv[2])]
assert len(want) == 3, "plan must hold three lessons, has %d" % len(want)
assert len(got) == len(want), "got %d sessions, want %d" % (len(got), len(want))
for g, w in zip(got, want):
    for k in ("start", "end", "duration_s", "touches", "active_minutes", "flags"):
        assert g[k] == w[k], "%s: got %r want %r" % (k, g[k], w[k])
    assert g["input"] == {"name": "IRTOUCH Infrared Touch", "vid": "6615", "pid": "0070"}
    assert g["teacher"] is None
    assert len(g["id"]) == 36 and g["id"][14] == "4", g["id"]
assert got[1]["flags"] == ["stuck_contact"]
print("plan matched")
EOF

# Stored as run stores them: the same ids, in the buffer.
"$AG" --config "$T/agent.conf" --state-dir "$T/st" sessions --json > "$T/stored" ||
	fail "sessions --json exit $?"
python3 - "$T/out" "$T/stored" <<'EOF' || fail "stored sessions differ"
import json, sys
got = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[1])}
st = {}
for l in open(sys.argv[2]):
    o = json.loads(l)
    st[o["id"]] = o
assert set(got) == set(st), (sorted(got), sorted(st))
for i, g in got.items():
    for k in ("start", "end", "duration_s", "touches", "active_minutes", "flags"):
        assert st[i][k] == g[k], (k, st[i][k], g[k])
EOF
[ "$(stat -c %a "$T/st/"*.db 2>/dev/null | head -1)" = 600 ] || fail "buffer not mode 0600"

# --start's offset is the printed offset, and time 0 is --start.
"$AG" --config "$T/agent.conf" --state-dir "$T/st2" replay --start 2026-11-23T00:00:05Z \
	"$T/day/touch.events" > "$T/out2" 2> "$T/err" || { cat "$T/err"; fail "replay Z"; }
head -1 "$T/out2" | grep -q '"start":"2026-11-23T00:00:10Z"' ||
	head -1 "$T/out2" | grep -q '"start":"2026-11-23T00:00:10+00:00"' ||
	{ cat "$T/out2"; fail "start not shifted by --start / offset not --start's"; }

# A bad event line: an error naming file and line, nothing stored.
printf '# EVEMU 1.3\nN: x # y\nI: 0003 6615 0070 0110\nE: 0.000000 0002 0000 1\nE: 1.0 0002 zz 1\n' \
	> "$T/bad.events"
"$AG" --config "$T/agent.conf" --state-dir "$T/st3" replay --start 2026-11-23T08:00:00+08:00 \
	"$T/bad.events" > "$T/out3" 2> "$T/err" && fail "bad recording accepted"
grep -q "bad.events:5: bad event line" "$T/err" || { cat "$T/err"; fail "error must name file:line"; }
[ -s "$T/out3" ] && fail "printed sessions from a bad recording"

# A frame whose firmware names it with an escape sequence and a Latin-1
# byte: the record carries a clean name (the collector would refuse the raw
# one, CONTRACT 5.3, and the lesson with it).
python3 - "$T/day/touch.events" "$T/dirty.events" <<'EOF'
import sys
src = open(sys.argv[1], "rb").read().split(b"\n")
out = [b"N: IR\x1b[0mTouch Caf\xe9" if l.startswith(b"N:") else l for l in src]
open(sys.argv[2], "wb").write(b"\n".join(out))
EOF
"$AG" --config "$T/agent.conf" --state-dir "$T/st4" replay --start 2026-11-23T08:00:00+08:00 \
	"$T/dirty.events" > "$T/out4" 2> "$T/err" || { cat "$T/err"; fail "replay dirty name"; }
python3 -c 'import json, sys
names = {json.loads(l)["input"]["name"] for l in open(sys.argv[1])}
assert names == {"IR?[0mTouch Caf?"}, names' "$T/out4" || fail "device name not cleaned"

# Usage errors.
"$AG" --config "$T/agent.conf" --state-dir "$T/st3" replay "$T/day/touch.events" 2>/dev/null
[ $? = 2 ] || fail "missing --start: exit not 2"
"$AG" --config "$T/agent.conf" --state-dir "$T/st3" replay --start yesterday \
	"$T/day/touch.events" 2>/dev/null
[ $? = 2 ] || fail "bad --start: exit not 2"
echo "agent_replay: ok"
