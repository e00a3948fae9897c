/*
 * server/rules.c: the rule file. Defaults equal the published rule; keys
 * left out keep them; every unknown section or key and every value out of
 * range is an error naming the line (a misspelt key silently ignored would
 * pay teachers by the wrong rule) and leaves the caller's rule untouched;
 * a zone name never reads as a path; a section replaces its default whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rules.h"

static void expect_default(const struct points_rule *r)
{
	assert_string_equal(r->name, "互动授课");
	assert_int_equal(r->points_per_session, 5);
	assert_int_equal(r->min_duration_s, 900);
	assert_int_equal(r->max_per_week, 2);
	assert_string_equal(r->week_zone, "Asia/Shanghai");
}

static void test_defaults_and_overrides(void **state)
{
	struct points_rule r;
	struct rules_stats s;
	struct bbt_error e;

	(void)state;
	assert_int_equal(rules_parse_string("t", "", &r, &e), 0);
	expect_default(&r);
	assert_int_equal(rules_parse_string("t", "; a comment\n[interactive_teaching]\n", &r,
	    &e), 0);
	expect_default(&r);
	assert_int_equal(rules_parse_string("t", "[interactive_teaching]\nname = 互动课堂\n"
	    "max_per_week = 0\n", &r, &e), 0);
	assert_string_equal(r.name, "互动课堂");
	assert_int_equal(r.max_per_week, 0);		/* 0 = no cap */
	assert_int_equal(r.min_duration_s, 900);	/* left out: the default */
	/* The built-in statistics sections: Baoji's published brackets. */
	rules_stats_default(&s);
	assert_int_equal(s.equipment, 1);
	assert_int_equal(s.all_points, 4);
	assert_int_equal(s.nbrackets, 3);
	assert_int_equal(s.brackets[0].min_tenths, 800);
	assert_int_equal(s.brackets[2].min_tenths, 400);
	assert_int_equal(s.district_at_tenths, 600);
	assert_int_equal(s.ntargets, 0);
}

/* text must fail with exactly msg, and leave r as it was. */
static void expect_error(const char *text, const char *msg)
{
	struct points_rule r;
	struct bbt_error e;

	points_rule_default(&r);
	r.points_per_session = 77;
	if (rules_parse_string("f.ini", text, &r, &e) != -1)
		fail_msg("accepted: %s", text);
	assert_string_equal(bbt_error_msg(&e), msg);
	assert_int_equal(r.points_per_session, 77);
}

static void test_errors_name_the_line(void **state)
{
	(void)state;
	expect_error("[interactive_teaching]\npoints_per_sesion = 5\n",
	    "f.ini:2: unknown key 'points_per_sesion'");
	/* (A section header alone is not seen: libinih reports keys only.) */
	expect_error("[teaching]\nname = x\n", "f.ini:2: unknown section [teaching] (want "
	    "[interactive_teaching], [equipment_score] or [rollout_targets])");
	expect_error("[interactive_teaching]\n\nmin_duration_s = 86401\n",
	    "f.ini:3: bad value '86401' for min_duration_s");
	expect_error("[interactive_teaching]\nmax_per_week = -1\n",
	    "f.ini:2: bad value '-1' for max_per_week");
	expect_error("[interactive_teaching]\npoints_per_session = 5x\n",
	    "f.ini:2: bad value '5x' for points_per_session");
	expect_error("[interactive_teaching]\nname =\n", "f.ini:2: bad value '' for name");
	expect_error("not an ini line\n", "f.ini:1: not an INI line");
	expect_error("[equipment_score]\ndistrict = 4\n",
	    "f.ini: [equipment_score] has no bracket");
}

static void test_range_edges(void **state)
{
	struct points_rule r;
	struct bbt_error e;

	(void)state;
	assert_int_equal(rules_parse_string("t", "[interactive_teaching]\n"
	    "points_per_session = 1000000\nmin_duration_s = 86400\nmax_per_week = 1000\n",
	    &r, &e), 0);
	assert_int_equal(r.points_per_session, 1000000);
	assert_int_equal(r.min_duration_s, 86400);
	assert_int_equal(r.max_per_week, 1000);
	assert_int_equal(rules_parse_string("t", "[interactive_teaching]\n"
	    "points_per_session = 1000001\n", &r, &e), -1);
	assert_int_equal(rules_parse_string("t", "[interactive_teaching]\n"
	    "min_duration_s = 0\n", &r, &e), 0);
}

