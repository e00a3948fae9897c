/* Unit tests of the stats arithmetic (server/stats.c): coverage at the
 * bureau's bracket edges (40%, 60%, 80%) and its rounding, teaching hours,
 * and adding schools up into a district. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "stats.h"

static struct stats_figures rooms(int64_t active, int64_t classrooms)
{
	struct stats_figures f;

	memset(&f, 0, sizeof(f));
	f.c.active_classrooms = active;
	f.c.classrooms = classrooms;
	return f;
}

static void test_coverage_brackets(void **state)
{
	struct stats_figures f;

	(void)state;
	f = rooms(2, 5);
	assert_int_equal(stats_coverage_tenths(&f), 400);
	f = rooms(3, 5);
	assert_int_equal(stats_coverage_tenths(&f), 600);
	f = rooms(4, 5);
	assert_int_equal(stats_coverage_tenths(&f), 800);
	/* Just under a bracket stays under it: 79.9%, not 80%. */
	f = rooms(799, 1000);
	assert_int_equal(stats_coverage_tenths(&f), 799);
	f = rooms(1, 3);
	assert_int_equal(stats_coverage_tenths(&f), 333);
	f = rooms(2, 3);			/* 66.67 rounds half up */
	assert_int_equal(stats_coverage_tenths(&f), 667);
	f = rooms(0, 0);			/* no classrooms: 0, not a division by 0 */
	assert_int_equal(stats_coverage_tenths(&f), 0);
}

static void test_hours(void **state)
{
	struct stats_figures f = rooms(0, 0);

	(void)state;
	f.c.qualifying_s = 9300;		/* 2.583 h */
	assert_int_equal(stats_hours_tenths(&f), 26);
	f.c.qualifying_s = 180;			/* 0.05 h rounds up to 0.1 */
	assert_int_equal(stats_hours_tenths(&f), 1);
	f.c.qualifying_s = 179;
	assert_int_equal(stats_hours_tenths(&f), 0);
}

static void test_district_sum(void **state)
{
	struct stats_figures d = rooms(0, 0), a = rooms(2, 5), b = rooms(0, 3);

	(void)state;
	a.points = 15;
	a.live.scheduled = 1;
	a.live.delivered = 1;
	b.live.scheduled = 1;
	b.live.unknown = 1;
	b.c.enrolled = 1;
	stats_add(&d, &a);
	stats_add(&d, &b);
	assert_int_equal(d.c.classrooms, 8);
	assert_int_equal(d.c.active_classrooms, 2);
	assert_int_equal(stats_coverage_tenths(&d), 250);
	assert_int_equal(d.points, 15);
	assert_int_equal(d.c.enrolled, 1);
	assert_int_equal(d.live.scheduled, 2);
	assert_int_equal(d.live.delivered + d.live.unknown, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coverage_brackets),
		cmocka_unit_test(test_hours),
		cmocka_unit_test(test_district_sum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
