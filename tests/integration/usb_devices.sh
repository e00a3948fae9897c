#!/bin/sh
# usb_devices: `bbt-agent devices [--json]` under umockdev with an IRTOUCH IR
# frame (6615:0070), an ILITEK panel (222a:0001), an unknown HID multitouch
# device (2f1a:0101, not in the vendor table), a mouse and a keyboard: each is
# classified, named from firmware-notes/touch-devices.tsv, joined to its USB
# device and driver, and watched; a frame with no input node still shows.
# Covers: agent/hwinfo.c, agent/usbdb.c, agent/usb.c, agent/cmd_devices.c.
set -eu
d=tests/data/usb
agent=$BBT_BUILD/bbt-agent
san=tests/integration/lib/san_exec.sh	# make san under umockdev: see there
run_devices() {
	# --state-dir: devices needs no state, but config loading must not touch /var.
	umockdev-run "$@" -- sh $san "$agent" --state-dir "$BBT_TMP/state" devices --json
}

run_devices -d $d/irtouch-frame.umockdev -d $d/ilitek-panel.umockdev \
	-d $d/unknown-touch.umockdev -d $d/mouse.umockdev -d $d/keyboard.umockdev \
	>"$BBT_TMP/all.json"
cat "$BBT_TMP/all.json"
python3 - "$BBT_TMP/all.json" <<'PY'
import json, sys
devs = json.load(open(sys.argv[1]))
by_node = {d["node"]: d for d in devs}
def check(node, **want):
    d = by_node.get(node)
    assert d is not None, f"{node} missing from {sorted(by_node)}"
    for k, v in want.items():
        assert d[k] == v, f"{node}: {k} = {d[k]!r}, want {v!r}"
    return d
f = check("/dev/input/event5", vid="6615", pid="0070", maker="IRTOUCH Systems",
          kind="ir_frame", classes=["touchscreen"], touch=True, known=True,
          unknown_touch=False, watched=True, driver="hid-multitouch",
          name="IRTOUCH Infrared Touch")
assert f["usb"] == {"bus": 1, "dev": 3, "port": "1-2"}, f["usb"]
check("/dev/input/event6", vid="222a", pid="0001", maker="ILITEK",
      kind="capacitive_panel", classes=["touchscreen"], touch=True, known=True,
      unknown_touch=False, watched=True, driver="hid-multitouch")
u = check("/dev/input/event7", vid="2f1a", pid="0101", maker=None, kind="unknown",
          classes=["touchscreen"], touch=True, known=False, unknown_touch=True,
          watched=True)
assert u["label"].startswith("unknown touch device 2f1a:0101"), u["label"]
check("/dev/input/event8", vid="046d", pid="c077", classes=["mouse"], touch=False,
      unknown_touch=False, watched=True, driver="hid-generic")
check("/dev/input/event9", vid="413c", pid="2113", classes=["keyboard"], touch=False,
      unknown_touch=False, watched=True, driver="hid-generic")
assert len(devs) == 5, f"{len(devs)} entries, want 5 (no USB-only duplicates)"
PY

# The table for people names the frame and flags the unknown panel.
umockdev-run -d $d/irtouch-frame.umockdev -d $d/unknown-touch.umockdev -- \
	sh $san "$agent" --state-dir "$BBT_TMP/state" devices >"$BBT_TMP/table.txt"
cat "$BBT_TMP/table.txt"
grep -q '^/dev/input/event5 .*6615:0070.*hid-multitouch.*yes.*IRTOUCH Systems' "$BBT_TMP/table.txt"
grep -q '^/dev/input/event7 .*unknown touch device 2f1a:0101' "$BBT_TMP/table.txt"

# A frame whose driver is not bound has no input node: libusb still finds it.
awk 'BEGIN { RS = ""; ORS = "\n\n" } !/\/input\/input/' "$d/irtouch-frame.umockdev" \
	>"$BBT_TMP/nodriver.umockdev"
run_devices -d "$BBT_TMP/nodriver.umockdev" >"$BBT_TMP/nodriver.json"
cat "$BBT_TMP/nodriver.json"
python3 - "$BBT_TMP/nodriver.json" <<'PY'
import json, sys
devs = json.load(open(sys.argv[1]))
assert len(devs) == 1, devs
d = devs[0]
assert d["node"] is None and d["vid"] == "6615" and d["pid"] == "0070", d
assert d["maker"] == "IRTOUCH Systems" and d["watched"] is False, d
assert d["usb"]["class"] == "hid", d
PY

# Nothing plugged in: an empty array, exit 0.
run_devices >"$BBT_TMP/none.json"
[ "$(cat "$BBT_TMP/none.json")" = "[]" ]
echo "usb_devices: ok"
