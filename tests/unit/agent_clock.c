/*
 * Unit tests of agent/clock.c: the correction of session times from clock
 * evidence, the trusted time for certificate dates, the time-probe check
 * and the evidence text form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"

#define US 1000000LL
/* 2026-11-23T00:00:00Z: the true time in these tests. */
#define TRUE_T 1795392000LL
/* Three years (of 365 days) behind. */
#define BEHIND (3LL * 365 * 86400)

/* A session of a machine whose wall clock ran `skew` s off the truth. */
static struct bbt_session session(int64_t true_start, int64_t dur, int64_t skew,
    int64_t boot_start_us)
{
	struct bbt_session s;

	memset(&s, 0, sizeof(s));
	memcpy(s.id, "0b6c1a52-8f3e-4d2a-9c1b-2f6e7d8a9b0c", BBT_UUID_LEN);
	s.start = true_start + skew;
	s.end = true_start + skew + dur;
	s.duration_s = dur;
	s.utc_offset = 8 * 3600;
	memcpy(s.boot_id, "5d7a9c2e-3b1f-4e6a-8d9c-0a1b2c3d4e5f", BBT_BOOT_ID_LEN);
	s.boot_start_us = boot_start_us;
	s.boot_end_us = boot_start_us + dur * US;
	return s;
}

static void years_behind_is_moved_to_true_time(void **state)
{
	/* Booted at true TRUE_T - 7200; lesson at boottime 600 s; the
	 * server was met at boottime 5000 s (true TRUE_T - 2200). */
	struct clock_evidence ev = { 5000 * US, (TRUE_T - 2200) * US };
	int64_t true_start = TRUE_T - 7200 + 600;
	struct bbt_session s = session(true_start, 2467, -BEHIND, 600 * US);

	assert_int_equal(clock_correct_session(&s, &ev), 1);
	assert_int_equal(s.start, true_start);
	assert_int_equal(s.end, true_start + 2467);
	assert_int_equal(s.duration_s, 2467);
	assert_true(s.flags & BBT_FLAG_CLOCK_ADJUSTED);
	assert_false(s.flags & BBT_FLAG_CLOCK_UNVERIFIED);
}

static void evidence_before_the_session_works_too(void **state)
{
	/* Contact at boottime 100 s, lesson later in the same boot; clock
	 * 2 days ahead. */
	struct clock_evidence ev = { 100 * US + 250000, TRUE_T * US };
	struct bbt_session s = session(TRUE_T + 3600, 1000,
	    2 * 86400, 100 * US + 250000 + 3600 * US);

	assert_int_equal(clock_correct_session(&s, &ev), 1);
	assert_int_equal(s.start, TRUE_T + 3600);
	assert_int_equal(s.end, TRUE_T + 4600);
}

static void right_clock_is_left_alone(void **state)
{
	struct clock_evidence ev = { 5000 * US, (TRUE_T + 4400) * US };
	/* Recorded 3 s off: within tolerance, not rewritten. */
	struct bbt_session s = session(TRUE_T, 1200, 3, 600 * US);
	struct bbt_session before = s;

	assert_int_equal(clock_correct_session(&s, &ev), 0);
	assert_memory_equal(&s, &before, sizeof(s));
}

static void beyond_tolerance_is_corrected(void **state)
{
	struct clock_evidence ev = { 5000 * US, (TRUE_T + 4400) * US };
	struct bbt_session s = session(TRUE_T, 1200, CLOCK_TOLERANCE_S + 2,
	    600 * US);

	assert_int_equal(clock_correct_session(&s, &ev), 1);
	assert_int_equal(s.start, TRUE_T);
	assert_true(s.flags & BBT_FLAG_CLOCK_ADJUSTED);
}

static void correction_is_idempotent(void **state)
{
	struct clock_evidence ev = { 5000 * US, (TRUE_T - 2200) * US };
	struct bbt_session s = session(TRUE_T - 6600, 1500, -BEHIND, 600 * US);
	struct bbt_session once;

	assert_int_equal(clock_correct_session(&s, &ev), 1);
	once = s;
	assert_int_equal(clock_correct_session(&s, &ev), 0);
	assert_memory_equal(&s, &once, sizeof(s));
}

static void no_evidence_is_unverified(void **state)
{
	struct bbt_session s = session(TRUE_T, 1200, -BEHIND, 600 * US);
	int64_t start = s.start;

	assert_int_equal(clock_correct_session(&s, NULL), 1);
	assert_true(s.flags & BBT_FLAG_CLOCK_UNVERIFIED);
	assert_false(s.flags & BBT_FLAG_CLOCK_ADJUSTED);
	assert_int_equal(s.start, start);
	/* Flagged once only. */
	assert_int_equal(clock_correct_session(&s, NULL), 0);
}

static void evidence_clears_unverified(void **state)
{
	struct clock_evidence ev = { 5000 * US, (TRUE_T + 4400) * US };
	struct bbt_session s = session(TRUE_T, 1200, 0, 600 * US);

	s.flags = BBT_FLAG_CLOCK_UNVERIFIED | BBT_FLAG_STUCK_CONTACT;
	assert_int_equal(clock_correct_session(&s, &ev), 1);
	assert_int_equal(s.flags, BBT_FLAG_STUCK_CONTACT);
}

