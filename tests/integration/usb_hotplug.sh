#!/bin/sh
# usb_hotplug: agent/usb.c picks up an IR frame plugged in while it listens
# (libusb hotplug callback, and the rescan fallback) and lets it go when it
# is pulled out. The C program (tests/usb/usb_hotplug.c) drives a libumockdev
# testbed and must run under umockdev-wrapper, so it is not a plain unit test.
# Covers: agent/usb.c. Data: tests/data/usb/irtouch-frame.umockdev.
set -eu
bin=$BBT_BUILD/usbtest/usb_hotplug
if [ ! -x "$bin" ]; then
	make --no-print-directory BUILD="$BBT_BUILD" "$bin"
fi
umockdev-wrapper "$bin" tests/data/usb
