/*
 * detector: input events -> teaching sessions, exactly CONTRACT 4.2.
 *
 * Decisions (the contract the unit tests in tests/unit/agent_detector.c hold):
 * - Times are microseconds on the caller's clock. A time earlier than one
 *   already seen is clamped to it, so state never runs backwards.
 *   idle_gap, min_session and stuck_contact are seconds.
 * - Activity: ABS_MT_TRACKING_ID >= 0; EV_KEY value 1 (any key or button
 *   press, BTN_TOUCH and BTN_TOOL_* included); ABS_MT_POSITION_X/Y of the
 *   current slot while its contact is down and not stuck; ABS_X/ABS_Y while
 *   the device has a down contact that is not stuck; any EV_REL. Key
 *   autorepeat (value 2) and releases are not activity: a book left on the
 *   keyboard must not make a lesson. EV_SYN, EV_MSC and other ABS codes never.
 * - A session starts at the first activity after idleness and ends at its
 *   last activity when the next activity (or tick) comes idle_gap or more
 *   later (a gap of exactly idle_gap ends it), on detector_stop, or when a
 *   device that gave it activity is removed. It is kept only if
 *   end - start >= min_session (exactly equal is kept).
 * - Stuck: a contact (MT slot, or BTN_TOUCH of a device without MT) down for
 *   strictly more than stuck_contact is stuck; its events after
 *   since + stuck_contact are not activity until it lifts. The moment it
 *   became stuck is worked out whenever the detector next sees time (event,
 *   lift or tick), so the result does not depend on how often ticks come:
 *   the session open at that moment gets BBT_FLAG_STUCK_CONTACT.
 * - touches: contacts begun in the session: ABS_MT_TRACKING_ID >= 0 on MT
 *   devices; BTN_TOUCH presses on devices without MT.
 * - active_minutes: distinct values of floor((t - start) / 60 s) over the
 *   session's activity events (times are monotonic, so counting changes
 *   of the minute is counting distinct minutes).
 * - input: the device with the most activity events in the session (the
 *   lowest device index on a tie).
 */
#include <stdio.h>
#include <string.h>

#include "detector.h"

#include "bbt_time.h"

#define US_PER_S 1000000LL

/* evdev numbers (linux/input-event-codes.h), kept here so the module is
 * pure and builds anywhere. */
#define EV_KEY_T 0x01
#define EV_REL_T 0x02
#define EV_ABS_T 0x03
#define ABS_X_C 0x00
#define ABS_Y_C 0x01
#define ABS_MT_SLOT_C 0x2f
#define ABS_MT_POSITION_X_C 0x35
#define ABS_MT_POSITION_Y_C 0x36
#define ABS_MT_TRACKING_ID_C 0x39
#define BTN_TOUCH_C 0x14a

static int64_t sec_us(int s)
{
	return (int64_t)s * US_PER_S;
}

void detector_init(struct detector *d, const struct detector_settings *set)
{
	memset(d, 0, sizeof(*d));
	d->set = *set;
	d->last_minute = -1;
	d->now_us = INT64_MIN;
}

void detector_configure(struct detector *d, const struct detector_settings *set)
{
	d->set = *set;
}

static struct detector_device *device(struct detector *d, int dev)
{
	if (dev < 0 || dev >= DETECTOR_MAX_DEVICES)
		return NULL;
	return &d->dev[dev];
}

int detector_device_add(struct detector *d, int dev, const struct bbt_input_id *id,
    int has_mt)
{
	struct detector_device *v = device(d, dev);

	if (v == NULL)
		return -1;
	memset(v, 0, sizeof(*v));
	v->used = 1;
	v->has_mt = has_mt != 0;
	if (id != NULL)
		v->id = *id;
	return 0;
}

/* The contacts whose ghost rule applies: MT slots, or BTN_TOUCH without MT. */
static int contact_tracked(const struct detector_device *v,
    const struct detector_contact *c)
{
	return c != &v->touch || !v->has_mt;
}

static void close_session(struct detector *d)
{
	struct detector_session s = d->cur;
	int64_t best = -1;

	if (!d->open)
		return;
	for (int i = 0; i < DETECTOR_MAX_DEVICES; i++) {
		if (d->dev[i].activity > best && d->dev[i].activity > 0) {
			best = d->dev[i].activity;
			s.input = d->dev[i].id;
		}
		d->dev[i].activity = 0;
	}
	d->open = 0;
	d->last_minute = -1;
	if (s.end_us - s.start_us < sec_us(d->set.min_session))
		return;
	/* The caller drains after every call; if it did not, the oldest goes. */
	if (d->nclosed == DETECTOR_MAX_CLOSED) {
		memmove(&d->closed[0], &d->closed[1],
		    sizeof(d->closed[0]) * (DETECTOR_MAX_CLOSED - 1));
		d->nclosed--;
	}
	d->closed[d->nclosed++] = s;
}

