#!/bin/sh
# Which devices `run` watches (agent/platform_linux.c, classification from
# sysfs capabilities, docs/agent-run.md): a touch frame, a pen tablet, a
# laptop touchpad, a mouse and a keyboard are watched, each under its
# kind; a power button is not opened at all.
set -u
. "$(dirname "$0")/lib/agent_run.sh"

write_conf 3 5
ev="$BBT_TMP/none.events"; events_header >"$ev"
start_agent "$ev" -d "$DATA/mouse-usb.umockdev" -d "$DATA/keyboard-usb.umockdev" \
	-d "$DATA/touchpad-synaptics.umockdev" -d "$DATA/pen-wacom.umockdev" \
	-d "$DATA/power-button.umockdev"
check() {
	grep -q "input $1: watching \"$2\" \[$3\] ($4)" "$LOG" || fail "$1 ($2) not watched as $4"
	ok "$2 watched as $4"
}
check event10 "IRTOUCH Infrared Touch" 6615:0070 touchscreen
check event11 "Logitech USB Optical Mouse" 046d:c077 mouse
check event12 "Dell KB216 Wired Keyboard" 413c:2113 keyboard
check event14 "SynPS/2 Synaptics TouchPad" 0002:0007 touchpad
check event15 "Wacom Intuos S Pen" 056a:0374 pen
grep -q "event13" "$LOG" && fail "the power button was opened"
grep -q "5 input device(s)" "$LOG" || fail "want exactly 5 devices watched"
ok "power button ignored"
kill -TERM "$AGENT_PID"
wait_exit 10 || fail "agent did not stop"
[ "$AGENT_STATUS" = 0 ] || fail "exit status $AGENT_STATUS"
