/* Unit tests of the teachers report's pure core (server/teachers.c): weekly
 * points rows fold into one row per teacher whose totals are their sums,
 * live lessons match a timetable name only when it is unambiguous, and the
 * order is by points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "teachers.h"

static void test_fold_sums_weeks(void **state)
{
	struct points_session ss[4];
	size_t w1[] = { 0, 1 }, w2[] = { 2 }, u[] = { 3 };
	struct points_row rows[] = {
		{ "S", "T1", "王芳", 2026, 45, 2, 2, 10, w1, 2 },
		{ "S", NULL, NULL, 2026, 45, 1, 0, 0, u, 1 },
		{ "S", "T1", "王芳", 2026, 46, 1, 0, 0, w2, 1 },
	};
	struct teachers_row *t = NULL;
	size_t n = 0;

	(void)state;
	memset(ss, 0, sizeof(ss));
	ss[0] = (struct points_session){ .start = 100, .end = 1000, .duration_s = 900,
		.qualifying = 1 };
	ss[1] = (struct points_session){ .start = 2000, .end = 4000, .duration_s = 2000,
		.qualifying = 1 };
	ss[2] = (struct points_session){ .start = 9000, .end = 9300, .duration_s = 300 };
	ss[3] = (struct points_session){ .start = 50, .end = 1950, .duration_s = 1900,
		.qualifying = 1 };
	assert_int_equal(teachers_fold(rows, 3, ss, &t, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(t[0].teacher_id, "T1");	/* teachers before the unattributed */
	assert_int_equal(t[0].sessions, 3);
	assert_int_equal(t[0].qualifying, 3);
	assert_int_equal(t[0].credited, 2);
	assert_int_equal(t[0].points, 10);
	assert_int_equal(t[0].weeks_credited, 1);	/* W46 credited nothing */
	assert_int_equal(t[0].qualifying_s, 2900);	/* the 300 s one does not qualify */
	assert_int_equal(t[0].first, 100);
	assert_int_equal(t[0].last, 9300);
	assert_null(t[1].teacher_id);
	assert_int_equal(t[1].sessions, 1);
	assert_int_equal(t[1].points, 0);
	free(t);
}

static void test_live_match(void **state)
{
	struct timetable_slot s[4];
	const char *id;

	(void)state;
	memset(s, 0, sizeof(s));
	snprintf(s[0].school, sizeof(s[0].school), "A");
	snprintf(s[0].teacher_id, sizeof(s[0].teacher_id), "T1");
	snprintf(s[0].teacher_name, sizeof(s[0].teacher_name), "王芳");
	s[1] = s[0];				/* the same teacher in another slot */
	s[2] = s[0];
	snprintf(s[2].teacher_id, sizeof(s[2].teacher_id), "T3");
	snprintf(s[2].teacher_name, sizeof(s[2].teacher_name), "李强");
	s[3] = s[2];
	snprintf(s[3].teacher_id, sizeof(s[3].teacher_id), "T4");	/* same name */
	assert_int_equal(teachers_live_match(s, 4, "A", "王芳", &id), 1);
	assert_string_equal(id, "T1");
	assert_int_equal(teachers_live_match(s, 4, "A", "李强", &id), 2);
	assert_null(id);
	assert_int_equal(teachers_live_match(s, 4, "A", "赵六", &id), 0);
	assert_int_equal(teachers_live_match(s, 4, "B", "王芳", &id), 0);	/* other school */
	assert_int_equal(teachers_live_match(s, 4, "A", "", &id), 0);
}

static void test_sort_and_live_rows(void **state)
{
	struct teachers_row *t = calloc(2, sizeof(*t));
	size_t n = 2;

	(void)state;
	assert_non_null(t);
	t[0] = (struct teachers_row){ .school = "B", .teacher_id = "T9", .points = 5 };
	t[1] = (struct teachers_row){ .school = "A", .teacher_id = NULL, .points = 0 };
	assert_int_equal(teachers_add_live(&t, &n, "B", "T9", "刘洋"), 0);
	assert_int_equal(n, 2);
	assert_int_equal(t[0].live_delivered, 1);
	/* A teacher with a delivered lesson and no session gets a row. */
	assert_int_equal(teachers_add_live(&t, &n, "A", "T1", "王芳"), 0);
	assert_int_equal(n, 3);
	t[2].points = 5;
	teachers_sort(t, n);
	assert_string_equal(t[0].school, "A");		/* 5 points, school A first */
	assert_string_equal(t[0].teacher_id, "T1");
	assert_string_equal(t[1].teacher_id, "T9");
	assert_null(t[2].teacher_id);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_sums_weeks),
		cmocka_unit_test(test_live_match),
		cmocka_unit_test(test_sort_and_live_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
