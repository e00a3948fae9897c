/* Unit tests of verify_end (the live-lesson status rule, CONTRACT 5.5) at its
 * boundaries, and of schedule_time_parse (开课时间 as people type it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "schedule.h"
#include "verify.h"

#define SLOT_S 3600

static enum verify_status judge(const struct verify_interval *v, size_t n, int has_device,
    int64_t last_seen, int64_t *covered)
{
	struct verify_end_input in = { 1000, 1000 + SLOT_S, v, n, has_device, last_seen };

	return verify_end(&in, covered);
}

static void test_eighty_percent_boundary(void **state)
{
	struct verify_interval exact = { 1000, 1000 + 2880 };	/* 48 of 60 min */
	struct verify_interval under = { 1000, 1000 + 2879 };
	int64_t c;

	(void)state;
	assert_int_equal(judge(&exact, 1, 1, 0, &c), VERIFY_DELIVERED);
	assert_int_equal(c, 2880);
	assert_int_equal(judge(&under, 1, 1, 0, &c), VERIFY_PARTIAL);
	assert_int_equal(c, 2879);
}

static void test_union_clipped_to_slot(void **state)
{
	/* Two sessions with a gap, unsorted, one starting before the slot: 50 min. */
	struct verify_interval gap[] = { { 1000 + 2100, 1000 + 4000 }, { 0, 1000 + 1500 } };
	/* Overlapping sessions count once: 40 min, partial. */
	struct verify_interval overlap[] = { { 1000, 1000 + 2400 }, { 1000 + 600, 1000 + 2000 } };
	int64_t c;

	(void)state;
	assert_int_equal(judge(gap, 2, 1, 0, &c), VERIFY_DELIVERED);
	assert_int_equal(c, 3000);
	assert_int_equal(judge(overlap, 2, 1, 0, &c), VERIFY_PARTIAL);
	assert_int_equal(c, 2400);
}

static void test_nothing_covers(void **state)
{
	struct verify_interval before = { 0, 1000 };	/* ends as the slot starts */
	int64_t c;

	(void)state;
	/* Seen exactly at the slot's end: its data would have come: missed. */
	assert_int_equal(judge(&before, 1, 1, 1000 + SLOT_S, &c), VERIFY_MISSED);
	assert_int_equal(c, 0);
	assert_int_equal(judge(NULL, 0, 1, 1000 + SLOT_S - 1, &c), VERIFY_UNKNOWN);
	assert_int_equal(judge(NULL, 0, 1, 0, &c), VERIFY_UNKNOWN);
	assert_int_equal(judge(NULL, 0, 0, 0, &c), VERIFY_NO_DEVICE);
	assert_string_equal(verify_status_name(VERIFY_NO_DEVICE), "no_device");
}

static void test_time_formats(void **state)
{
	int y, m, d, s, e;
	struct bbt_error err;

	(void)state;
	assert_int_equal(schedule_time_parse("12月10日 9:00-10:00", 2026, &y, &m, &d, &s, &e,
	    &err), 0);
	assert_true(y == 2026 && m == 12 && d == 10 && s == 540 && e == 600);
	assert_int_equal(schedule_time_parse("2027-01-05 08:05-08:45", 2026, &y, &m, &d, &s,
	    &e, &err), 0);
	assert_true(y == 2027 && m == 1 && d == 5 && s == 485 && e == 525);
	assert_int_equal(schedule_time_parse("２０２６－１２－１０　９：００—１０：００", 2025,
	    &y, &m, &d, &s, &e, &err), 0);
	assert_true(y == 2026 && m == 12 && d == 10 && s == 540 && e == 600);
	assert_int_equal(schedule_time_parse("2026年12月10日 14:00～14:40", 2025, &y, &m, &d,
	    &s, &e, &err), 0);
	assert_true(y == 2026 && s == 840 && e == 880);
	assert_int_equal(schedule_time_parse("12月10日 9:00 至 10:00", 2026, &y, &m, &d, &s,
	    &e, &err), 0);
	assert_int_equal(s, 540);
}

static void test_time_refusals(void **state)
{
	static const char *const bad[] = { "12月10日", "12月10日 9点-10点", "2月30日 9:00-10:00",
		"12月10日 10:00-9:00", "12月10日 9:00-10:00 extra", "2026-13-01 9:00-10:00",
		"12月10日 25:00-26:00", "" };
	int y, m, d, s, e;
	struct bbt_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(schedule_time_parse(bad[i], 2026, &y, &m, &d, &s, &e, &err), -1);
		assert_non_null(strstr(err.msg, "开课时间"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eighty_percent_boundary),
		cmocka_unit_test(test_union_clipped_to_slot),
		cmocka_unit_test(test_nothing_covers),
		cmocka_unit_test(test_time_formats),
		cmocka_unit_test(test_time_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
