/*
 * usb: read-only USB discovery over libusb-1.0 (see usb.h for the rules).
 *
 * Invariants: no libusb_open(), no claim, no detach anywhere in this file;
 * everything comes from descriptors libusb cached at enumeration. The set of
 * devices already reported (ctx->known) is what makes callbacks exact: an
 * arrival is reported once even though LIBUSB_HOTPLUG_ENUMERATE and a rescan
 * may both see it, and a departure only for a device that had arrived.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>

#include <libusb.h>

#include "bbt_array.h"
#include "bbt_log.h"
#include "usb.h"

struct usb_ctx {
	libusb_context *lu;
	usb_event_fn cb;
	void *cb_arg;
	int hotplug;			/* a hotplug callback is registered */
	libusb_hotplug_callback_handle handle;
	struct usb_info *known;		/* devices reported as arrived */
	size_t n_known, cap_known;
};

static void port_path(libusb_device *dev, char *buf, size_t len)
{
	uint8_t ports[8];
	int n = libusb_get_port_numbers(dev, ports, (int)sizeof(ports));
	size_t off;

	off = (size_t)snprintf(buf, len, "%u", libusb_get_bus_number(dev));
	for (int i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%c%u", i ? '.' : '-', ports[i]);
}

/* Fill info from cached descriptors; -1 when they are not readable yet. */
static int fill_info(libusb_device *dev, struct usb_info *info)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg = NULL;

	memset(info, 0, sizeof(*info));
	if (libusb_get_device_descriptor(dev, &dd) != 0 || dd.bLength == 0)
		return -1;
	info->busnum = libusb_get_bus_number(dev);
	info->devnum = libusb_get_device_address(dev);
	info->vid = dd.idVendor;
	info->pid = dd.idProduct;
	info->dev_class = dd.bDeviceClass;
	port_path(dev, info->port_path, sizeof(info->port_path));
	/* An unconfigured device has no active configuration: keep the ids. */
	if (libusb_get_active_config_descriptor(dev, &cfg) != 0)
		return 0;
	info->n_interfaces = cfg->bNumInterfaces;
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];

		if (itf->num_altsetting < 1)
			continue;
		const struct libusb_interface_descriptor *alt = &itf->altsetting[0];
		if (alt->bInterfaceClass != LIBUSB_CLASS_HID)
			continue;
		info->n_hid++;
		if (alt->bInterfaceProtocol == USB_HID_PROTO_KEYBOARD)
			info->hid_boot_keyboard = 1;
		if (alt->bInterfaceProtocol == USB_HID_PROTO_MOUSE)
			info->hid_boot_mouse = 1;
	}
	libusb_free_config_descriptor(cfg);
	return 0;
}

static int same_dev(const struct usb_info *a, const struct usb_info *b)
{
	return a->busnum == b->busnum && a->devnum == b->devnum &&
	    a->vid == b->vid && a->pid == b->pid;
}

static ssize_t known_find(const struct usb_ctx *ctx, const struct usb_info *info)
{
	for (size_t i = 0; i < ctx->n_known; i++)
		if (same_dev(&ctx->known[i], info))
			return (ssize_t)i;
	return -1;
}

static void note_arrival(struct usb_ctx *ctx, const struct usb_info *info)
{
	if (known_find(ctx, info) >= 0)
		return;
	if (bbt_grow(&ctx->known, &ctx->cap_known, ctx->n_known + 1, sizeof(*ctx->known)) < 0) {
		log_warn("usb: out of memory tracking devices");
		return;
	}
	ctx->known[ctx->n_known++] = *info;
	log_debug("usb: arrived %04x:%04x at %s", info->vid, info->pid, info->port_path);
	if (ctx->cb)
		ctx->cb(USB_ARRIVED, info, ctx->cb_arg);
}

static void note_departure(struct usb_ctx *ctx, size_t idx)
{
	struct usb_info gone = ctx->known[idx];

	ctx->known[idx] = ctx->known[--ctx->n_known];
	log_debug("usb: left %04x:%04x at %s", gone.vid, gone.pid, gone.port_path);
	if (ctx->cb)
		ctx->cb(USB_LEFT, &gone, ctx->cb_arg);
}

int usb_open(struct usb_ctx **out, struct bbt_error *e)
{
	struct usb_ctx *ctx = calloc(1, sizeof(*ctx));
	int rc;

	if (!ctx)
		return bbt_error_set(e, "usb: out of memory");
	rc = libusb_init(&ctx->lu);
	if (rc != 0) {
		free(ctx);
		return bbt_error_set(e, "usb: libusb_init: %s", libusb_strerror(rc));
	}
	*out = ctx;
	return 0;
}

