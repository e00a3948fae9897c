/*
 * verify: did each end of a scheduled live lesson happen (CONTRACT 5.5)? The
 * decision (verify_end) is pure: the slot, the sessions of that room, the
 * room's device and "now" go in; a status and the evidence come out.
 * verify_report and verify_tally_school read storage and use it.
 *
 * Coverage is the union of the room's sessions clipped to the slot (two
 * overlapping sessions do not count twice). Statuses, in order:
 *   delivered  covered >= 80% of the slot (exactly 80% is delivered)
 *   partial    covered > 0
 *   no_device  nothing covers it and no device is enrolled in that room
 *   missed     nothing covers it and the room's device reported at or after
 *              the slot's end (its data for the slot would have come)
 *   unknown    nothing covers it yet and the device has not reported since
 *              the slot ended (also every lesson not yet over)
 * Statuses are computed when asked, from what is stored, so late data (a
 * bundle weeks later) turns unknown into a final status by itself.
 */
#ifndef SERVER_VERIFY_H
#define SERVER_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"
#include "report.h"

enum verify_status { VERIFY_DELIVERED, VERIFY_PARTIAL, VERIFY_MISSED, VERIFY_UNKNOWN,
	VERIFY_NO_DEVICE };

struct verify_interval {
	int64_t start, end;		/* Unix seconds, end > start */
};

struct verify_end_input {
	int64_t slot_start, slot_end;
	const struct verify_interval *sessions;	/* the room's, any order */
	size_t nsessions;
	int has_device;			/* an enrolled device in that room */
	int64_t last_seen;		/* latest report of the room's devices, 0 never */
};

/* The status of one end; *covered_s gets the seconds of the slot covered. */
enum verify_status verify_end(const struct verify_end_input *in, int64_t *covered_s);
const char *verify_status_name(enum verify_status s);

struct db;

/* The verify report (CONTRACT 5.1 rows) of lessons starting in [from, to), of
 * one school (NULL = all: a school sees the ends that are its own). */
struct report *verify_report(struct db *db, const char *school, const char *zone,
    int64_t from, int64_t to, struct bbt_error *e);

/* [from, to) from --from/--to dates (both or neither: the current ISO week). */
int verify_period(const char *zone, const char *from, const char *to, int64_t now,
    int64_t *pfrom, int64_t *pto, struct bbt_error *e);

struct verify_tally { int scheduled, delivered, partial, missed, unknown, no_device; };
/*
 * Lesson ends whose school is school_code, with slot start in [from, to):
 * each end counts for its own school (a deliver end for the delivering
 * school, a receive end for the receiving school).
 */
int verify_tally_school(struct db *db, const char *school_code, int64_t from, int64_t to,
    struct verify_tally *out, struct bbt_error *e);

#endif