/* Mark contact c stuck if time t is past its threshold; flag the session
 * that was open at the moment it became stuck. */
static void check_stuck(struct detector *d, struct detector_contact *c, int64_t t)
{
	int64_t at;

	if (!c->down || c->stuck)
		return;
	at = c->since_us + sec_us(d->set.stuck_contact);
	if (t <= at)
		return;
	c->stuck = 1;
	if (d->open && at < d->cur.end_us + sec_us(d->set.idle_gap))
		d->cur.flags |= BBT_FLAG_STUCK_CONTACT;
}

/* Bring state to time t: ghost contacts first (they may belong to the
 * session about to close), then the idle close. */
static int64_t advance(struct detector *d, int64_t t)
{
	if (t < d->now_us)
		t = d->now_us;
	d->now_us = t;
	for (int i = 0; i < DETECTOR_MAX_DEVICES; i++) {
		struct detector_device *v = &d->dev[i];

		if (!v->used)
			continue;
		for (int k = 0; k < DETECTOR_MAX_SLOTS; k++)
			check_stuck(d, &v->slots[k], t);
		if (contact_tracked(v, &v->touch))
			check_stuck(d, &v->touch, t);
	}
	if (d->open && t - d->cur.end_us >= sec_us(d->set.idle_gap))
		close_session(d);
	return t;
}

static void activity(struct detector *d, struct detector_device *v, int64_t t)
{
	int64_t minute;

	if (!d->open) {
		memset(&d->cur, 0, sizeof(d->cur));
		d->cur.start_us = t;
		d->open = 1;
		d->last_minute = -1;
		for (int i = 0; i < DETECTOR_MAX_DEVICES; i++)
			d->dev[i].activity = 0;
	}
	d->cur.end_us = t;
	minute = (t - d->cur.start_us) / (60 * US_PER_S);
	if (minute != d->last_minute) {
		d->cur.active_minutes++;
		d->last_minute = (int)minute;
	}
	v->activity++;
}

static void contact_down(struct detector_contact *c, int64_t t)
{
	c->down = 1;
	c->stuck = 0;
	c->since_us = t;
}

static void contact_up(struct detector_contact *c)
{
	c->down = 0;
	c->stuck = 0;
}

/* A down contact that still counts: ABS_X/ABS_Y are motion only then. */
static int touching(const struct detector_device *v)
{
	if (!v->has_mt)
		return v->touch.down && !v->touch.stuck;
	for (int k = 0; k < DETECTOR_MAX_SLOTS; k++)
		if (v->slots[k].down && !v->slots[k].stuck)
			return 1;
	return 0;
}

static void feed_key(struct detector *d, struct detector_device *v, int64_t t,
    uint16_t code, int32_t value)
{
	if (code == BTN_TOUCH_C) {
		if (value == 0)
			contact_up(&v->touch);
		else if (value == 1)
			contact_down(&v->touch, t);
	}
	if (value != 1)
		return;
	activity(d, v, t);
	if (code == BTN_TOUCH_C && !v->has_mt)
		d->cur.touches++;
}

static void feed_tracking(struct detector *d, struct detector_device *v, int64_t t,
    int32_t value)
{
	struct detector_contact *c;

	if (!v->has_mt) {
		/* Learned now: BTN_TOUCH is no longer a contact of its own. */
		v->has_mt = 1;
		contact_up(&v->touch);
	}
	if (v->slot < 0 || v->slot >= DETECTOR_MAX_SLOTS)
		return;
	c = &v->slots[v->slot];
	if (value < 0) {
		contact_up(c);
		return;
	}
	contact_down(c, t);
	activity(d, v, t);
	d->cur.touches++;
}

static void feed_abs(struct detector *d, struct detector_device *v, int64_t t,
    uint16_t code, int32_t value)
{
	struct detector_contact *c;

	switch (code) {
	case ABS_MT_SLOT_C:
		v->slot = value >= 0 && value < DETECTOR_MAX_SLOTS ? value : -1;
		return;
	case ABS_MT_TRACKING_ID_C:
		feed_tracking(d, v, t, value);
		return;
	case ABS_MT_POSITION_X_C:
	case ABS_MT_POSITION_Y_C:
		if (v->slot < 0 || v->slot >= DETECTOR_MAX_SLOTS)
			return;
		c = &v->slots[v->slot];
		if (c->down && !c->stuck)
			activity(d, v, t);
		return;
	case ABS_X_C:
	case ABS_Y_C:
		if (touching(v))
			activity(d, v, t);
		return;
	default:
		return;
	}
}

