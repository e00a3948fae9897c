/*
 * hidtouch: HID digitizer (usage page 0x0D) report descriptors and reports
 * -> multitouch protocol B events; see hidtouch.c.
 */
#ifndef HIDTOUCH_H
#define HIDTOUCH_H

#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"

#define HIDTOUCH_MAX_FIELDS 512
#define HIDTOUCH_SLOTS 16

struct hidtouch_field {
	uint8_t report_id;
	uint8_t bits;
	uint16_t page, usage;
	uint32_t bit;			/* offset in the report, ID byte included */
	int32_t lmin;			/* < 0: the field is signed */
	int finger;			/* Finger collection index, -1: none */
};

struct hidtouch_desc {
	struct hidtouch_field fields[HIDTOUCH_MAX_FIELDS];
	size_t nfields;
	int nfingers;			/* Finger collections (contacts per report) */
	int uses_report_ids;
};

struct hidtouch_contact {
	int32_t id;			/* Contact Identifier, -1 if none */
	int tip;			/* Tip Switch */
	int32_t x, y;			/* logical units, -1 if none */
};

struct hidtouch_event {
	uint16_t type, code;
	int32_t value;
};

struct hidtouch_tracker {
	int down[HIDTOUCH_SLOTS];
	int32_t contact[HIDTOUCH_SLOTS];
	int32_t next_tracking_id;
};

/* 0, or -1 (e) for a descriptor cut short or without a Finger collection. */
int hidtouch_parse(const uint8_t *rd, size_t n, struct hidtouch_desc *d, struct bbt_error *e);
/* The contacts of one report (its first byte the report id when the
 * descriptor uses ids); -1 when the report holds no finger fields. */
int hidtouch_decode(const struct hidtouch_desc *d, const uint8_t *report, size_t n,
    struct hidtouch_contact *out, size_t max, size_t *count);
/* Events for one frame of contacts (zeroed tracker to start); returns how
 * many were written to ev (at most max), SYN_REPORT last. */
size_t hidtouch_track(struct hidtouch_tracker *t, const struct hidtouch_contact *c, size_t nc,
    struct hidtouch_event *ev, size_t max);

#endif
