/*
 * hidp_touch: a digitizer's HID input reports -> contacts (struct
 * hidtouch_contact), through Windows' own HID parser: the helper gets the
 * preparsed data of each usage page 0x0D device from Raw Input
 * (RIDI_PREPARSEDDATA) and asks HidP_* for the values, so the layout of a
 * report is read the way Windows reads it, not by our own descriptor
 * parser. hidtouch_track (agent/hidtouch.c) then makes protocol B events
 * of the contacts, the numbers evdev gives on Linux, for the detector.
 *
 * A contact is a link collection that holds an X value (usage 0x01:0x30)
 * in the report's id: a Finger collection (0x0D:0x22) or, as many frames
 * declare it, an unnamed logical collection; its Contact Identifier,
 * Y, and Tip Switch button come from the same link collection. Contact
 * Count (0x0D:0x54), where the report has it, caps how many are valid
 * (hybrid mode: later fingers of a report are stale).
 *
 * A pen (0x0D:0x02) has one stylus: X/Y from the link collection that
 * holds X, and its In Range (0x32), Tip Switch (0x42), Barrel Switch
 * (0x44) and Eraser (0x45) buttons from the same one; hidp_pen_track makes
 * the events of an evdev pen without MT (BTN_TOOL_PEN, BTN_TOUCH, ABS_X/Y,
 * BTN_STYLUS).
 *
 * Invariants: HidP_* bounds every read by the report length we pass; a
 * report shorter than the collection's input length is refused; at most
 * HIDP_TOUCH_MAX_CAPS value capabilities are looked at (more is not a
 * digitizer we know: the rest are ignored).
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <hidsdi.h>
#include <hidpi.h>
#include <string.h>

#include "hidp_touch.h"

#define HIDP_TOUCH_MAX_CAPS 256
#define PAGE_GD 0x01
#define PAGE_DIG 0x0D
#define U_X 0x30
#define U_Y 0x31
#define U_IN_RANGE 0x32
#define U_TIP 0x42
#define U_BARREL 0x44
#define U_ERASER 0x45
/* linux/input.h numbers of the pen's events. */
#define EV_SYN_T 0x00
#define EV_KEY_T 0x01
#define EV_ABS_T 0x03
#define ABS_X_C 0x00
#define ABS_Y_C 0x01
#define BTN_TOOL_PEN_C 0x140
#define BTN_TOUCH_C 0x14a
#define BTN_STYLUS_C 0x14b
#define U_CONTACT_ID 0x51
#define U_CONTACT_COUNT 0x54

/* One buffer: the helper decodes on its one (window message) thread. */
static HIDP_VALUE_CAPS vcaps[HIDP_TOUCH_MAX_CAPS];

static int cap_is(const HIDP_VALUE_CAPS *c, USAGE page, USAGE usage)
{
	if (c->UsagePage != page)
		return 0;
	if (c->IsRange)
		return usage >= c->Range.UsageMin && usage <= c->Range.UsageMax;
	return c->NotRange.Usage == usage;
}

static USHORT value_caps(PHIDP_PREPARSED_DATA pp, HIDP_CAPS *caps)
{
	USHORT n;

	memset(caps, 0, sizeof(*caps));
	if (HidP_GetCaps(pp, caps) != HIDP_STATUS_SUCCESS)
		return 0;
	n = caps->NumberInputValueCaps;
	if (n > HIDP_TOUCH_MAX_CAPS)
		n = HIDP_TOUCH_MAX_CAPS;
	if (n == 0 || HidP_GetValueCaps(HidP_Input, vcaps, &n, pp) != HIDP_STATUS_SUCCESS)
		return 0;
	return n;
}

int hidp_touch_is_touch(hidp_touch_pp p)
{
	PHIDP_PREPARSED_DATA pp = p;
	HIDP_CAPS caps;
	USHORT n = value_caps(pp, &caps);

	if (caps.UsagePage != PAGE_DIG || (caps.Usage != 0x04 && caps.Usage != 0x05))
		return 0;
	for (USHORT i = 0; i < n; i++)
		if (cap_is(&vcaps[i], PAGE_GD, U_X))
			return 1;
	return 0;
}

static LONG get_value(PHIDP_PREPARSED_DATA pp, USAGE page, USHORT link, USAGE usage,
    const uint8_t *r, ULONG n)
{
	ULONG v = 0;

	if (HidP_GetUsageValue(HidP_Input, page, link, usage, &v, pp, (PCHAR)r, n) !=
	    HIDP_STATUS_SUCCESS)
		return -1;
	return (LONG)v;
}

/* 1 if digitizer button `usage` of link collection `link` is set. */
static int button(PHIDP_PREPARSED_DATA pp, USHORT link, USAGE usage, const uint8_t *r,
    ULONG n)
{
	USAGE u[32];
	ULONG nu = 32;

	if (HidP_GetUsages(HidP_Input, PAGE_DIG, link, u, &nu, pp, (PCHAR)r, n) !=
	    HIDP_STATUS_SUCCESS)
		return 0;
	for (ULONG i = 0; i < nu; i++)
		if (u[i] == usage)
			return 1;
	return 0;
}

