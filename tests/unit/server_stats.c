/* Unit tests of the stats arithmetic (server/stats.c): coverage at the
 * bureau's bracket edges (40%, 60%, 80%) and its rounding, teaching hours,
 * adding schools up into a district, the equipment score's brackets at
 * their edges, rollout targets around their dates and the rule sections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bbt_time.h"
#include "rules.h"
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

static struct rules_stats baoji(void)
{
	struct rules_stats r;

	rules_stats_default(&r);
	return r;
}

/* Issue 15's edges: 39.9 / 40.0 / 59.9 / 60.0 / 80.0 / 100 % -> 0 1 1 2 3 4. */
static void test_equipment_brackets(void **state)
{
	struct rules_stats r = baoji();
	char why[256];

	(void)state;
	assert_int_equal(stats_equipment_points(&r, 399, 1000, why, sizeof(why)), 0);
	assert_string_equal(why, "equipment: 399 of 1000 classrooms reported = 39.9% < 40%: "
	    "0 points");
	assert_int_equal(stats_equipment_points(&r, 400, 1000, NULL, 0), 1);
	assert_int_equal(stats_equipment_points(&r, 2, 5, NULL, 0), 1);
	assert_int_equal(stats_equipment_points(&r, 599, 1000, NULL, 0), 1);
	/* 59.96 % shows as 59.9 (truncated) and scores as below 60. */
	assert_int_equal(stats_equipment_points(&r, 5996, 10000, NULL, 0), 1);
	assert_int_equal(stats_share_tenths(5996, 10000), 599);
	assert_int_equal(stats_equipment_points(&r, 600, 1000, why, sizeof(why)), 2);
	assert_string_equal(why, "equipment: 600 of 1000 classrooms reported = 60.0% >= 60%: "
	    "2 points");
	assert_int_equal(stats_equipment_points(&r, 3, 5, NULL, 0), 2);
	assert_int_equal(stats_equipment_points(&r, 800, 1000, NULL, 0), 3);
	assert_int_equal(stats_equipment_points(&r, 999, 1000, NULL, 0), 3);
	assert_int_equal(stats_equipment_points(&r, 1000, 1000, why, sizeof(why)), 4);
	assert_string_equal(why, "equipment: all 1000 classrooms reported: 4 points");
	assert_int_equal(stats_equipment_points(&r, 0, 0, NULL, 0), 0);	/* no rooms */
}

static void test_rule_sections(void **state)
{
	struct points_rule pr;
	struct rules_stats r;
	struct bbt_error e;

	(void)state;
	/* Another city's table replaces Baoji's as a whole. */
	assert_int_equal(rules_parse_string_all("t", "[equipment_score]\n90 = 10\n62.5 = 5\n",
	    &pr, &r, &e), 0);
	assert_int_equal(r.equipment, 1);
	assert_int_equal(r.all_points, -1);
	assert_int_equal(r.nbrackets, 2);
	assert_int_equal(r.brackets[0].min_tenths, 900);
	assert_int_equal(r.district_at_tenths, -1);
	assert_int_equal(stats_equipment_points(&r, 625, 1000, NULL, 0), 5);
	assert_int_equal(stats_equipment_points(&r, 624, 1000, NULL, 0), 0);
	assert_int_equal(stats_equipment_points(&r, 1000, 1000, NULL, 0), 10);
	/* A file without the section has no score. */
	assert_int_equal(rules_parse_string_all("t", "[interactive_teaching]\nmax_per_week = 3\n",
	    &pr, &r, &e), 0);
	assert_int_equal(r.equipment, 0);
	assert_int_equal(pr.max_per_week, 3);
	/* Targets sorted by date, whatever the file's order. */
	assert_int_equal(rules_parse_string_all("t", "[rollout_targets]\n2027-05-31 = 100\n"
	    "2026-10-31 = 50\n2026-12-31 = 80\n", &pr, &r, &e), 0);
	assert_int_equal(r.ntargets, 3);
	assert_int_equal(r.targets[0].pct_tenths, 500);
	assert_int_equal(r.targets[2].pct_tenths, 1000);
	/* Before, on and after each date. */
	assert_int_equal(stats_target_index(&r, bbt_days_from_civil(2026, 10, 30)), -1);
	assert_int_equal(stats_target_index(&r, bbt_days_from_civil(2026, 10, 31)), 0);
	assert_int_equal(stats_target_index(&r, bbt_days_from_civil(2026, 11, 1)), 0);
	assert_int_equal(stats_target_index(&r, bbt_days_from_civil(2026, 12, 30)), 0);
	assert_int_equal(stats_target_index(&r, bbt_days_from_civil(2026, 12, 31)), 1);
	assert_int_equal(stats_target_index(&r, bbt_days_from_civil(2027, 5, 30)), 1);
	assert_int_equal(stats_target_index(&r, bbt_days_from_civil(2027, 5, 31)), 2);
	assert_int_equal(stats_target_index(&r, bbt_days_from_civil(2030, 1, 1)), 2);
	/* Errors name the line. */
	assert_int_equal(rules_parse_string_all("t", "[rollout_targets]\n2026-02-30 = 50\n",
	    &pr, &r, &e), -1);
	assert_string_equal(bbt_error_msg(&e), "t:2: bad date '2026-02-30' (want YYYY-MM-DD)");
	assert_int_equal(rules_parse_string_all("t", "[rollout_targets]\n2026-10-31 = 101\n",
	    &pr, &r, &e), -1);
	assert_int_equal(rules_parse_string_all("t", "[equipment_score]\n60 = 2\n60.0 = 3\n",
	    &pr, &r, &e), -1);
	assert_int_equal(rules_parse_string_all("t", "[equipment_score]\nsixty = 2\n",
	    &pr, &r, &e), -1);
	assert_int_equal(rules_parse_string_all("t", "[equipment_score]\n60 = -1\n",
	    &pr, &r, &e), -1);
	/* The shipped file equals the built-in defaults. */
	assert_int_equal(rules_load_all("../server/rules/points.ini", &pr, &r, &e) == 0 ||
	    rules_load_all("server/rules/points.ini", &pr, &r, &e) == 0, 1);
	{
		struct rules_stats d = baoji();

		assert_memory_equal(&r, &d, sizeof(r));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coverage_brackets),
		cmocka_unit_test(test_hours),
		cmocka_unit_test(test_district_sum),
		cmocka_unit_test(test_equipment_brackets),
		cmocka_unit_test(test_rule_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
