/*
 * Unit tests of the pure parts of agent/http_client.c and agent/sync.c:
 * Retry-After and HTTP dates, gzip bodies, URL joining, the full-jitter
 * backoff bounds and the wait chosen after each kind of pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "http_client.h"
#include "sync.h"

static void retry_after_seconds(void **state)
{
	int64_t s = -1;

	assert_int_equal(http_retry_after_parse("120", 1000, &s), 0);
	assert_int_equal(s, 120);
	assert_int_equal(http_retry_after_parse(" 0", 1000, &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(http_retry_after_parse("12x", 1000, &s), -1);
	assert_int_equal(http_retry_after_parse("-5", 1000, &s), -1);
	assert_int_equal(http_retry_after_parse("", 1000, &s), -1);
}

static void retry_after_date(void **state)
{
	int64_t s = -1, t = 0;

	/* 1994-11-06T08:49:37Z = 784111777 */
	assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(http_date_parse("Sun Nov  6 08:49:37 1994", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(http_date_parse("yesterday", &t), -1);
	assert_int_equal(http_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT",
	    784111777 - 90, &s), 0);
	assert_int_equal(s, 90);
	/* A date in the past means "now". */
	assert_int_equal(http_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT",
	    784111777 + 90, &s), 0);
	assert_int_equal(s, 0);
}

static void gzip_round_trip(void **state)
{
	const char *in = "{\"agent_time\":\"2026-11-23T08:00:05+08:00\","
	    "\"sessions\":[]}";
	unsigned char *z = NULL, out[256];
	size_t zlen = 0;
	z_stream d;

	assert_int_equal(http_gzip(in, strlen(in), &z, &zlen, NULL), 0);
	/* gzip magic, deflate method. */
	assert_true(zlen > 18 && z[0] == 0x1f && z[1] == 0x8b && z[2] == 8);
	memset(&d, 0, sizeof(d));
	assert_int_equal(inflateInit2(&d, 15 + 16), Z_OK);
	d.next_in = z;
	d.avail_in = (uInt)zlen;
	d.next_out = out;
	d.avail_out = sizeof(out);
	assert_int_equal(inflate(&d, Z_FINISH), Z_STREAM_END);
	assert_int_equal(d.total_out, strlen(in));
	assert_memory_equal(out, in, strlen(in));
	inflateEnd(&d);
	free(z);
}

static void url_join(void **state)
{
	char out[64];

	assert_int_equal(http_url_join("https://h/", "api/v1/x", out, sizeof(out)), 0);
	assert_string_equal(out, "https://h/api/v1/x");
	assert_int_equal(http_url_join("https://h", "/api/v1/x", out, sizeof(out)), 0);
	assert_string_equal(out, "https://h/api/v1/x");
	assert_int_equal(http_url_join("https://h/base//", "healthz", out, sizeof(out)), 0);
	assert_string_equal(out, "https://h/base/healthz");
	assert_int_equal(http_url_join("https://a-very-long-host.example/", "api",
	    out, 16), -1);
}

static void backoff_bounds(void **state)
{
	int64_t max_seen = 0;

	for (int f = 1; f <= 20; f++) {
		int64_t ceil_s = 5;

		for (int i = 1; i < f && ceil_s < 3600; i++)
			ceil_s *= 2;
		if (ceil_s > 3600)
			ceil_s = 3600;
		for (int k = 0; k < 200; k++) {
			int64_t w = sync_backoff_s(f, 3600);

			assert_true(w >= 1 && w <= ceil_s);
			if (w > max_seen)
				max_seen = w;
		}
	}
	/* Full jitter spreads over the range, up to near the cap. */
	assert_true(max_seen > 1800);
	/* A tiny cap is respected. */
	for (int k = 0; k < 100; k++)
		assert_true(sync_backoff_s(30, 2) <= 2);
}

static void next_wait(void **state)
{
	struct agent_config cfg;
	struct sync_result r;
	int failures = 3;

	memset(&cfg, 0, sizeof(cfg));
	cfg.sync.interval = 300;
	cfg.sync.backoff_cap = 3600;
	memset(&r, 0, sizeof(r));
	r.retry_after_s = -1;

	r.status = SYNC_OK;
	assert_int_equal(sync_next_wait_s(&r, &cfg, &failures), 300);
	assert_int_equal(failures, 0);

	r.status = SYNC_RETRY_AFTER;
	r.retry_after_s = 42;
	assert_int_equal(sync_next_wait_s(&r, &cfg, &failures), 42);
	r.retry_after_s = 99999;
	assert_int_equal(sync_next_wait_s(&r, &cfg, &failures), 3600);
	r.retry_after_s = 0;
	assert_int_equal(sync_next_wait_s(&r, &cfg, &failures), 1);

	r.status = SYNC_NET;
	failures = 0;
	for (int k = 0; k < 50; k++) {
		int f = 0;
		int64_t w = sync_next_wait_s(&r, &cfg, &f);

		assert_int_equal(f, 1);
		assert_true(w >= 1 && w <= 5);
	}

	r.status = SYNC_REVOKED;
	assert_true(sync_next_wait_s(&r, &cfg, &failures) >= 86400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(retry_after_seconds),
		cmocka_unit_test(retry_after_date),
		cmocka_unit_test(gzip_round_trip),
		cmocka_unit_test(url_join),
		cmocka_unit_test(backoff_bounds),
		cmocka_unit_test(next_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
