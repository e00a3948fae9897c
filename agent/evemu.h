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
/* Read and parse a whole file into memory (tests; replay streams). */
int evemu_load(const char *path, struct evemu_recording *rec,
    struct bbt_error *e);

/*
 * A file read as a stream: evemu_open reads the header (up to the first
 * event), so evemu_header's id and has_mt are known before any event;
 * evemu_next gives the events in order: 1 and the event, 0 at the end,
 * -1 on a bad line (the error names file:line). Memory does not grow with
 * the file. evemu_peek: the event evemu_next would give, without taking it.
 */
struct evemu_reader;
int evemu_open(const char *path, struct evemu_reader **r, struct bbt_error *e);
const struct evemu_recording *evemu_header(const struct evemu_reader *r);
int evemu_peek(const struct evemu_reader *r, struct evemu_event *ev);
int evemu_next(struct evemu_reader *r, struct evemu_event *ev, struct bbt_error *e);
void evemu_close(struct evemu_reader *r);
void evemu_free(struct evemu_recording *rec);

#endif
