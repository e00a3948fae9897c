/*
 * usbdb: the table of known touch frames, panels and pen boards.
 *
 * The table is data: firmware-notes/touch-devices.tsv, turned into
 * $(BUILD)/gen/usbdb_table.c by agent/usbdb.mk at build time, so there is no
 * hand-kept copy in C. It gives names, kinds and notes for display only:
 * whether a device is a touch screen is decided by its evdev capabilities
 * (the kernel binds most panels by what they report, so no id list is
 * complete). An exact vid:pid entry wins over a vendor-wide (pid "*") one.
 */
#ifndef USBDB_H
#define USBDB_H

#include <stdint.h>

enum usbdb_kind {
	USBDB_UNKNOWN = 0,
	USBDB_IR_FRAME,
	USBDB_CAPACITIVE_PANEL,
	USBDB_PEN_BOARD,
	USBDB_OPTICAL,
	USBDB_RESISTIVE,
};

struct usbdb_entry {
	uint16_t vid;
	int32_t pid;			/* -1: any product of this vendor */
	const char *maker;
	enum usbdb_kind kind;
	const char *driver;		/* kernel driver expected to bind it */
	const char *notes;
	const char *source;		/* "kernel:hid-ids.h", "unverified", ... */
	int verified;
};

/* Generated table (see agent/usbdb.mk). */
extern const struct usbdb_entry usbdb_table[];
extern const unsigned usbdb_table_len;

/* The entry for vid:pid (exact first, then vendor-wide), or NULL. */
const struct usbdb_entry *usbdb_lookup(uint16_t vid, uint16_t pid);
/* Same, from 4-hex-digit strings as sysfs gives them; NULL if unparsable. */
const struct usbdb_entry *usbdb_lookup_str(const char *vid, const char *pid);
/* "ir_frame", "capacitive_panel", ... as in the table. */
const char *usbdb_kind_name(enum usbdb_kind kind);
/* The same for people: "IR frame", "capacitive panel", ... ("" for unknown). */
const char *usbdb_kind_label(enum usbdb_kind kind);

#endif
