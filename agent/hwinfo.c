/*
 * hwinfo: joins evdev input devices, their USB parents in sysfs, libusb's
 * device list and the vendor table (see hwinfo.h).
 *
 * Classification is never done here: it comes from platform_input_list().
 * The table only names things. Sysfs is read with plain file reads below the
 * input device's own directory, which also works under umockdev.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bbt_array.h"
#include "bbt_log.h"
#include "hwinfo.h"
#include "usb.h"

/* Read a one-line sysfs attribute without its newline; -1 if absent. */
static int read_attr(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int rc = -1;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, (int)len, f)) {
		buf[strcspn(buf, "\r\n")] = '\0';
		rc = 0;
	}
	fclose(f);
	return rc;
}

static unsigned read_uint_attr(const char *dir, const char *name)
{
	char buf[32], *end;
	unsigned long v;

	if (read_attr(dir, name, buf, sizeof(buf)) < 0)
		return 0;
	v = strtoul(buf, &end, 10);
	return (*end == '\0' && v <= 0xffff) ? (unsigned)v : 0;
}

/* The kernel driver bound to the input device's parent (e.g. hid-multitouch). */
static void input_driver(const char *sysfs_path, char *buf, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t r;
	const char *base;

	buf[0] = '\0';
	if (snprintf(link, sizeof(link), "%s/device/driver", sysfs_path) >= (int)sizeof(link))
		return;
	r = readlink(link, target, sizeof(target) - 1);
	if (r <= 0)
		return;
	target[r] = '\0';
	base = strrchr(target, '/');
	snprintf(buf, len, "%s", base ? base + 1 : target);
}

/* Walk up from the input device to the USB device it belongs to. */
static void find_usb_parent(struct hwinfo_device *d)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", d->in.sysfs_path);
	while ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		if (strcmp(dir, "/sys") == 0 || strcmp(dir, "/sys/devices") == 0)
			return;
		if (read_attr(dir, "idVendor", d->vid, sizeof(d->vid)) < 0)
			continue;
		if (read_attr(dir, "idProduct", d->pid, sizeof(d->pid)) < 0)
			continue;
		d->has_usb = 1;
		d->busnum = read_uint_attr(dir, "busnum");
		d->devnum = read_uint_attr(dir, "devnum");
		slash = strrchr(dir, '/');
		snprintf(d->usb_port, sizeof(d->usb_port), "%s", slash ? slash + 1 : dir);
		return;
	}
}

static void describe(struct hwinfo_device *d)
{
	unsigned touch_bits = PLATFORM_INPUT_TOUCHSCREEN | PLATFORM_INPUT_PEN;
	const char *name = d->has_input ? d->in.id.name : "";

	d->db = usbdb_lookup_str(d->vid, d->pid);
	d->touch = d->has_input && (d->in.kinds & touch_bits);
	d->watched = d->has_input && (d->in.kinds & PLATFORM_INPUT_WATCHED);
	d->unknown_touch = d->touch && !d->db;
	if (d->unknown_touch)
		snprintf(d->label, sizeof(d->label), "unknown touch device %s:%s%s%s",
		    d->vid[0] ? d->vid : "????", d->pid[0] ? d->pid : "????",
		    name[0] ? " " : "", name);
	else if (d->db && !d->has_input)
		snprintf(d->label, sizeof(d->label), "%s %s (no input node: driver not bound?)",
		    d->db->maker, usbdb_kind_label(d->db->kind));
	else if (d->db)
		snprintf(d->label, sizeof(d->label), "%s %s%s%s", d->db->maker,
		    usbdb_kind_label(d->db->kind), name[0] ? ": " : "", name);
	else
		snprintf(d->label, sizeof(d->label), "%s", name[0] ? name : "USB device");
}

/*
 * gcc -fanalyzer does not follow an array through bbt_grow (it writes the
 * pointer in common/bbt_array.c), so it walks paths where devs stays NULL
 * while n grows and reports devs[i] as a NULL dereference here and in
 * device_json. devs is NULL only with n == 0 (hwinfo_collect).
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-null-dereference"
static int usb_claimed(const struct hwinfo_device *devs, size_t n, const struct usb_info *u)
{
	for (size_t i = 0; i < n; i++)
		if (devs[i].has_usb && devs[i].busnum == u->busnum &&
		    devs[i].devnum == u->devnum)
			return 1;
	return 0;
}
#pragma GCC diagnostic pop

/* USB devices with no input node that still matter: known frames, HID. */
static int add_usb_only(struct hwinfo_device **devs, size_t *n)
{
	struct usb_ctx *usb = NULL;
	struct usb_info *list = NULL;
	size_t nl = 0, cap = *n;	/* *devs holds exactly *n */
	struct bbt_error err;

	if (usb_open(&usb, &err) < 0 || usb_list(usb, &list, &nl, &err) < 0) {
		/* No USB view is not fatal: evdev alone still answers. */
		log_debug("hwinfo: %s", err.msg);
		usb_close(usb);
		return 0;
	}
	for (size_t i = 0; i < nl; i++) {
		const struct usb_info *u = &list[i];
		struct hwinfo_device *d;

		if (usb_claimed(*devs, *n, u))
			continue;
		if (!usbdb_lookup(u->vid, u->pid) && u->n_hid == 0)
			continue;
		if (bbt_grow(devs, &cap, *n + 1, sizeof(**devs)) < 0)
			break;
		d = &(*devs)[(*n)++];
		memset(d, 0, sizeof(*d));
		d->has_usb = 1;
		d->busnum = u->busnum;
		d->devnum = u->devnum;
		snprintf(d->usb_port, sizeof(d->usb_port), "%s", u->port_path);
		snprintf(d->vid, sizeof(d->vid), "%04x", u->vid);
		snprintf(d->pid, sizeof(d->pid), "%04x", u->pid);
		snprintf(d->usb_class, sizeof(d->usb_class), "%s", usb_class_name(u));
		describe(d);
	}
	free(list);
	usb_close(usb);
	return 0;
}

