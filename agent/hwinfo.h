/*
 * hwinfo: the joined view of input hardware for `bbt-agent devices` and the
 * heartbeat's "devices".
 *
 * Each evdev input device (classified by platform_input_list, the one
 * classifier of the agent) is matched through sysfs to the USB device it
 * hangs off (the nearest ancestor with idVendor/busnum/devnum), named from
 * the vendor table (usbdb) and given its kernel driver. USB devices seen by
 * libusb that are in the vendor table or have HID interfaces but own no
 * input node are listed too: a frame that is plugged in but has no driver
 * bound is exactly what an installer needs to see. A direct multitouch
 * device missing from the table is "unknown touch device" with its ids, so a
 * new brand is still recognised (and watched) before anyone adds it.
 */
#ifndef HWINFO_H
#define HWINFO_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "bbt_error.h"
#include "platform.h"
#include "usbdb.h"

struct hwinfo_device {
	int has_input;			/* 0: a USB device without an input node */
	struct platform_input in;	/* valid when has_input */
	int has_usb;
	unsigned busnum, devnum;
	char usb_port[40];		/* sysfs name, "1-2.3" */
	char vid[5], pid[5];		/* 4 lowercase hex, from USB or input id */
	char driver[64];		/* kernel driver bound to it, "" if none */
	char usb_class[24];		/* usb_class_name(), USB-only entries */
	const struct usbdb_entry *db;	/* vendor table entry or NULL */
	char label[128];		/* maker and product, for people */
	int touch;			/* touchscreen or pen */
	int unknown_touch;		/* touch device not in the vendor table */
	int watched;			/* run reads its events */
};

/* Collect the joined view; *out malloc'ed (free()), NULL when *n is 0. */
int hwinfo_collect(struct hwinfo_device **out, size_t *n, struct bbt_error *e);
/* The view as a JSON array (for `devices --json` and the heartbeat). */
cJSON *hwinfo_to_json(const struct hwinfo_device *devs, size_t n);
/* Collect and convert in one call; NULL on error (e filled). */
cJSON *hwinfo_json(struct bbt_error *e);
/* Maker from the vendor table for "6615","0070", or NULL when unknown. */
const char *hwinfo_maker(const char *vid, const char *pid);

#endif
