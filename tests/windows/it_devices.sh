#!/bin/sh
# it_devices: `bbt-agent.exe devices` under wine lists what Raw Input
# enumerates (wine has one virtual mouse and one keyboard, HID#VID_845E),
# classified, with VID:PID read from the device path, exit 0; --json is
# the array the heartbeat sends. The classifier on real touch frames'
# paths is tested in win_platform (test_ids_from_path).
# Run by tests/windows/run.sh (WINEPREFIX, BBT_WIN, BBT_TMP set).
set -u
d=$BBT_TMP/devices
mkdir -p "$d"
fail() { echo "FAIL: $*"; cat "$d"/*.out 2>/dev/null; exit 1; }
wine "$BBT_WIN/bbt-agent.exe" devices >"$d/table.out" 2>&1 || fail "devices exit $?"
grep -q '^NODE .*VID:PID' "$d/table.out" || fail "no table header"
grep -Eq '845e:0001 +mouse .* yes ' "$d/table.out" || fail "mouse not listed as watched"
grep -Eq '845e:0002 +keyboard .* yes ' "$d/table.out" || fail "keyboard not listed as watched"
wine "$BBT_WIN/bbt-agent.exe" devices --json >"$d/json.out" 2>&1 || fail "devices --json"
python3 - "$d/json.out" <<'PY' || fail "json"
import json, sys
a = json.load(open(sys.argv[1]))
kinds = {c for d in a for c in d["classes"]}
assert {"mouse", "keyboard"} <= kinds, kinds
assert all(d["vid"] == "845e" and not d["touch"] for d in a), a
PY
echo "ok: devices lists wine's mouse and keyboard"