static int tip_down(PHIDP_PREPARSED_DATA pp, USHORT link, const uint8_t *r, ULONG n)
{
	return button(pp, link, U_TIP, r, n);
}

int hidp_touch_decode(hidp_touch_pp p, const uint8_t *r, size_t len,
    struct hidtouch_contact *out, size_t max, size_t *count)
{
	PHIDP_PREPARSED_DATA pp = p;
	HIDP_CAPS caps;
	USHORT nv = value_caps(pp, &caps);
	ULONG n;
	LONG contact_count = -1;
	size_t m = 0;

	*count = 0;
	if (len == 0 || len < caps.InputReportByteLength)
		return -1;
	n = caps.InputReportByteLength;	/* HidP_* insist on the exact length */
	for (USHORT i = 0; i < nv; i++) {
		const HIDP_VALUE_CAPS *c = &vcaps[i];

		if (c->ReportID != r[0])
			continue;
		if (cap_is(c, PAGE_DIG, U_CONTACT_COUNT))
			contact_count = get_value(pp, PAGE_DIG, c->LinkCollection,
			    U_CONTACT_COUNT, r, n);
		if (!cap_is(c, PAGE_GD, U_X) || m >= max)
			continue;
		out[m] = (struct hidtouch_contact){
			.id = get_value(pp, PAGE_DIG, c->LinkCollection, U_CONTACT_ID, r, n),
			.tip = tip_down(pp, c->LinkCollection, r, n),
			.x = get_value(pp, PAGE_GD, c->LinkCollection, U_X, r, n),
			.y = get_value(pp, PAGE_GD, c->LinkCollection, U_Y, r, n),
		};
		m++;
	}
	if (m == 0)
		return -1;
	if (contact_count > 0 && (size_t)contact_count < m)
		m = (size_t)contact_count;
	*count = m;
	return 0;
}

int hidp_pen_is_pen(hidp_touch_pp p)
{
	PHIDP_PREPARSED_DATA pp = p;
	HIDP_CAPS caps;
	USHORT n = value_caps(pp, &caps);

	if (caps.UsagePage != PAGE_DIG || caps.Usage != 0x02)
		return 0;
	for (USHORT i = 0; i < n; i++)
		if (cap_is(&vcaps[i], PAGE_GD, U_X))
			return 1;
	return 0;
}

int hidp_pen_decode(hidp_touch_pp p, const uint8_t *r, size_t len, struct hidp_pen *out)
{
	PHIDP_PREPARSED_DATA pp = p;
	HIDP_CAPS caps;
	USHORT nv = value_caps(pp, &caps);
	ULONG n;

	if (len == 0 || len < caps.InputReportByteLength)
		return -1;
	n = caps.InputReportByteLength;
	for (USHORT i = 0; i < nv; i++) {
		const HIDP_VALUE_CAPS *c = &vcaps[i];
		USHORT link = c->LinkCollection;

		if (c->ReportID != r[0] || !cap_is(c, PAGE_GD, U_X))
			continue;
		*out = (struct hidp_pen){
			.in_range = button(pp, link, U_IN_RANGE, r, n),
			.tip = button(pp, link, U_TIP, r, n),
			.barrel = button(pp, link, U_BARREL, r, n),
			.eraser = button(pp, link, U_ERASER, r, n),
			.x = get_value(pp, PAGE_GD, link, U_X, r, n),
			.y = get_value(pp, PAGE_GD, link, U_Y, r, n),
		};
		return 0;
	}
	return -1;
}

static size_t put(struct hidtouch_event *ev, size_t k, size_t max, uint16_t type,
    uint16_t code, int32_t value)
{
	if (k < max)
		ev[k++] = (struct hidtouch_event){ type, code, value };
	return k;
}

size_t hidp_pen_track(struct hidp_pen_tracker *t, const struct hidp_pen *p,
    struct hidtouch_event *ev, size_t max)
{
	int touch = p->tip || p->eraser;
	int nearby = p->in_range || touch;
	int barrel = nearby && p->barrel;
	size_t k = 0;

	if (max == 0)
		return 0;
	max--;			/* room for SYN_REPORT */
	if (nearby != t->in_range)
		k = put(ev, k, max, EV_KEY_T, BTN_TOOL_PEN_C, nearby);
	if (nearby && p->x >= 0)
		k = put(ev, k, max, EV_ABS_T, ABS_X_C, p->x);
	if (nearby && p->y >= 0)
		k = put(ev, k, max, EV_ABS_T, ABS_Y_C, p->y);
	if (touch != t->touch)
		k = put(ev, k, max, EV_KEY_T, BTN_TOUCH_C, touch);
	if (barrel != t->barrel)
		k = put(ev, k, max, EV_KEY_T, BTN_STYLUS_C, barrel);
	t->in_range = nearby;
	t->touch = touch;
	t->barrel = barrel;
	if (k == 0)
		return 0;
	ev[k++] = (struct hidtouch_event){ EV_SYN_T, 0, 0 };
	return k;
}
