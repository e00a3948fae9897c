/*
 * agent_hidtouch: the HID digitizer decoder (agent/hidtouch.c) on real
 * touch frames' report descriptors (tests/data/hid/, sources in its
 * README), natively and under wine: fields found where the descriptor
 * puts them, reports cut into contacts, frames turned into protocol B
 * events, and a contact held down (a stuck IR beam) flagged by the
 * detector exactly as evdev's would be.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detector.h"
#include "hidtouch.h"

static size_t load_rdesc(const char *name, uint8_t *out, size_t max)
{
	char path[256];
	unsigned v;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "tests/data/hid/%s.rdesc", name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (n < max && fscanf(f, "%x", &v) == 1)
		out[n++] = (uint8_t)v;
	fclose(f);
	return n;
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

static struct hidtouch_desc desc;

static void test_actionstar_real_reports(void **state)
{
	uint8_t rd[1024], r[64];
	size_t n = load_rdesc("actionstar_2101_1011", rd, sizeof(rd)), rn, nc;
	struct hidtouch_contact c[8];
	struct bbt_error e = { 0 };

	assert_int_equal(hidtouch_parse(rd, n, &desc, &e), 0);
	assert_int_equal(desc.nfingers, 2);
	assert_true(desc.uses_report_ids);
	/* Captured from the device (hid-tools): t0 (1, 6999, 2441), t1 (2, 15227, 2026). */
	hex("01 ff 01 57 1b 89 09 ff 02 7b 3b ea 07 02", r, &rn);
	assert_int_equal(hidtouch_decode(&desc, r, rn, c, 8, &nc), 0);
	assert_int_equal(nc, 2);
	assert_int_equal(c[0].id, 1);
	assert_int_equal(c[0].tip, 1);
	assert_int_equal(c[0].x, 6999);
	assert_int_equal(c[0].y, 2441);
	assert_int_equal(c[1].id, 2);
	assert_int_equal(c[1].x, 15227);
	assert_int_equal(c[1].y, 2026);
	/* t0's tip switch off, now in the second finger's place. */
	hex("01 ff 02 81 3b f8 07 fe 01 54 1b 92 09 02", r, &rn);
	assert_int_equal(hidtouch_decode(&desc, r, rn, c, 8, &nc), 0);
	assert_int_equal(c[0].id, 2);
	assert_int_equal(c[0].x, 15233);
	assert_int_equal(c[1].id, 1);
	assert_int_equal(c[1].tip, 0);
	/* A feature report id carries no finger. */
	hex("02 02", r, &rn);
	assert_int_equal(hidtouch_decode(&desc, r, rn, c, 8, &nc), -1);
}

static void test_cvtouch_six_fingers(void **state)
{
	uint8_t rd[2048], r[38] = { 0 };
	size_t n = load_rdesc("cvtouch_1ff7_0013", rd, sizeof(rd)), nc;
	struct hidtouch_contact c[8];
	struct bbt_error e = { 0 };

	assert_int_equal(hidtouch_parse(rd, n, &desc, &e), 0);
	assert_int_equal(desc.nfingers, 6);
	/* Report 2: per finger tip/in-range byte, id byte, X16, Y16; count last. */
	r[0] = 0x02;
	r[1] = 0x03; r[2] = 7; r[3] = 0x34; r[4] = 0x12; r[5] = 0x78; r[6] = 0x56;
	r[7] = 0x03; r[8] = 9; r[9] = 0xff; r[10] = 0x7f; r[11] = 0x00; r[12] = 0x00;
	r[37] = 2;
	assert_int_equal(hidtouch_decode(&desc, r, sizeof(r), c, 8, &nc), 0);
	assert_int_equal(nc, 2);	/* Contact Count caps the six fingers */
	assert_int_equal(c[0].id, 7);
	assert_int_equal(c[0].x, 0x1234);
	assert_int_equal(c[0].y, 0x5678);
	assert_int_equal(c[1].id, 9);
	assert_int_equal(c[1].x, 0x7fff);
	/* The mouse collection's report 1 is not touch. */
	r[0] = 0x01;
	assert_int_equal(hidtouch_decode(&desc, r, 6, c, 8, &nc), -1);
}

