/*
 * usbdb: lookups over the generated vendor table (see usbdb.h). The table is
 * small (about a hundred lines) and read a few times per device event, so a
 * linear scan is the simplest correct choice.
 */
#include <errno.h>
#include <stdlib.h>

#include "usbdb.h"

const struct usbdb_entry *usbdb_lookup(uint16_t vid, uint16_t pid)
{
	const struct usbdb_entry *vendor_wide = NULL;

	for (unsigned i = 0; i < usbdb_table_len; i++) {
		const struct usbdb_entry *t = &usbdb_table[i];

		if (t->vid != vid)
			continue;
		if (t->pid == (int32_t)pid)
			return t;
		if (t->pid < 0 && !vendor_wide)
			vendor_wide = t;
	}
	return vendor_wide;
}

static int parse_hex16(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || *end != '\0' || v > 0xffff)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

const struct usbdb_entry *usbdb_lookup_str(const char *vid, const char *pid)
{
	uint16_t v, p;

	if (parse_hex16(vid, &v) < 0 || parse_hex16(pid, &p) < 0)
		return NULL;
	return usbdb_lookup(v, p);
}

const char *usbdb_kind_name(enum usbdb_kind kind)
{
	switch (kind) {
	case USBDB_IR_FRAME: return "ir_frame";
	case USBDB_CAPACITIVE_PANEL: return "capacitive_panel";
	case USBDB_PEN_BOARD: return "pen_board";
	case USBDB_OPTICAL: return "optical";
	case USBDB_RESISTIVE: return "resistive";
	case USBDB_UNKNOWN: break;
	}
	return "unknown";
}

const char *usbdb_kind_label(enum usbdb_kind kind)
{
	switch (kind) {
	case USBDB_IR_FRAME: return "IR frame";
	case USBDB_CAPACITIVE_PANEL: return "capacitive panel";
	case USBDB_PEN_BOARD: return "pen board";
	case USBDB_OPTICAL: return "optical frame";
	case USBDB_RESISTIVE: return "resistive panel";
	case USBDB_UNKNOWN: break;
	}
	return "";
}
