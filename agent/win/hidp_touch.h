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

#endif
