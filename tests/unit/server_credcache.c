/* Unit tests of credcache, the collector's cache of device credentials: its
 * core driven with the caller's clock (what is served, when, and what a
 * change or a stale lookup does), then the poller on a real SQLite
 * database, where a revocation empties the cache within its trust window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "bbt_time.h"
#include "credcache.h"
#include "db.h"
#include "server_fixture.h"

#define MS 1000	/* microseconds */
#define T0 ((int64_t)1000000000)

static struct db_device_cred cred(const char *id)
{
	struct db_device_cred c;

	memset(&c, 0, sizeof(c));
	snprintf(c.device_id, sizeof(c.device_id), "%s", id);
	snprintf(c.school, sizeof(c.school), "%s", "S1");
	snprintf(c.room, sizeof(c.room), "%s", "三年级2班");
	snprintf(c.school_collector_url, sizeof(c.school_collector_url), "%s",
	    "https://c2.example:8443");
	c.school_detector.idle_gap = 120;
	c.school_detector.min_session = 900;
	c.school_detector.stuck_contact = 30;
	return c;
}

static int reset(void **state)
{
	(void)state;
	credcache_reset();
	return 0;
}

static void put(const char *hash, const char *id)
{
	struct db_device_cred c = cred(id);

	credcache_put(hash, &c, credcache_epoch());
}

/* Nothing is served before the first read of the number. */
static void test_not_current_before_seen(void **state)
{
	struct db_device_cred out;

	(void)state;
	put("h1", "d1");
	assert_int_equal(credcache_get("h1", T0, &out), 0);
}

static void test_hit_returns_every_field(void **state)
{
	struct db_device_cred want = cred("d1"), out;

	(void)state;
	credcache_seen(7, T0, NULL, 0, 1);
	put("h1", "d1");
	memset(&out, 0x55, sizeof(out));
	assert_int_equal(credcache_get("h1", T0 + 10 * MS, &out), 1);
	assert_string_equal(out.device_id, want.device_id);
	assert_string_equal(out.school, want.school);
	assert_string_equal(out.room, want.room);
	assert_string_equal(out.school_collector_url, want.school_collector_url);
	assert_int_equal(out.school_detector.idle_gap, 120);
	assert_int_equal(out.school_detector.min_session, 900);
	assert_int_equal(out.school_detector.stuck_contact, 30);
	assert_int_equal(credcache_get("h2", T0 + 10 * MS, &out), 0);
	assert_int_equal(credcache_size(), 1);
}

/* The cache is trusted only CREDCACHE_TRUST_MS after the read that made it
 * current began: a poller that stopped answering stops the serving. */
static void test_trust_expires(void **state)
{
	struct db_device_cred out;

	(void)state;
	credcache_seen(7, T0, NULL, 0, 1);
	put("h1", "d1");
	assert_int_equal(credcache_get("h1", T0 + (CREDCACHE_TRUST_MS - 1) * MS, &out), 1);
	assert_int_equal(credcache_get("h1", T0 + CREDCACHE_TRUST_MS * MS, &out), 0);
	/* The same number read again: current again, the entry kept. */
	credcache_seen(7, T0 + CREDCACHE_TRUST_MS * MS, NULL, 0, 1);
	assert_int_equal(credcache_get("h1", T0 + (CREDCACHE_TRUST_MS + 1) * MS, &out), 1);
	/* A clock before the read (another thread's older "now"): not served. */
	assert_int_equal(credcache_get("h1", T0, &out), 0);
}

/* A change forgets the entry of its device, or every entry of its school,
 * and nothing else. */
