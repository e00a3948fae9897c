#!/bin/sh
# usb_run_replay: a recorded lesson on the IRTOUCH frame (tests/data/usb/
# irtouch-lesson.evemu, 12 strokes over 6 s) replayed through a mocked
# /dev/input/event5 (tests/data/usb/irtouch-frame.umockdev: USB device, HID
# interface, hid-multitouch, input and event nodes) into `bbt-agent run`:
# the stored session names the input as the probe saw it, with the frame's
# ids, and counts the 12 touches. Short detector settings keep it to seconds.
# Covers: agent/platform_linux.c (probe), agent/cmd_run.c, with this
# module's device description.
set -eu
d=tests/data/usb
agent=$BBT_BUILD/bbt-agent
state=$BBT_TMP/state
conf=$BBT_TMP/agent.conf
mkdir -p "$state"
printf '[detector]\nidle_gap = 2\nmin_session = 3\nstuck_contact = 120\n' >"$conf"

umockdev-run -d $d/irtouch-frame.umockdev -e /dev/input/event5=$d/irtouch-lesson.evemu -- \
	"$agent" --config "$conf" --state-dir "$state" run >"$BBT_TMP/run.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT

# The lesson lasts 6 s and the session closes 2 s after it; the deadline is
# a hang guard, not a speed test.
i=0
while ! grep -q 'session .* logged' "$BBT_TMP/run.log"; do
	kill -0 $pid 2>/dev/null || { cat "$BBT_TMP/run.log"; echo "FAIL: the agent exited early"; exit 1; }
	[ $i -lt 60 ] || { cat "$BBT_TMP/run.log"; echo "FAIL: no session logged in 60 s"; exit 1; }
	sleep 1; i=$((i + 1))
done
kill -TERM $pid
st=0; wait $pid || st=$?
trap - EXIT
# SIGTERM is a clean stop (CONTRACT 4.2): the agent closes the session and exits 0.
[ "$st" = 0 ] || { cat "$BBT_TMP/run.log"; echo "FAIL: the agent exited $st on SIGTERM"; exit 1; }
"$agent" --config "$conf" --state-dir "$state" sessions --json >"$BBT_TMP/s.json"
cat "$BBT_TMP/run.log"; cat "$BBT_TMP/s.json"
python3 - "$BBT_TMP/s.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read().strip()
rows = json.loads(text) if text.startswith("[") else [json.loads(l) for l in text.splitlines()]
assert len(rows) == 1, rows
s = rows[0]
assert s["input"] == {"name": "IRTOUCH Infrared Touch", "vid": "6615", "pid": "0070"}, s["input"]
assert s["touches"] == 12, s["touches"]
assert 5 <= s["duration_s"] <= 7, s["duration_s"]
PY
echo "usb_run_replay: ok"