static void test_atmel_packed_id(void **state)
{
	uint8_t rd[512], r[6] = { 0x01, 0x01 | (5 << 3), 0xff, 0x0f, 0x00, 0x08 };
	size_t n = load_rdesc("atmel_03eb_211c", rd, sizeof(rd)), nc;
	struct hidtouch_contact c[2];
	struct bbt_error e = { 0 };

	assert_int_equal(hidtouch_parse(rd, n, &desc, &e), 0);
	assert_int_equal(desc.nfingers, 1);
	assert_int_equal(hidtouch_decode(&desc, r, sizeof(r), c, 2, &nc), 0);
	assert_int_equal(nc, 1);
	assert_int_equal(c[0].tip, 1);
	assert_int_equal(c[0].id, 5);
	assert_int_equal(c[0].x, 0x0fff);
	assert_int_equal(c[0].y, 0x0800);
	assert_int_equal(hidtouch_parse(rd, 7, &desc, &e), -1);	/* cut short */
}

/* Frames to events to the detector: two fingers begin (two touches), one
 * lifts, and the other stays down past stuck_contact: a ghost touch. */
static void test_track_and_stuck_contact(void **state)
{
	uint8_t rd[1024], r[64];
	size_t n = load_rdesc("actionstar_2101_1011", rd, sizeof(rd)), rn, nc, ne;
	struct detector_settings set = { .idle_gap = 600, .min_session = 0, .stuck_contact = 5 };
	struct bbt_input_id id = { .name = "ActionStar", .vid = "2101", .pid = "1011" };
	struct hidtouch_tracker t = { 0 };
	struct hidtouch_contact c[8];
	struct hidtouch_event ev[64];
	struct detector_session s;
	struct bbt_error e = { 0 };
	static struct detector d;
	int64_t now = 1000000;

	assert_int_equal(hidtouch_parse(rd, n, &desc, &e), 0);
	detector_init(&d, &set);
	assert_int_equal(detector_device_add(&d, 0, &id, 1), 0);
	hex("01 ff 01 57 1b 89 09 ff 02 7b 3b ea 07 02", r, &rn);
	for (int frame = 0; frame < 200; frame++, now += 100000) {
		if (frame == 1)
			hex("01 ff 02 81 3b f8 07 fe 01 54 1b 92 09 02", r, &rn);
		assert_int_equal(hidtouch_decode(&desc, r, rn, c, 8, &nc), 0);
		ne = hidtouch_track(&t, c, nc, ev, 64);
		if (frame == 0) {
			assert_int_equal(ev[0].code, 0x2f);	/* ABS_MT_SLOT 0 */
			assert_int_equal(ev[1].code, 0x39);	/* TRACKING_ID 0 */
			assert_int_equal(ev[1].value, 0);
		}
		if (frame == 1) {
			assert_int_equal(ev[ne - 2].code, 0x39);	/* t0 lifted */
			assert_int_equal(ev[ne - 2].value, -1);
		}
		for (size_t i = 0; i < ne; i++)
			detector_feed(&d, 0, now, ev[i].type, ev[i].code, ev[i].value);
	}
	/* 20 s of one contact held still: stuck after 5 s. */
	detector_stop(&d);
	assert_int_equal(detector_take_closed(&d, &s), 1);
	assert_int_equal(s.touches, 2);
	assert_true(s.flags & BBT_FLAG_STUCK_CONTACT);
	/* Activity stopped when the contact became stuck, not at the end. */
	assert_true(s.end_us - s.start_us <= 6 * 1000000LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actionstar_real_reports),
		cmocka_unit_test(test_cvtouch_six_fingers),
		cmocka_unit_test(test_atmel_packed_id),
		cmocka_unit_test(test_track_and_stuck_contact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