void detector_feed(struct detector *d, int dev, int64_t now_us, uint16_t type,
    uint16_t code, int32_t value)
{
	struct detector_device *v = device(d, dev);
	int64_t t;

	if (v == NULL)
		return;
	t = advance(d, now_us);
	v->used = 1;
	switch (type) {
	case EV_KEY_T:
		feed_key(d, v, t, code, value);
		break;
	case EV_REL_T:
		activity(d, v, t);
		break;
	case EV_ABS_T:
		feed_abs(d, v, t, code, value);
		break;
	default:
		break;	/* EV_SYN, EV_MSC, LEDs, switches: not interaction */
	}
}

static void forget_contacts(struct detector_device *v)
{
	memset(v->slots, 0, sizeof(v->slots));
	memset(&v->touch, 0, sizeof(v->touch));
	v->slot = 0;
}

void detector_device_remove(struct detector *d, int dev, int64_t now_us)
{
	struct detector_device *v = device(d, dev);

	if (v == NULL)
		return;
	advance(d, now_us);
	if (d->open && v->activity > 0)
		close_session(d);
	forget_contacts(v);
	v->used = 0;
	v->activity = 0;
}

void detector_device_reset(struct detector *d, int dev)
{
	struct detector_device *v = device(d, dev);

	if (v != NULL)
		forget_contacts(v);
}

void detector_tick(struct detector *d, int64_t now_us)
{
	advance(d, now_us);
}

static int64_t stuck_deadline(const struct detector *d,
    const struct detector_contact *c)
{
	if (!c->down || c->stuck)
		return INT64_MAX;
	/* Stuck means held strictly longer: the first microsecond after. */
	return c->since_us + sec_us(d->set.stuck_contact) + 1;
}

int64_t detector_next_deadline(const struct detector *d)
{
	int64_t best = INT64_MAX, t;

	if (d->open)
		best = d->cur.end_us + sec_us(d->set.idle_gap);
	for (int i = 0; i < DETECTOR_MAX_DEVICES; i++) {
		const struct detector_device *v = &d->dev[i];

		if (!v->used)
			continue;
		for (int k = 0; k < DETECTOR_MAX_SLOTS; k++) {
			t = stuck_deadline(d, &v->slots[k]);
			if (t < best)
				best = t;
		}
		t = contact_tracked(v, &v->touch) ? stuck_deadline(d, &v->touch) : INT64_MAX;
		if (t < best)
			best = t;
	}
	return best;
}

void detector_stop(struct detector *d)
{
	close_session(d);
}

int detector_open_session(const struct detector *d, struct detector_session *out)
{
	const struct detector_device *best = NULL;

	if (!d->open)
		return 0;
	*out = d->cur;
	for (int i = 0; i < DETECTOR_MAX_DEVICES; i++)
		if (d->dev[i].activity > 0 && (best == NULL ||
		    d->dev[i].activity > best->activity))
			best = &d->dev[i];
	if (best != NULL)
		out->input = best->id;
	return 1;
}

int detector_take_closed(struct detector *d, struct detector_session *out)
{
	if (d->nclosed == 0)
		return 0;
	*out = d->closed[0];
	d->nclosed--;
	memmove(&d->closed[0], &d->closed[1], sizeof(d->closed[0]) * (size_t)d->nclosed);
	return 1;
}

void detector_session_record(const struct detector_session *ds,
    const struct detector_clock *c, const char *id, struct bbt_session *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	out->start = bbt_floor_div(c->wall_base_us + ds->start_us, 1000000);
	out->duration_s = (ds->end_us - ds->start_us) / 1000000;
	out->end = out->start + out->duration_s;
	out->utc_offset = c->offset_at ? c->offset_at(out->start) : c->utc_offset;
	out->touches = ds->touches;
	out->active_minutes = ds->active_minutes;
	out->input = ds->input;
	out->flags = ds->flags;
	if (c->boot_id && c->boot_id[0]) {
		snprintf(out->boot_id, sizeof(out->boot_id), "%s", c->boot_id);
		out->boot_start_us = ds->start_us;
		out->boot_end_us = ds->end_us;
	}
}
