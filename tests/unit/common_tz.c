/* Unit tests of the time-zone conversion (bbt_tz_offset, bbt_tz_check):
 * fixed and DST zones across a change, UTC, unknown and path-like names,
 * and that asking for a zone from one thread never moves another thread's
 * local time (the process's TZ is never switched). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "bbt_time.h"

static int64_t at(const char *iso)
{
	int64_t t;

	assert_int_equal(bbt_time_parse(iso, &t, NULL, NULL), 0);
	return t;
}

static void test_shanghai_utc(void **state)
{
	assert_int_equal(bbt_tz_check("Asia/Shanghai", NULL), 0);
	assert_int_equal(bbt_tz_offset("Asia/Shanghai", at("2026-11-23T08:00:00+08:00")),
	    8 * 3600);
	assert_int_equal(bbt_tz_offset("Asia/Shanghai", at("2026-07-01T00:00:00Z")), 8 * 3600);
	/* China kept DST in 1986-1991: the database, not a fixed +8, answers. */
	assert_int_equal(bbt_tz_offset("Asia/Shanghai", at("1988-07-01T00:00:00Z")), 9 * 3600);
	assert_int_equal(bbt_tz_check("UTC", NULL), 0);
	assert_int_equal(bbt_tz_offset("UTC", at("2026-07-01T00:00:00Z")), 0);
	assert_int_equal(bbt_tz_offset("Etc/GMT-8", at("2026-07-01T00:00:00Z")), 8 * 3600);
}

static void test_berlin_dst(void **state)
{
	/* 2026-03-29 01:00 UTC: 02:00 CET becomes 03:00 CEST. */
	assert_int_equal(bbt_tz_offset("Europe/Berlin", at("2026-03-29T00:59:59Z")), 3600);
	assert_int_equal(bbt_tz_offset("Europe/Berlin", at("2026-03-29T01:00:00Z")), 7200);
	/* 2026-10-25 01:00 UTC: 03:00 CEST goes back to 02:00 CET. */
	assert_int_equal(bbt_tz_offset("Europe/Berlin", at("2026-10-25T00:59:59Z")), 7200);
	assert_int_equal(bbt_tz_offset("Europe/Berlin", at("2026-10-25T01:00:00Z")), 3600);
	assert_int_equal(bbt_tz_offset("America/New_York", at("2026-07-01T12:00:00Z")),
	    -4 * 3600);
}

static void test_unknown(void **state)
{
	const char *bad[] = { "Mars/Olympus", "Asia/Shangai", "../../etc/passwd",
		"/etc/localtime", "Asia/../Asia/Shanghai", "Asia/Shanghai ", "Asia/.Shanghai",
		"a very long name that is certainly not a zone in any tz database at all" };
	struct bbt_error e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(bbt_tz_check(bad[i], &e), -1);
		assert_non_null(strstr(e.msg, "unknown time zone"));
		assert_int_equal(bbt_tz_offset(bad[i], at("2026-07-01T00:00:00Z")), 0);
	}
	assert_non_null(strstr(e.msg, "a very long"));
	/* Asked twice (the second answer comes from the cache). */
	assert_int_equal(bbt_tz_check("Mars/Olympus", &e), -1);
	assert_int_equal(bbt_tz_check(NULL, &e), 0);
	assert_int_equal(bbt_tz_check("", &e), 0);
}

static int stop;

static void *named_zones(void *arg)
{
	int64_t t = at("2026-07-01T00:00:00Z");
	long bad = 0;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		bad += bbt_tz_offset("Asia/Shanghai", t) != 8 * 3600;
		bad += bbt_tz_offset("Europe/Berlin", t) != 7200;
	}
	return (void *)bad;
}

static void test_threads_keep_local_zone(void **state)
{
	int64_t t = at("2026-07-01T00:00:00Z");
	pthread_t th[2];
	long bad = 0;
	void *r;

	setenv("TZ", "America/New_York", 1);
	tzset();
	assert_int_equal(bbt_tz_offset(NULL, t), -4 * 3600);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, named_zones, NULL), 0);
	for (int i = 0; i < 20000; i++)
		bad += bbt_tz_offset(NULL, t) != -4 * 3600;
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], &r);
		bad += (long)r;
	}
	assert_int_equal(bad, 0);
	assert_string_equal(getenv("TZ"), "America/New_York");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shanghai_utc),
		cmocka_unit_test(test_berlin_dst),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_threads_keep_local_zone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
