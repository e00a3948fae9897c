/* Unit tests of 开课时间 as officers type it (server/schedule.c): the
 * annex's own spacing, 上午/下午, weekdays beside the date, dotted dates,
 * and errors that quote the cell for the rest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "schedule.h"

struct want { const char *text; int y, m, d, start, end; };

static void test_forms(void **state)
{
	static const struct want ok[] = {
		{ "12 月 10 日 9:00-10:00", 2026, 12, 10, 540, 600 },
		{ "12月10日 9:00-10:00", 2026, 12, 10, 540, 600 },
		{ "12月10日 下午2:30-3:10", 2026, 12, 10, 870, 910 },
		{ "12月10日下午2:30-3:10", 2026, 12, 10, 870, 910 },
		{ "12月10日 下午 2:30 - 3:10", 2026, 12, 10, 870, 910 },
		{ "12月10日 上午9:00-10:00", 2026, 12, 10, 540, 600 },
		{ "12月10日 上午11:30-12:10", 2026, 12, 10, 690, 730 },
		{ "12月10日 上午11:00-下午1:00", 2026, 12, 10, 660, 780 },
		{ "12月10日 中午12:30-1:10", 2026, 12, 10, 750, 790 },
		{ "12月10日 晚上7:00-8:00", 2026, 12, 10, 1140, 1200 },
		{ "12月10日 下午14:30-15:10", 2026, 12, 10, 870, 910 },
		{ "12月10日（周四）9:00-10:00", 2026, 12, 10, 540, 600 },
		{ "12月10日 星期四 9:00-10:00", 2026, 12, 10, 540, 600 },
		{ "12月10日(周四) 下午2:30-3:10", 2026, 12, 10, 870, 910 },
		{ "2026.12.10 9:00-10:00", 2026, 12, 10, 540, 600 },
		{ "2026 年 12 月 10 日 9:00-10:00", 2026, 12, 10, 540, 600 },
		{ "2027-01-05 08:05-08:45", 2027, 1, 5, 485, 525 },
		{ "12月10日 9：00－10：00", 2026, 12, 10, 540, 600 },
	};
	int y, m, d, s, t;
	struct bbt_error e;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int rc = schedule_time_parse(ok[i].text, 2026, &y, &m, &d, &s, &t, &e);

		if (rc != 0)
			fail_msg("'%s': %s", ok[i].text, bbt_error_msg(&e));
		if (y != ok[i].y || m != ok[i].m || d != ok[i].d || s != ok[i].start ||
		    t != ok[i].end)
			fail_msg("'%s': %d-%d-%d %d-%d", ok[i].text, y, m, d, s, t);
	}
}

static void test_errors_quote_the_cell(void **state)
{
	static const char *const bad[] = { "12月10日 下午2:30", "12月10日 9:00-", "明天 9:00-10:00",
		"12月10日 下午9:00-8:00", "12月10日 25:00-26:00", "12月32日 9:00-10:00",
		"12月10日 9:00-10:00 第二节", "12月10日 9点-10点", "12月10日 9:5-10:00" };
	int y, m, d, s, t;
	struct bbt_error e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (schedule_time_parse(bad[i], 2026, &y, &m, &d, &s, &t, &e) == 0)
			fail_msg("'%s' accepted as %d-%d-%d %d-%d", bad[i], y, m, d, s, t);
		if (strstr(bbt_error_msg(&e), bad[i]) == NULL)
			fail_msg("'%s': message '%s' does not quote it", bad[i],
			    bbt_error_msg(&e));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_errors_quote_the_cell),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