static void test_change_forgets_its_entries(void **state)
{
	struct credcache_change dev = { .device_id = "d1" }, sch = { .school = "S2" };
	struct db_device_cred c = cred("d3"), out;

	(void)state;
	credcache_seen(7, T0, NULL, 0, 1);
	put("h1", "d1");
	put("h2", "d2");
	snprintf(c.school, sizeof(c.school), "%s", "S2");
	credcache_put("h3", &c, credcache_epoch());
	assert_int_equal(credcache_size(), 3);
	credcache_seen(8, T0 + 100 * MS, &dev, 1, 1);
	assert_int_equal(credcache_get("h1", T0 + 101 * MS, &out), 0);
	assert_int_equal(credcache_get("h2", T0 + 101 * MS, &out), 1);
	assert_int_equal(credcache_get("h3", T0 + 101 * MS, &out), 1);
	credcache_seen(9, T0 + 200 * MS, &sch, 1, 1);
	assert_int_equal(credcache_get("h3", T0 + 201 * MS, &out), 0);
	assert_int_equal(credcache_get("h2", T0 + 201 * MS, &out), 1);
	assert_int_equal(credcache_size(), 1);
	/* The device's index goes with it: d1 cached again, then changed. */
	put("h1b", "d1");
	credcache_seen(10, T0 + 300 * MS, &dev, 1, 1);
	assert_int_equal(credcache_get("h1b", T0 + 301 * MS, &out), 0);
	assert_int_equal(credcache_size(), 1);
}

/* A device holds one entry: its new token's replaces the old token's. */
static void test_one_entry_a_device(void **state)
{
	struct credcache_change dev = { .device_id = "d1" };
	struct db_device_cred out;

	(void)state;
	credcache_seen(7, T0, NULL, 0, 1);
	put("old", "d1");
	put("new", "d1");
	assert_int_equal(credcache_size(), 1);
	assert_int_equal(credcache_get("old", T0 + MS, &out), 0);
	assert_int_equal(credcache_get("new", T0 + MS, &out), 1);
	put("new", "d1");	/* the same again: still one */
	assert_int_equal(credcache_size(), 1);
	credcache_seen(8, T0 + 2 * MS, &dev, 1, 1);
	assert_int_equal(credcache_size(), 0);
}

/* What the changes read cannot say (more than were read, a number not past
 * the held one, one too far ahead for the log): everything is forgotten. */
static void test_incomplete_read_empties(void **state)
{
	struct credcache_change dev = { .device_id = "d9" };

	(void)state;
	credcache_seen(7, T0, NULL, 0, 1);
	put("h1", "d1");
	credcache_seen(8, T0 + MS, &dev, 1, 0);
	assert_int_equal(credcache_size(), 0);
	put("h1", "d1");
	credcache_seen(5, T0 + 2 * MS, NULL, 0, 1);	/* a database restored */
	assert_int_equal(credcache_size(), 0);
	put("h1", "d1");
	credcache_seen(5 + DB_AUTH_CHANGES_KEEP + 1, T0 + 3 * MS, &dev, 1, 1);
	assert_int_equal(credcache_size(), 0);
	/* The same number again, nothing changed: kept. */
	put("h1", "d1");
	credcache_seen(5 + DB_AUTH_CHANGES_KEEP + 1, T0 + 4 * MS, NULL, 0, 1);
	assert_int_equal(credcache_size(), 1);
	assert_int_equal(credcache_held(), 5 + DB_AUTH_CHANGES_KEEP + 1);
}

/* A lookup that read the database before a change was seen must not be
 * stored after it: it may hold what the change undid. */
static void test_stale_lookup_not_stored(void **state)
{
	struct credcache_change dev = { .device_id = "d7" };
	struct db_device_cred c = cred("d1"), out;
	uint64_t before;

	(void)state;
	credcache_seen(7, T0, NULL, 0, 1);
	before = credcache_epoch();
	credcache_seen(8, T0 + 100 * MS, &dev, 1, 1);	/* a change, seen meanwhile */
	credcache_put("h1", &c, before);
	assert_int_equal(credcache_get("h1", T0 + 101 * MS, &out), 0);
	assert_int_equal(credcache_size(), 0);
	/* So is one stale after a forget (this collector's own change). */
	before = credcache_epoch();
	credcache_forget("d7");
	credcache_put("h1", &c, before);
	assert_int_equal(credcache_size(), 0);
}

static void test_forget(void **state)
{
	struct db_device_cred out;

	(void)state;
	credcache_seen(7, T0, NULL, 0, 1);
	put("h1", "d1");
	put("h2", "d2");
	credcache_forget("d1");
	assert_int_equal(credcache_get("h1", T0 + MS, &out), 0);
	assert_int_equal(credcache_get("h2", T0 + MS, &out), 1);
	/* Still current: a new lookup is stored and served. */
	put("h1", "d1b");
	assert_int_equal(credcache_get("h1", T0 + MS, &out), 1);
	assert_string_equal(out.device_id, "d1b");
}

