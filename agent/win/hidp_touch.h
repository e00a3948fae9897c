/*
 * hidp_touch: a digitizer's HID reports -> contacts through Windows' own
 * HID parser (HidP_* on the preparsed data Raw Input hands out); see
 * hidp_touch.c.
 */
#ifndef HIDP_TOUCH_H
#define HIDP_TOUCH_H

#include <stddef.h>
#include <stdint.h>

#include "hidtouch.h"

/* The preparsed data of one top-level collection, as
 * GetRawInputDeviceInfoW(RIDI_PREPARSEDDATA) returns it (PHIDP_PREPARSED_DATA). */
typedef void *hidp_touch_pp;

/* 1 if the collection is a touch screen or touch pad (usage page 0x0D,
 * usage 0x04 or 0x05) with at least one contact's X; 0 otherwise. */
int hidp_touch_is_touch(hidp_touch_pp pp);
/* The contacts of one input report (first byte its report id), Contact
 * Count capping how many; -1 when the report carries no contact (another
 * report id of the same collection). */
int hidp_touch_decode(hidp_touch_pp pp, const uint8_t *report, size_t n,
    struct hidtouch_contact *out, size_t max, size_t *count);

/*
 * Pens (usage page 0x0D, usage 0x02): one stylus per report. Windows' pen
 * states: In Range alone is hovering, Tip Switch (or Eraser, the other
 * end) is touching the screen, Barrel Switch the side button.
 */
struct hidp_pen {
	int in_range, tip, barrel, eraser;
	int32_t x, y;			/* logical units, -1 if none */
};
struct hidp_pen_tracker {
	int in_range, touch, barrel;	/* BTN_TOOL_PEN / BTN_TOUCH / BTN_STYLUS last sent */
};

/* 1 if the collection is a pen (0x0D:0x02) with an X; 0 otherwise. */
int hidp_pen_is_pen(hidp_touch_pp pp);
/* The pen state of one input report; -1 for a report of another id. */
int hidp_pen_decode(hidp_touch_pp pp, const uint8_t *report, size_t n, struct hidp_pen *out);
/* Events for one pen report, as evdev gives a pen on Linux: BTN_TOOL_PEN
 * on entering and leaving range, ABS_X/ABS_Y while in range or touching,
 * BTN_TOUCH on the tip (or eraser) going down and up, BTN_STYLUS for the
 * barrel button, SYN_REPORT last; leaving range releases all three. So, as
 * on Linux (CONTRACT 4.2), the pen coming near is one activity (a key
 * press, not a touch), and a hovering pen's X/Y is not activity (no
 * contact is down). Returns how many were written (at most max). */
size_t hidp_pen_track(struct hidp_pen_tracker *t, const struct hidp_pen *p,
    struct hidtouch_event *ev, size_t max);

#endif
