/*
 * win_hidp_touch: the helper's touch decoder (agent/win/hidp_touch.c, HidP_*
 * on preparsed data) on real touch frames' report descriptors
 * (tests/data/hid/) under wine, then through hidtouch_track to the
 * detector, where a contact held down is flagged stuck as on Linux.
 *
 * The helper gets preparsed data from Raw Input (RIDI_PREPARSEDDATA); wine
 * cannot create a HID device from a descriptor in a test, so here the same
 * preparsed data is built by the HID class driver's own parser:
 * HidP_GetCollectionDescription of hidparse.sys, which wine runs in user
 * mode (its drivers are user-mode PE DLLs; hidclass.sys hands exactly this
 * blob to hid.dll). Each top-level collection gets its own preparsed data,
 * as Raw Input gives each its own device handle. On real Windows
 * hidparse.sys cannot be loaded by a program: the test then fails at the
 * LoadLibrary, loudly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <cmocka.h>
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <hidsdi.h>
#include <hidpi.h>

#include "detector.h"
#include "hidp_touch.h"
#include "hidtouch.h"

/* hidpddi.h (WDK; not in mingw's headers): the parser's output. */
typedef struct {
	USHORT UsagePage, Usage;
	UCHAR CollectionNumber, Reserved[15];
	USHORT InputLength, OutputLength, FeatureLength, PreparsedDataLength;
	void *PreparsedData;
} coll_desc;
typedef struct {
	UCHAR ReportID, CollectionNumber;
	USHORT InputLength, OutputLength, FeatureLength;
} report_ids;
typedef struct {
	coll_desc *CollectionDesc;
	ULONG CollectionDescLength;
	report_ids *ReportIDs;
	ULONG ReportIDsLength;
	ULONG Dbg[8];
} device_desc;
typedef LONG (WINAPI *get_coll_desc_fn)(const UCHAR *, ULONG, int, device_desc *);

static get_coll_desc_fn get_coll_desc;

static void load_hidparse(void)
{
	wchar_t sys[MAX_PATH + 32];
	HMODULE m;

	if (get_coll_desc != NULL)
		return;
	GetSystemDirectoryW(sys, MAX_PATH);
	wcscat(sys, L"\\drivers\\hidparse.sys");
	m = LoadLibraryW(sys);
	if (m == NULL)
		fail_msg("LoadLibrary(hidparse.sys): error %lu", GetLastError());
	get_coll_desc = (get_coll_desc_fn)(void (*)(void))GetProcAddress(m,
	    "HidP_GetCollectionDescription");
	assert_non_null(get_coll_desc);
}

/* The end of the top-level collection that starts at rd[0]. Wine 8's
 * hidparse.sys parses only the first one of a descriptor (later wines
 * and Windows split them the same way, each on its own). */
static size_t tlc_end(const uint8_t *rd, size_t n)
{
	size_t i = 0;
	int depth = 0;

	while (i < n) {
		uint8_t b = rd[i];
		size_t bytes = (b & 3) == 3 ? 4 : (b & 3);

		i += 1 + bytes;
		if ((b & 0xfc) == 0xa0)
			depth++;
		else if ((b & 0xfc) == 0xc0 && --depth == 0)
			return i < n ? i : n;
	}
	return n;
}

/* The preparsed data of rdesc NAME's first digitizer collection of
 * `usage` (0x04 touch screen, 0x02 pen); every collection must be taken
 * for a touch screen or a pen exactly when it is one. */