int hwinfo_collect(struct hwinfo_device **out, size_t *n, struct bbt_error *e)
{
	struct platform_input *ins = NULL;
	struct hwinfo_device *devs = NULL;
	size_t nin = 0;

	*out = NULL;
	*n = 0;
	if (platform_input_list(&ins, &nin, e) < 0)
		return bbt_error_prefix(e, "input devices");
	if (nin > 0) {
		devs = calloc(nin, sizeof(*devs));
		if (!devs) {
			free(ins);
			return bbt_error_set(e, "out of memory");
		}
	}
	for (size_t i = 0; i < nin; i++) {
		struct hwinfo_device *d = &devs[i];

		d->has_input = 1;
		d->in = ins[i];
		find_usb_parent(d);
		if (!d->has_usb) {
			snprintf(d->vid, sizeof(d->vid), "%s", d->in.id.vid);
			snprintf(d->pid, sizeof(d->pid), "%s", d->in.id.pid);
		}
		input_driver(d->in.sysfs_path, d->driver, sizeof(d->driver));
		describe(d);
	}
	free(ins);
	add_usb_only(&devs, &nin);
	*out = devs;
	*n = nin;
	return 0;
}

/* Silenced for the same reason as usb_claimed: d is &devs[i], i < n. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-null-dereference"
static cJSON *device_json(const struct hwinfo_device *d)
{
	cJSON *o = cJSON_CreateObject(), *classes, *usb;
	char kinds[128];

	cJSON_AddStringToObject(o, "label", d->label);
	if (d->has_input) {
		cJSON_AddStringToObject(o, "node", d->in.devnode);
		cJSON_AddStringToObject(o, "name", d->in.id.name);
	} else {
		cJSON_AddNullToObject(o, "node");
		cJSON_AddNullToObject(o, "name");
	}
	cJSON_AddStringToObject(o, "vid", d->vid);
	cJSON_AddStringToObject(o, "pid", d->pid);
	if (d->db) {
		cJSON_AddStringToObject(o, "maker", d->db->maker);
		cJSON_AddStringToObject(o, "kind", usbdb_kind_name(d->db->kind));
	} else {
		cJSON_AddNullToObject(o, "maker");
		cJSON_AddStringToObject(o, "kind", "unknown");
	}
	classes = cJSON_AddArrayToObject(o, "classes");
	if (d->has_input) {
		char *save = NULL;	/* strtok_r: the heartbeat runs this on the sync thread */

		platform_input_kinds_str(d->in.kinds, kinds, sizeof(kinds));
		for (char *s = strtok_r(kinds, " ", &save); s; s = strtok_r(NULL, " ", &save))
			cJSON_AddItemToArray(classes, cJSON_CreateString(s));
	}
	cJSON_AddBoolToObject(o, "touch", d->touch);
	cJSON_AddBoolToObject(o, "known", d->db != NULL);
	cJSON_AddBoolToObject(o, "unknown_touch", d->unknown_touch);
	cJSON_AddBoolToObject(o, "watched", d->watched);
	cJSON_AddStringToObject(o, "driver", d->driver);
	if (d->has_usb) {
		usb = cJSON_AddObjectToObject(o, "usb");
		cJSON_AddNumberToObject(usb, "bus", d->busnum);
		cJSON_AddNumberToObject(usb, "dev", d->devnum);
		cJSON_AddStringToObject(usb, "port", d->usb_port);
		if (d->usb_class[0])
			cJSON_AddStringToObject(usb, "class", d->usb_class);
	} else {
		cJSON_AddNullToObject(o, "usb");
	}
	return o;
}
#pragma GCC diagnostic pop

cJSON *hwinfo_to_json(const struct hwinfo_device *devs, size_t n)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < n; i++)
		cJSON_AddItemToArray(arr, device_json(&devs[i]));
	return arr;
}

cJSON *hwinfo_json(struct bbt_error *e)
{
	struct hwinfo_device *devs;
	size_t n;
	cJSON *arr;

	if (hwinfo_collect(&devs, &n, e) < 0)
		return NULL;
	arr = hwinfo_to_json(devs, n);
	free(devs);
	if (!arr)
		bbt_error_set(e, "out of memory");
	return arr;
}

const char *hwinfo_maker(const char *vid, const char *pid)
{
	const struct usbdb_entry *t = usbdb_lookup_str(vid, pid);

	return t ? t->maker : NULL;
}
