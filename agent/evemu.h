/*
 * evemu: reader for evemu-record files (the format umockdev replays).
 *
 * Header lines (N: name, I: bus vendor product version in hex, P:, B:, A:,
 * L:, S:, "#" comments) are read for the device name and ids; unknown header
 * lines are ignored. Events are "E: <sec>.<usec> <type hex> <code hex>
 * <value decimal>", optionally followed by a comment. Malformed lines are an
 * error naming the file and line.
 */
#ifndef EVEMU_H
#define EVEMU_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bbt_error.h"
#include "bbt_session.h"

struct evemu_event {
	int64_t time_us;	/* the recording's own time */
	uint16_t type, code;
	int32_t value;
};

struct evemu_recording {
	char path[256];
	struct bbt_input_id id;	/* from N: and I: */
	int has_mt;		/* an A: line for ABS_MT_SLOT/TRACKING_ID */
	struct evemu_event *events;
	size_t nevents, cap;
};

/* Parse a whole recording from a buffer (name is used in errors). */
int evemu_parse_buffer(const char *name, const char *buf, size_t len,
    struct evemu_recording *rec, struct bbt_error *e);
/* Read and parse a file. */
int evemu_load(const char *path, struct evemu_recording *rec,
    struct bbt_error *e);
void evemu_free(struct evemu_recording *rec);

#endif