static void test_percent_keys(void **state)
{
	static const char *const bad[] = { "62.55", "100.1", ".5", "5.", "1e2", "-10", "" };
	struct points_rule r;
	struct rules_stats s;
	struct bbt_error e;
	char text[128];

	(void)state;
	assert_int_equal(rules_parse_string_all("t", "[equipment_score]\n62.5 = 2\n100.0 = 5\n"
	    "0 = 1\ndistrict_all_at = 59.9\n", &r, &s, &e), 0);
	assert_int_equal(s.nbrackets, 3);
	assert_int_equal(s.brackets[0].min_tenths, 1000);	/* highest first */
	assert_int_equal(s.brackets[1].min_tenths, 625);
	assert_int_equal(s.brackets[2].min_tenths, 0);
	assert_int_equal(s.district_at_tenths, 599);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[equipment_score]\n%s = 1\n", bad[i]);
		if (rules_parse_string_all("t", text, &r, &s, &e) != -1)
			fail_msg("bracket '%s' accepted", bad[i]);
		snprintf(text, sizeof(text), "[rollout_targets]\n2026-10-31 = %s\n", bad[i]);
		if (rules_parse_string_all("t", text, &r, &s, &e) != -1)
			fail_msg("target '%s' accepted", bad[i]);
	}
}

/* 1 if a rule file with week_zone = zone loads. */
static int zone_ok(const char *zone)
{
	struct points_rule r;
	char text[256];

	snprintf(text, sizeof(text), "[interactive_teaching]\nweek_zone = %s\n", zone);
	return rules_parse_string("t", text, &r, NULL) == 0;
}

static void test_zone_is_never_a_path(void **state)
{
	struct points_rule r;
	struct bbt_error e;

	(void)state;
	assert_true(zone_ok("Asia/Shanghai"));
	assert_true(zone_ok("UTC"));
	assert_false(zone_ok(""));			/* a rule file must name one */
	assert_false(zone_ok("/etc/localtime"));
	assert_false(zone_ok("../../etc/passwd"));
	assert_false(zone_ok("Asia/../Asia/Shanghai"));
	assert_false(zone_ok("Asia"));			/* a directory */
	assert_false(zone_ok("Mars/Olympus_Mons"));
	assert_int_equal(rules_parse_string("t", "[interactive_teaching]\n"
	    "week_zone = Asia/Urumqi\n", &r, &e), 0);
	assert_string_equal(r.week_zone, "Asia/Urumqi");
	assert_int_equal(rules_parse_string("t", "[interactive_teaching]\n"
	    "week_zone = ../etc/passwd\n", &r, &e), -1);
	assert_string_equal(bbt_error_msg(&e), "t:2: bad value '../etc/passwd' for week_zone");
}

static void test_load_file(void **state)
{
	char dir[] = "/tmp/bbt-ut-rules.XXXXXX", path[64], missing[64];
	struct points_rule r;
	struct rules_stats s;
	struct bbt_error e;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/points.ini", dir);
	snprintf(missing, sizeof(missing), "%s/none.ini", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[interactive_teaching]\nmax_per_week = 3\n[rollout_targets]\n"
	    "2026-12-31 = 80\n", f);
	fclose(f);
	assert_int_equal(rules_load_all(path, &r, &s, &e), 0);
	assert_int_equal(r.max_per_week, 3);
	assert_int_equal(s.equipment, 0);	/* a file without the section: no score */
	assert_int_equal(s.ntargets, 1);
	assert_int_equal(s.targets[0].pct_tenths, 800);
	assert_int_equal(rules_load(path, &r, &e), 0);
	assert_int_equal(r.max_per_week, 3);
	assert_int_equal(rules_load(missing, &r, &e), -1);
	assert_non_null(strstr(bbt_error_msg(&e), "none.ini: cannot open"));
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_overrides),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_range_edges),
		cmocka_unit_test(test_percent_keys),
		cmocka_unit_test(test_zone_is_never_a_path),
		cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests_name("server_rules", tests, NULL, NULL);
}
