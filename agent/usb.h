/*
 * usb: USB discovery with libusb-1.0, read-only.
 *
 * Enumerates USB devices and reads their device and active configuration
 * descriptors (class, HID interfaces and their boot protocols) from what
 * libusb caches at enumeration: no device is ever opened, no interface is
 * claimed and no kernel driver is detached, because taking a touch frame's
 * HID interface from the kernel removes its /dev/input node and touch stops
 * working for the teacher. Activity is read from evdev, never from here.
 *
 * Changes are followed with libusb's hotplug callbacks where the platform
 * has them (LIBUSB_CAP_HAS_HOTPLUG); the callbacks run from
 * usb_handle_events(), whose file descriptors the caller puts in its poll
 * loop (usb_pollfds). Without hotplug the fallback is usb_rescan(): the
 * caller calls it when something else says devices changed (a new or lost
 * /dev/input node, which the run loop watches anyway) and it reports the
 * difference since the last scan through the same callback. Devices whose
 * descriptors cannot be read yet (umockdev issue #173, or a device still
 * settling) are left out of a scan and picked up by the next one.
 */
#ifndef USB_H
#define USB_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"

#define USB_HID_CLASS 0x03
/* Boot interface protocols of HID (HID 1.11, 4.3). */
#define USB_HID_PROTO_KEYBOARD 1
#define USB_HID_PROTO_MOUSE 2

struct usb_info {
	uint8_t busnum;
	uint8_t devnum;
	uint16_t vid;
	uint16_t pid;
	uint8_t dev_class;		/* bDeviceClass; 0 = per interface */
	uint8_t n_interfaces;		/* in the active configuration */
	uint8_t n_hid;			/* HID interfaces among them */
	uint8_t hid_boot_keyboard;	/* a HID interface has protocol 1 */
	uint8_t hid_boot_mouse;		/* a HID interface has protocol 2 */
	char port_path[40];		/* "1-2.3" like sysfs names it */
};

enum usb_event { USB_ARRIVED, USB_LEFT };

typedef void (*usb_event_fn)(enum usb_event ev, const struct usb_info *info, void *arg);

struct usb_ctx;

/* Start libusb. Fails where there is no USB access at all. */
int usb_open(struct usb_ctx **out, struct bbt_error *e);
void usb_close(struct usb_ctx *ctx);

/* All devices present now; *out is malloc'ed (free it), may be NULL with *n = 0. */
int usb_list(struct usb_ctx *ctx, struct usb_info **out, size_t *n, struct bbt_error *e);

/*
 * Follow arrivals and departures: cb is called for devices present at the
 * call too (as USB_ARRIVED). With use_hotplug and LIBUSB_CAP_HAS_HOTPLUG it
 * registers a libusb hotplug callback and returns 1; otherwise (or with
 * use_hotplug 0, which tests the fallback) it returns 0 and the caller must
 * drive usb_rescan() itself. -1 on error.
 */
int usb_watch(struct usb_ctx *ctx, int use_hotplug, usb_event_fn cb, void *arg,
    struct bbt_error *e);
/* Fallback: compare with the last scan and report the changes via cb. */
int usb_rescan(struct usb_ctx *ctx, struct bbt_error *e);
/* Run pending libusb events (hotplug callbacks); timeout_ms 0 = do not wait. */
int usb_handle_events(struct usb_ctx *ctx, int timeout_ms, struct bbt_error *e);
/* libusb's fds for the caller's poll(); returns how many were written (<= max). */
size_t usb_pollfds(struct usb_ctx *ctx, struct pollfd *fds, size_t max);

/* Short words for what the descriptors say: "hid", "hid-keyboard", "hub", ... */
const char *usb_class_name(const struct usb_info *info);

#endif