static void replayed_session_is_sent_as_is(void **state)
{
	struct bbt_session s = session(TRUE_T, 1200, -BEHIND, 600 * US);
	struct bbt_session before;

	s.boot_id[0] = '\0';
	before = s;
	assert_int_equal(clock_correct_session(&s, NULL), 0);
	assert_memory_equal(&s, &before, sizeof(s));
}

static void rounding_to_nearest_second(void **state)
{
	/* Evidence 0.6 s into a second: start lands on the nearest second. */
	struct clock_evidence ev = { 1000 * US, TRUE_T * US + 600000 };
	struct bbt_session s = session(0, 900, 0, 2000 * US);

	s.start = 1;
	s.end = 901;
	assert_int_equal(clock_correct_session(&s, &ev), 1);
	assert_int_equal(s.start, TRUE_T + 1001);
	assert_int_equal(s.end, TRUE_T + 1901);
}

static void trusted_time_rules(void **state)
{
	int64_t build = TRUE_T - 30 * 86400;

	/* Clock years behind, nothing known: the build time. */
	assert_int_equal(clock_trusted_time(build, TRUE_T - BEHIND, 0, 0), build);
	/* A later server time seen before is a floor. */
	assert_int_equal(clock_trusted_time(build, TRUE_T - BEHIND, 0,
	    TRUE_T - 86400), TRUE_T - 86400);
	/* Evidence of this boot wins over a wrong local clock. */
	assert_int_equal(clock_trusted_time(build, TRUE_T - BEHIND, TRUE_T, 0),
	    TRUE_T);
	/* A plausible local clock is used. */
	assert_int_equal(clock_trusted_time(build, TRUE_T, 0, 0), TRUE_T);
	/* Evidence that says the clock is far ahead overrides it. */
	assert_int_equal(clock_trusted_time(build, TRUE_T + BEHIND, TRUE_T, 0),
	    TRUE_T);
}

static void local_untrusted_rules(void **state)
{
	int64_t build = TRUE_T - 30 * 86400;

	assert_true(clock_local_untrusted(build, TRUE_T - BEHIND, 0));
	assert_false(clock_local_untrusted(build, TRUE_T, 0));
	assert_false(clock_local_untrusted(build, TRUE_T, TRUE_T + 30));
	assert_true(clock_local_untrusted(build, TRUE_T, TRUE_T + 3600));
	assert_true(clock_local_untrusted(build, TRUE_T + BEHIND, TRUE_T));
}

static void probe_rules(void **state)
{
	int64_t build = TRUE_T - 30 * 86400;
	int64_t nb = TRUE_T - 86400, na = TRUE_T + 86400;

	assert_true(clock_probe_acceptable(TRUE_T, nb, na, build));
	/* Server date before our own build: not believed. */
	assert_false(clock_probe_acceptable(build - 1, build - 10, na, build));
	/* Certificate not valid at the server's own date. */
	assert_false(clock_probe_acceptable(na + 1, nb, na, build));
	assert_false(clock_probe_acceptable(nb - 1, nb, na, build));
	/* Unknown dates: nothing to check against, not accepted. */
	assert_false(clock_probe_acceptable(TRUE_T, 0, 0, build));
	assert_false(clock_probe_acceptable(0, nb, na, build));
}

static void evidence_text_round_trip(void **state)
{
	struct clock_evidence ev = { 123456789, TRUE_T * US + 42 }, back;
	char buf[64], key[CLOCK_META_KEY_LEN];

	clock_evidence_format(&ev, buf, sizeof(buf));
	assert_int_equal(clock_evidence_parse(buf, &back), 0);
	assert_true(back.boottime_us == ev.boottime_us);
	assert_true(back.server_us == ev.server_us);
	assert_int_equal(clock_evidence_parse("", &back), -1);
	assert_int_equal(clock_evidence_parse("12", &back), -1);
	assert_int_equal(clock_evidence_parse("12 x", &back), -1);
	assert_int_equal(clock_evidence_parse("-1 5", &back), -1);
	clock_meta_key("5d7a9c2e-3b1f-4e6a-8d9c-0a1b2c3d4e5f", key);
	assert_string_equal(key,
	    "clock_evidence:5d7a9c2e-3b1f-4e6a-8d9c-0a1b2c3d4e5f");
}

static void boot_id_is_read(void **state)
{
	char a[BBT_BOOT_ID_LEN], b[BBT_BOOT_ID_LEN];

	assert_int_equal(clock_boot_id(a, NULL), 0);
	assert_true(bbt_uuid_valid(a));
	assert_int_equal(clock_boot_id(b, NULL), 0);
	assert_string_equal(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(years_behind_is_moved_to_true_time),
		cmocka_unit_test(evidence_before_the_session_works_too),
		cmocka_unit_test(right_clock_is_left_alone),
		cmocka_unit_test(beyond_tolerance_is_corrected),
		cmocka_unit_test(correction_is_idempotent),
		cmocka_unit_test(no_evidence_is_unverified),
		cmocka_unit_test(evidence_clears_unverified),
		cmocka_unit_test(replayed_session_is_sent_as_is),
		cmocka_unit_test(rounding_to_nearest_second),
		cmocka_unit_test(trusted_time_rules),
		cmocka_unit_test(local_untrusted_rules),
		cmocka_unit_test(probe_rules),
		cmocka_unit_test(evidence_text_round_trip),
		cmocka_unit_test(boot_id_is_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