static void *digitizer_collection(const char *name, USHORT usage)
{
	uint8_t rd[2048];
	char path[256];
	unsigned v;
	size_t n = 0, at = 0;
	void *touch = NULL;
	FILE *f;

	load_hidparse();
	snprintf(path, sizeof(path), "tests/data/hid/%s.rdesc", name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (n < sizeof(rd) && fscanf(f, "%x", &v) == 1)
		rd[n++] = (uint8_t)v;
	fclose(f);
	while (at < n) {
		size_t len = tlc_end(rd + at, n - at);
		device_desc dd = { 0 };
		coll_desc *c;

		assert_int_equal(get_coll_desc(rd + at, (ULONG)len, 0 /* NonPagedPool */, &dd),
		    HIDP_STATUS_SUCCESS);
		assert_int_equal(dd.CollectionDescLength, 1);
		c = &dd.CollectionDesc[0];
		if (c->UsagePage == 0x0D && c->Usage == usage && touch == NULL)
			touch = c->PreparsedData;
		assert_int_equal(hidp_touch_is_touch(c->PreparsedData),
		    c->UsagePage == 0x0D && c->Usage == 0x04);
		assert_int_equal(hidp_pen_is_pen(c->PreparsedData),
		    c->UsagePage == 0x0D && c->Usage == 0x02);
		at += len;
	}
	if (touch == NULL || (usage == 0x04 ? !hidp_touch_is_touch(touch) :
	    !hidp_pen_is_pen(touch)))
		fail_msg("%s: no collection 0x0D:%02x", name, usage);
	return touch;
}

static void *touch_collection(const char *name)
{
	return digitizer_collection(name, 0x04);
}

static void hex(const char *s, uint8_t *out, size_t *n)
{
	unsigned v;
	int used;

	*n = 0;
	while (sscanf(s, "%x%n", &v, &used) == 1) {
		out[(*n)++] = (uint8_t)v;
		s += used;
	}
}

/* Reports captured from the device by hid-tools (see tests/data/hid). */
static void test_actionstar_real_reports(void **state)
{
	void *pp = touch_collection("actionstar_2101_1011");
	struct hidtouch_contact c[8];
	uint8_t r[64];
	size_t rn, nc;

	hex("01 ff 01 57 1b 89 09 ff 02 7b 3b ea 07 02", r, &rn);
	assert_int_equal(hidp_touch_decode(pp, r, rn, c, 8, &nc), 0);
	assert_int_equal(nc, 2);
	assert_int_equal(c[0].id, 1);
	assert_int_equal(c[0].tip, 1);
	assert_int_equal(c[0].x, 6999);
	assert_int_equal(c[0].y, 2441);
	assert_int_equal(c[1].id, 2);
	assert_int_equal(c[1].tip, 1);
	assert_int_equal(c[1].x, 15227);
	assert_int_equal(c[1].y, 2026);
	hex("01 ff 02 81 3b f8 07 fe 01 54 1b 92 09 02", r, &rn);
	assert_int_equal(hidp_touch_decode(pp, r, rn, c, 8, &nc), 0);
	assert_int_equal(c[0].id, 2);
	assert_int_equal(c[0].x, 15233);
	assert_int_equal(c[1].id, 1);
	assert_int_equal(c[1].tip, 0);
	/* A short report is refused, not read past. */
	assert_int_equal(hidp_touch_decode(pp, r, 5, c, 8, &nc), -1);
}

static void test_cvtouch_six_fingers(void **state)
{
	void *pp = touch_collection("cvtouch_1ff7_0013");
	struct hidtouch_contact c[8];
	uint8_t r[38] = { 0 };
	size_t nc;

	r[0] = 0x02;
	r[1] = 0x03; r[2] = 7; r[3] = 0x34; r[4] = 0x12; r[5] = 0x78; r[6] = 0x56;
	r[7] = 0x03; r[8] = 9; r[9] = 0xff; r[10] = 0x7f; r[11] = 0x00; r[12] = 0x00;
	r[37] = 2;
	assert_int_equal(hidp_touch_decode(pp, r, sizeof(r), c, 8, &nc), 0);
	assert_int_equal(nc, 2);	/* Contact Count caps the six fingers */
	assert_int_equal(c[0].id, 7);
	assert_int_equal(c[0].tip, 1);
	assert_int_equal(c[0].x, 0x1234);
	assert_int_equal(c[0].y, 0x5678);
	assert_int_equal(c[1].id, 9);
	assert_int_equal(c[1].x, 0x7fff);
	assert_int_equal(c[1].y, 0);
}

static void test_atmel_packed_id(void **state)
{
	void *pp = touch_collection("atmel_03eb_211c");
	uint8_t r[64] = { 0x01, 0x01 | (5 << 3), 0xff, 0x0f, 0x00, 0x08 };
	struct hidtouch_contact c[2];
	size_t nc;

	assert_int_equal(hidp_touch_decode(pp, r, sizeof(r), c, 2, &nc), 0);
	assert_int_equal(nc, 1);
	assert_int_equal(c[0].tip, 1);
	assert_int_equal(c[0].id, 5);
	assert_int_equal(c[0].x, 0x0fff);
	assert_int_equal(c[0].y, 0x0800);
	r[1] = 0x00 | (5 << 3);		/* lifted */
	assert_int_equal(hidp_touch_decode(pp, r, sizeof(r), c, 2, &nc), 0);
	assert_int_equal(c[0].tip, 0);
}

/* Frames to events to the detector: two fingers begin (two touches), one
 * lifts, and the other stays down past stuck_contact: a ghost touch. */
static void test_track_and_stuck_contact(void **state)
{
	void *pp = touch_collection("actionstar_2101_1011");
	struct detector_settings set = { .idle_gap = 600, .min_session = 0, .stuck_contact = 5 };
	struct bbt_input_id id = { .name = "ActionStar", .vid = "2101", .pid = "1011" };
	struct hidtouch_tracker t = { 0 };
	struct hidtouch_contact c[8];
	struct hidtouch_event ev[64];
	struct detector_session s;
	static struct detector d;
	int64_t now = 1000000;
	uint8_t r[64];
	size_t rn, nc, ne;

	detector_init(&d, &set);
	assert_int_equal(detector_device_add(&d, 0, &id, 1), 0);
	hex("01 ff 01 57 1b 89 09 ff 02 7b 3b ea 07 02", r, &rn);
	for (int frame = 0; frame < 200; frame++, now += 100000) {
		if (frame == 1)
			hex("01 ff 02 81 3b f8 07 fe 01 54 1b 92 09 02", r, &rn);
		assert_int_equal(hidp_touch_decode(pp, r, rn, c, 8, &nc), 0);
		ne = hidtouch_track(&t, c, nc, ev, 64);
		if (frame == 1) {
			assert_int_equal(ev[ne - 2].code, 0x39);	/* t0 lifted */
			assert_int_equal(ev[ne - 2].value, -1);
		}
		for (size_t i = 0; i < ne; i++)
			detector_feed(&d, 0, now, ev[i].type, ev[i].code, ev[i].value);
	}
	detector_stop(&d);
	assert_int_equal(detector_take_closed(&d, &s), 1);
	assert_int_equal(s.touches, 2);
	assert_true(s.flags & BBT_FLAG_STUCK_CONTACT);
	assert_true(s.end_us - s.start_us <= 6 * 1000000LL);
}

/*
 * Pens: the N-trig DuoSense 1b96:0c03 (a Windows 8 pen and touch panel),
 * its descriptor as the hid-tools project recorded it and the Linux
 * kernel's HID selftests carry it (tools/testing/selftests/hid/tests/
 * test_tablet.py, class Testn_trig_1b96_0c03; tests/data/hid/README.md).
 * Its pen collection, report id 1, 10 bytes: In Range, Tip Switch, Barrel
 * Switch, Invert, Eraser (bits 0-4 of byte 1), 3 bits padding, X and Y
 * (16 bits, 0..9600 and 0..7200), Tip Pressure and a vendor word (16 bits
 * each), the states of Microsoft's "Windows Pen States" page.
 */
static void pen_report(uint8_t r[10], unsigned bits, unsigned x, unsigned y)
{
	memset(r, 0, 10);
	r[0] = 0x01;
	r[1] = (uint8_t)bits;
	r[2] = (uint8_t)x; r[3] = (uint8_t)(x >> 8);
	r[4] = (uint8_t)y; r[5] = (uint8_t)(y >> 8);
	r[6] = bits & 0x12 ? 0x80 : 0;		/* pressure while touching */
}
#define PEN_IN_RANGE 0x01
#define PEN_TIP 0x02
#define PEN_BARREL 0x04
#define PEN_INVERT 0x08
#define PEN_ERASER 0x10

static void test_ntrig_pen_decode(void **state)
{
	void *pen = digitizer_collection("ntrig_1b96_0c03", 0x02);
	void *touch = touch_collection("ntrig_1b96_0c03");
	struct hidp_pen p;
	uint8_t r[10];

	assert_int_equal(hidp_touch_is_touch(pen), 0);
	assert_int_equal(hidp_pen_is_pen(touch), 0);
	pen_report(r, PEN_IN_RANGE, 0x1234, 0x0578);	/* hovering */
	assert_int_equal(hidp_pen_decode(pen, r, sizeof(r), &p), 0);
	assert_int_equal(p.in_range, 1);
	assert_int_equal(p.tip, 0);
	assert_int_equal(p.barrel, 0);
	assert_int_equal(p.eraser, 0);
	assert_int_equal(p.x, 0x1234);
	assert_int_equal(p.y, 0x0578);
	pen_report(r, PEN_IN_RANGE | PEN_TIP | PEN_BARREL, 9600, 7200);
	assert_int_equal(hidp_pen_decode(pen, r, sizeof(r), &p), 0);
	assert_int_equal(p.tip, 1);
	assert_int_equal(p.barrel, 1);
	assert_int_equal(p.x, 9600);
	assert_int_equal(p.y, 7200);
	pen_report(r, PEN_IN_RANGE | PEN_INVERT | PEN_ERASER, 10, 20);	/* erasing */
	assert_int_equal(hidp_pen_decode(pen, r, sizeof(r), &p), 0);
	assert_int_equal(p.tip, 0);
	assert_int_equal(p.eraser, 1);
	/* Another report id, a short report: no pen state. */
	r[0] = 0x03;
	assert_int_equal(hidp_pen_decode(pen, r, sizeof(r), &p), -1);
	r[0] = 0x01;
	assert_int_equal(hidp_pen_decode(pen, r, 5, &p), -1);
}

/* Reports -> hidp_pen_track -> detector for `frames` reports 100 ms apart;
 * returns 1 and the session if one was logged. */
static int pen_run(void *pen, const unsigned *bits, int frames, struct detector_session *s,
    int *presses)
{
	struct detector_settings set = { .idle_gap = 600, .min_session = 1, .stuck_contact = 60 };
	struct bbt_input_id id = { .name = "N-trig Pen", .vid = "1b96", .pid = "0c03" };
	struct hidp_pen_tracker t = { 0 };
	struct hidtouch_event ev[8];
	static struct detector d;
	int64_t now = 1000000;
	struct hidp_pen p;
	uint8_t r[10];

	*presses = 0;
	detector_init(&d, &set);
	assert_int_equal(detector_device_add(&d, 0, &id, 0), 0);
	for (int f = 0; f < frames; f++, now += 100000) {
		size_t ne;

		pen_report(r, bits[f], 1000 + 10 * (unsigned)f, 2000 + 5 * (unsigned)f);
		assert_int_equal(hidp_pen_decode(pen, r, sizeof(r), &p), 0);
		ne = hidp_pen_track(&t, &p, ev, 8);
		assert_true(ne == 0 || ev[ne - 1].type == 0);	/* SYN_REPORT last */
		for (size_t i = 0; i < ne; i++) {
			if (ev[i].type == 1 && ev[i].value == 1)
				(*presses)++;
			detector_feed(&d, 0, now, ev[i].type, ev[i].code, ev[i].value);
		}
	}
	detector_stop(&d);
	return detector_take_closed(&d, s);
}

/* A pen hovering over the board for 10 s (In Range, moving, no Tip) is one
 * activity, its coming near (BTN_TOOL_PEN, as the Linux kernel sends it),
 * no touch and no lesson; the same pen writing is one, from its coming
 * near to its last stroke, the stroke a touch. */
static void test_pen_hover_is_no_press(void **state)
{
	void *pen = digitizer_collection("ntrig_1b96_0c03", 0x02);
	struct detector_session s;
	unsigned bits[100];
	int presses;

	for (int f = 0; f < 100; f++)
		bits[f] = PEN_IN_RANGE;
	assert_int_equal(pen_run(pen, bits, 100, &s, &presses), 0);
	assert_int_equal(presses, 1);
	/* Hover, write for 3 s, lift, hover again, leave range. */
	for (int f = 20; f < 50; f++)
		bits[f] = PEN_IN_RANGE | PEN_TIP;
	for (int f = 90; f < 100; f++)
		bits[f] = 0;
	assert_int_equal(pen_run(pen, bits, 100, &s, &presses), 1);
	assert_int_equal(presses, 2);
	assert_int_equal(s.touches, 1);
	assert_true(s.end_us - s.start_us >= 4800000 && s.end_us - s.start_us <= 5000000);
	assert_string_equal(s.input.vid, "1b96");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actionstar_real_reports),
		cmocka_unit_test(test_cvtouch_six_fingers),
		cmocka_unit_test(test_atmel_packed_id),
		cmocka_unit_test(test_track_and_stuck_contact),
		cmocka_unit_test(test_ntrig_pen_decode),
		cmocka_unit_test(test_pen_hover_is_no_press),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