void usb_close(struct usb_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->hotplug)
		libusb_hotplug_deregister_callback(ctx->lu, ctx->handle);
	libusb_exit(ctx->lu);
	free(ctx->known);
	free(ctx);
}

int usb_list(struct usb_ctx *ctx, struct usb_info **out, size_t *n, struct bbt_error *e)
{
	libusb_device **devs = NULL;
	struct usb_info *list = NULL;
	ssize_t cnt = libusb_get_device_list(ctx->lu, &devs);
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (cnt < 0)
		return bbt_error_set(e, "usb: listing devices: %s",
		    libusb_strerror((int)cnt));
	if (cnt > 0) {
		list = calloc((size_t)cnt, sizeof(*list));
		if (!list) {
			libusb_free_device_list(devs, 1);
			return bbt_error_set(e, "usb: out of memory");
		}
	}
	for (ssize_t i = 0; i < cnt; i++)
		if (fill_info(devs[i], &list[k]) == 0)
			k++;
	libusb_free_device_list(devs, 1);
	*out = list;
	*n = k;
	return 0;
}

static int LIBUSB_CALL hotplug_cb(libusb_context *lu, libusb_device *dev,
    libusb_hotplug_event event, void *arg)
{
	struct usb_ctx *ctx = arg;
	struct usb_info info;
	ssize_t idx;

	if (fill_info(dev, &info) < 0)
		return 0;	/* descriptors not readable yet: a rescan gets it */
	if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED) {
		note_arrival(ctx, &info);
		return 0;
	}
	idx = known_find(ctx, &info);
	if (idx >= 0)
		note_departure(ctx, (size_t)idx);
	return 0;	/* 1 would deregister the callback */
}

int usb_watch(struct usb_ctx *ctx, int use_hotplug, usb_event_fn cb, void *arg,
    struct bbt_error *e)
{
	int rc;

	ctx->cb = cb;
	ctx->cb_arg = arg;
	if (!use_hotplug || !libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
		log_info("usb: following devices by rescans (libusb hotplug %s)",
		    use_hotplug ? "not available" : "not wanted");
		return usb_rescan(ctx, e) < 0 ? -1 : 0;
	}
	rc = libusb_hotplug_register_callback(ctx->lu,
	    LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
	    LIBUSB_HOTPLUG_ENUMERATE, LIBUSB_HOTPLUG_MATCH_ANY,
	    LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
	    hotplug_cb, ctx, &ctx->handle);
	if (rc != LIBUSB_SUCCESS)
		return bbt_error_set(e, "usb: hotplug registration: %s", libusb_strerror(rc));
	ctx->hotplug = 1;
	return 1;
}

int usb_rescan(struct usb_ctx *ctx, struct bbt_error *e)
{
	struct usb_info *now;
	size_t n;

	if (usb_list(ctx, &now, &n, e) < 0)
		return -1;
	/* Departures first, so a device re-plugged at the same address reads as both. */
	for (size_t i = ctx->n_known; i-- > 0;) {
		int present = 0;

		for (size_t j = 0; j < n && !present; j++)
			present = same_dev(&ctx->known[i], &now[j]);
		if (!present)
			note_departure(ctx, i);
	}
	for (size_t j = 0; j < n; j++)
		note_arrival(ctx, &now[j]);
	free(now);
	return 0;
}

int usb_handle_events(struct usb_ctx *ctx, int timeout_ms, struct bbt_error *e)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int rc = libusb_handle_events_timeout_completed(ctx->lu, &tv, NULL);

	if (rc != 0 && rc != LIBUSB_ERROR_INTERRUPTED)
		return bbt_error_set(e, "usb: handling events: %s", libusb_strerror(rc));
	return 0;
}

size_t usb_pollfds(struct usb_ctx *ctx, struct pollfd *fds, size_t max)
{
	const struct libusb_pollfd **lfds = libusb_get_pollfds(ctx->lu);
	size_t n = 0;

	if (!lfds)
		return 0;
	for (; lfds[n] && n < max; n++) {
		fds[n].fd = lfds[n]->fd;
		fds[n].events = lfds[n]->events;
		fds[n].revents = 0;
	}
	libusb_free_pollfds(lfds);
	return n;
}

const char *usb_class_name(const struct usb_info *info)
{
	if (info->dev_class == LIBUSB_CLASS_HUB)
		return "hub";
	if (info->n_hid == 0)
		return info->dev_class ? "other" : "non-hid";
	if (info->hid_boot_keyboard && info->hid_boot_mouse)
		return "hid-keyboard-mouse";
	if (info->hid_boot_keyboard)
		return "hid-keyboard";
	if (info->hid_boot_mouse)
		return "hid-mouse";
	return "hid";
}
