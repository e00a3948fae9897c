/*
 * detector: turns input events into teaching sessions (CONTRACT 4.2).
 *
 * Pure: no I/O, no clock. The caller passes every event with the time it
 * was read (microseconds of a clock that counts suspend, CLOCK_BOOTTIME in
 * `run`, the recording's clock in `replay`) and calls detector_tick() when
 * detector_next_deadline() says. Times passed in must not go backwards.
 *
 * Closed sessions that are long enough (>= min_session) are queued and
 * taken with detector_take_closed(); shorter ones are dropped here. The
 * open session can be read at any time (for checkpoints) with
 * detector_open_session().
 */
#ifndef DETECTOR_H
#define DETECTOR_H

#include <stdint.h>

#include "bbt_session.h"

#define DETECTOR_MAX_DEVICES 32
#define DETECTOR_MAX_SLOTS 64
#define DETECTOR_MAX_CLOSED 16

struct detector_settings {
	int idle_gap;		/* seconds */
	int min_session;	/* seconds */
	int stuck_contact;	/* seconds */
};

/* A session as the detector sees it: times on the caller's clock. */
struct detector_session {
	int64_t start_us, end_us;	/* first and last activity */
	int touches;
	int active_minutes;
	unsigned flags;			/* BBT_FLAG_STUCK_CONTACT */
	struct bbt_input_id input;	/* device with most activity */
};

struct detector_contact {
	int down;
	int stuck;
	int64_t since_us;
};

struct detector_device {
	int used;
	int has_mt;			/* has sent ABS_MT_TRACKING_ID */
	int slot;			/* current MT slot */
	struct detector_contact slots[DETECTOR_MAX_SLOTS];
	struct detector_contact touch;	/* BTN_TOUCH (single-touch contact) */
	struct bbt_input_id id;
	int64_t activity;		/* activity events in the open session */
};

struct detector {
	struct detector_settings set;
	struct detector_device dev[DETECTOR_MAX_DEVICES];
	int open;
	struct detector_session cur;
	int last_minute;
	struct detector_session closed[DETECTOR_MAX_CLOSED];
	int nclosed;
	int64_t now_us;
};

void detector_init(struct detector *d, const struct detector_settings *set);
/* New settings apply from now on; an open session keeps going. */
void detector_configure(struct detector *d, const struct detector_settings *set);
/* Register device slot `dev` (0..DETECTOR_MAX_DEVICES-1). has_mt may be 0:
 * it is learned from the first ABS_MT_TRACKING_ID. Returns -1 if out of range. */
int detector_device_add(struct detector *d, int dev, const struct bbt_input_id *id,
    int has_mt);
/* The device went away: its contacts are gone, and an open session it took
 * part in ends at its last activity. */
void detector_device_remove(struct detector *d, int dev, int64_t now_us);
/* State of a device is unknown (SYN_DROPPED): forget its contacts. */
void detector_device_reset(struct detector *d, int dev);
/* One evdev event (type, code, value as in linux/input.h). */
void detector_feed(struct detector *d, int dev, int64_t now_us, uint16_t type,
    uint16_t code, int32_t value);
/* Advance time with no event: closes a session idle for idle_gap, marks
 * contacts held past stuck_contact. */
void detector_tick(struct detector *d, int64_t now_us);
/* When detector_tick must next run; INT64_MAX if nothing is pending. */
int64_t detector_next_deadline(const struct detector *d);
/* The agent stops: close the open session at its last activity. */
void detector_stop(struct detector *d);
/* 1 and a copy if a session is open, else 0. */
int detector_open_session(const struct detector *d, struct detector_session *out);
/* Pop the oldest closed, loggable session: 1 if one was returned. */
int detector_take_closed(struct detector *d, struct detector_session *out);

/* Where the detector's clock lies on the wall clock, for records. */
struct detector_clock {
	int64_t wall_base_us;		/* Unix us at detector time 0 */
	int utc_offset;			/* display offset, if offset_at is NULL */
	int (*offset_at)(int64_t unix_s);	/* else the zone's offset at the start */
	const char *boot_id;		/* NULL or "": no boot evidence (replay) */
};
/*
 * The record of a detector session, as `run` and `replay` both log it.
 * The duration comes from the detector's clock alone, so a wall-clock step
 * between start and end can neither stretch nor shrink it, and
 * duration_s >= min_session whenever the detector logged it. With a boot
 * id the detector times are kept as boot-relative evidence (clock.h).
 */
void detector_session_record(const struct detector_session *ds,
    const struct detector_clock *c, const char *id, struct bbt_session *out);

#endif
