/*
 * Unit tests of agent/evemu.c: header lines (name with '#', ids as 4
 * lowercase hex digits, MT detection from A: lines, unknown lines ignored),
 * event lines with comments, and errors naming file and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "evemu.h"

static int parse(const char *text, struct evemu_recording *r, struct bbt_error *e)
{
	return evemu_parse_buffer("t.events", text, strlen(text), r, e);
}

static void header_and_events(void **state)
{
	struct evemu_recording r;
	struct bbt_error e = { "" };
	const char *text =
	    "# EVEMU 1.3\n"
	    "# Input device name: \"x\"\n"
	    "N: IRTOUCH #2 Infrared Touch  \r\n"
	    "I: 0003 6615 70 0110\n"
	    "P: 02 00 00 00 00 00 00 00\n"
	    "B: 00 0b 00 00 00 00 00 00 00\n"
	    "A: 2f 0 9 0 0 0\n"
	    "Z: some future header line\n"
	    "\n"
	    "E: 0.000000 0003 002f 1\t# EV_ABS / ABS_MT_SLOT 1\n"
	    "E: 0.5 0003 0039 -1\n"
	    "E: 12.000250 0001 014A 1 # trailing comment\n"
	    "E: 12.000250 0000 0000 0";	/* no final newline */

	assert_int_equal(parse(text, &r, &e), 0);
	assert_string_equal(r.id.name, "IRTOUCH #2 Infrared Touch");
	assert_string_equal(r.id.vid, "6615");
	assert_string_equal(r.id.pid, "0070");
	assert_int_equal(r.has_mt, 1);
	assert_int_equal(r.nevents, 4);
	assert_int_equal(r.events[0].type, 3);
	assert_int_equal(r.events[0].code, 0x2f);
	assert_int_equal(r.events[0].value, 1);
	assert_int_equal(r.events[1].time_us, 500000);
	assert_int_equal(r.events[1].value, -1);
	assert_int_equal(r.events[2].time_us, 12000250);
	assert_int_equal(r.events[2].code, 0x14a);
	assert_int_equal(r.events[3].type, 0);
	evemu_free(&r);
}

static void no_mt_without_mt_axes(void **state)
{
	struct evemu_recording r;
	struct bbt_error e = { "" };

	assert_int_equal(parse("N: mouse\nA: 00 0 10 0 0 0\nE: 0.1 0002 0000 3\n", &r, &e),
	    0);
	assert_int_equal(r.has_mt, 0);
	assert_string_equal(r.id.vid, "");
	evemu_free(&r);
}

static void expect_error(const char *text, const char *msg)
{
	struct evemu_recording r;
	struct bbt_error e = { "" };

	assert_int_equal(parse(text, &r, &e), -1);
	if (strstr(e.msg, msg) == NULL)
		fail_msg("'%s' does not contain '%s'", e.msg, msg);
	assert_null(r.events);
}

static void bad_lines_name_file_and_line(void **state)
{
	expect_error("N: x\nE: 0.1 0002 0000 1\nE: 0.2 0002 0000\n", "t.events:3: bad event line");
	expect_error("E: 1 0002 0000 1\n", "t.events:1: bad event line");
	expect_error("E: 0.1 0002 0000 1x\n", "t.events:1: bad event line");
	expect_error("E: 0.1 10000 0000 1\n", "t.events:1: bad event line");
	expect_error("E: 0.1 0002 0000 2147483648\n", "t.events:1: bad event line");
	expect_error("E: 0.1234567 0002 0000 1\n", "t.events:1: bad event line");
	expect_error("\n\nE: -1.0 0002 0000 1\n", "t.events:3: bad event line");
	expect_error("I: 0003 zz 0070 0110\n", "t.events:1: bad I: line");
	expect_error("I: 0003 16615 0070 0110\n", "t.events:1: bad I: line");
}

static void time_backwards_is_error(void **state)
{
	expect_error("E: 5.0 0002 0000 1\nE: 4.999999 0002 0000 1\n",
	    "t.events:2: event time goes backwards");
}

static void long_line_refused(void **state)
{
	char buf[5000];

	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "# ", 2);
	buf[sizeof(buf) - 1] = '\0';
	expect_error(buf, "t.events:1: line longer than");
}

static void load_missing_file_names_it(void **state)
{
	struct evemu_recording r;
	struct bbt_error e = { "" };

	assert_int_equal(evemu_load("/nonexistent/x.events", &r, &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent/x.events"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_and_events),
		cmocka_unit_test(no_mt_without_mt_axes),
		cmocka_unit_test(bad_lines_name_file_and_line),
		cmocka_unit_test(time_backwards_is_error),
		cmocka_unit_test(long_line_refused),
		cmocka_unit_test(load_missing_file_names_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