/* Full: lookups past CREDCACHE_MAX are not stored (and so read the
 * database), those held are still served. */
static void test_full(void **state)
{
	struct db_device_cred out;
	char hash[32];
	unsigned i;

	(void)state;
	credcache_seen(7, T0, NULL, 0, 1);
	for (i = 0; i < CREDCACHE_MAX + 10; i++) {
		snprintf(hash, sizeof(hash), "h%u", i);
		put(hash, hash + 1);
	}
	assert_int_equal(credcache_size(), CREDCACHE_MAX);
	assert_int_equal(credcache_get("h0", T0 + MS, &out), 1);
	snprintf(hash, sizeof(hash), "h%u", CREDCACHE_MAX + 5);
	assert_int_equal(credcache_get(hash, T0 + MS, &out), 0);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	nanosleep(&ts, NULL);
}

/* Store c for hash until it is served, up to limit_ms: the poller's first
 * read makes the cache current (and empties what was stored before it). */
static int put_until_served(const char *hash, const struct db_device_cred *c, long limit_ms)
{
	struct db_device_cred out;
	long waited;

	for (waited = 0; waited <= limit_ms; waited += 10) {
		credcache_put(hash, c, credcache_epoch());
		if (credcache_get(hash, bbt_clock_monotonic_us(), &out))
			return 1;
		sleep_ms(10);
	}
	return 0;
}

/* The poller on a real database: a token cached from it is forgotten, on
 * the poller's own, within CREDCACHE_TRUST_MS of a revocation committed by
 * another connection (as by `bbt-server device revoke`); the other
 * device's is kept. */
static void test_poller_sees_revocation(void **state)
{
	struct db_school s = { .code = "S1", .name = "一小" };
	struct server_fixture *f = server_fixture_open(&s, 1);
	struct db_device d = server_fixture_device("dev-1", "hw-1", "S1", "r1");
	struct db_device d2 = server_fixture_device("dev-2", "hw-2", "S1", "r2");
	struct db_device_cred c, c2, out;
	struct bbt_error e;
	int64_t committed, asked;
	long waited;

	(void)state;
	server_fixture_enroll(f->db, &d);
	server_fixture_enroll(f->db, &d2);
	assert_int_equal(credcache_start(f->path, &e), 0);
	db_device_cred_of(&d, &c);
	db_device_cred_of(&d2, &c2);
	assert_true(put_until_served("h-dev-1", &c, 2000));
	assert_true(put_until_served("h-dev-2", &c2, 2000));
	assert_int_equal(db_device_revoke(f->db, "dev-1", 1700000000, &e), 0);
	committed = bbt_clock_monotonic_us();
	/* The time asked about, not the time after: a descheduled test thread
	 * must not fail this. */
	while (credcache_get("h-dev-1", asked = bbt_clock_monotonic_us(), &out))
		sleep_ms(5);
	assert_true(asked - committed < (int64_t)CREDCACHE_TRUST_MS * MS);
	/* Refused by staleness or by the poller: wait for the poller (a loaded
	 * machine delays it), which forgets that entry and keeps the other. */
	for (waited = 0; waited < 5000 && credcache_size() != 1; waited += 10)
		sleep_ms(10);
	assert_int_equal(credcache_size(), 1);
	while (!credcache_get("h-dev-2", bbt_clock_monotonic_us(), &out) && waited < 5000) {
		sleep_ms(10);
		waited += 10;
	}
	assert_true(credcache_get("h-dev-2", bbt_clock_monotonic_us(), &out));
	assert_string_equal(out.room, "r2");
	credcache_stop();
	server_fixture_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_not_current_before_seen, reset),
		cmocka_unit_test_setup(test_hit_returns_every_field, reset),
		cmocka_unit_test_setup(test_trust_expires, reset),
		cmocka_unit_test_setup(test_change_forgets_its_entries, reset),
		cmocka_unit_test_setup(test_one_entry_a_device, reset),
		cmocka_unit_test_setup(test_incomplete_read_empties, reset),
		cmocka_unit_test_setup(test_stale_lookup_not_stored, reset),
		cmocka_unit_test_setup(test_forget, reset),
		cmocka_unit_test_setup(test_full, reset),
		cmocka_unit_test(test_poller_sees_revocation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
