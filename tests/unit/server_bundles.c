/* Unit tests of the collector's bundle path (server/bundles.c) on a real
 * SQLite database: a verified bundle is stored once (a second time all
 * duplicates); another device's key, an unknown device, or tampering store
 * nothing; a session the ingest rules reject is rejected alone, as in an
 * HTTP upload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "bbt_bundle.h"
#include "bundles.h"
#include "db.h"
#include "ingest.h"
#include "server_fixture.h"

static struct server_fixture *fx;
static struct db *db;
static struct bbt_ed25519_key *key_dev, *key_other;

/* A key file in the fixture's directory. */
static void key_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", fx->dir, name);
}

static int setup(void **state)
{
	static const struct db_school sc = { .code = "610102001", .name = "一小" };
	struct db_device d = server_fixture_device("dev-1", "hw-1", "610102001", "三年级二班");
	char path[128];

	(void)state;
	fx = server_fixture_open(&sc, 1);
	db = fx->db;
	key_path(path, sizeof(path), "dev.key");
	if (bbt_ed25519_load_or_generate(path, &key_dev, NULL) != 0)
		return -1;
	key_path(path, sizeof(path), "other.key");
	if (bbt_ed25519_load_or_generate(path, &key_other, NULL) != 0)
		return -1;
	if (bbt_ed25519_public_b64(key_dev, d.public_key, NULL) != 0)
		return -1;
	snprintf(d.token_hash, sizeof(d.token_hash), "x");
	server_fixture_enroll(db, &d);
	return 0;
}

static int teardown(void **state)
{
	char path[128];

	(void)state;
	bbt_ed25519_free(key_dev);
	bbt_ed25519_free(key_other);
	key_path(path, sizeof(path), "dev.key");
	unlink(path);
	key_path(path, sizeof(path), "other.key");
	unlink(path);
	server_fixture_close(fx);
	return 0;
}

static void make_session(struct bbt_session *s, int64_t start, int64_t dur)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(bbt_uuid_v4(s->id), 0);
	s->start = start;
	s->end = start + dur;
	s->duration_s = dur;
	s->utc_offset = 8 * 3600;
	s->touches = 10;
	s->active_minutes = 1;
}

static char *build(const char *device_id, const struct bbt_ed25519_key *k,
    const struct bbt_session *s, size_t n, size_t *len)
{
	struct bbt_bundle_header h = { .created = time(NULL) };
	char *out;

	snprintf(h.device_id, sizeof(h.device_id), "%s", device_id);
	snprintf(h.agent_version, sizeof(h.agent_version), "test");
	assert_int_equal(bbt_bundle_build(&h, s, n, k, &out, len, NULL), 0);
	return out;
}

static int64_t stored(void)
{
	int64_t n;

	assert_int_equal(db_session_count(db, &n, NULL), 0);
	return n;
}

/* Check and store; returns the status, fills b when stored. */
static enum bundles_status run(const char *data, size_t len,
    struct ingest_batch *b, struct bbt_error *e)
{
	struct bundles_checked c;
	enum bundles_status st = bundles_check(db, data, len, &c, e);

	if (st != BUNDLES_OK)
		return st;
	assert_string_equal(c.device.device_id, "dev-1");
	assert_int_equal(bundles_store(db, &c, time(NULL), b, e), 0);
	bundles_checked_free(&c);
	return st;
}

static void test_store_once(void **state)
{
	struct bbt_session s[3];
	struct ingest_batch b = { 0 };
	struct bbt_error e;
	int64_t now = time(NULL), n0 = stored();
	size_t len;
	char *data;

	for (int i = 0; i < 3; i++)
		make_session(&s[i], now - 86400 + i * 3600, 2400);
	data = build("dev-1", key_dev, s, 3, &len);
	assert_int_equal(run(data, len, &b, &e), BUNDLES_OK);
	assert_int_equal(b.accepted, 3);
	assert_int_equal(b.duplicate, 0);
	ingest_batch_free(&b);
	assert_int_equal(stored(), n0 + 3);
	memset(&b, 0, sizeof(b));
	assert_int_equal(run(data, len, &b, &e), BUNDLES_OK);
	assert_int_equal(b.accepted, 0);
	assert_int_equal(b.duplicate, 3);
	ingest_batch_free(&b);
	assert_int_equal(stored(), n0 + 3);
	free(data);
}

static void test_refused_store_nothing(void **state)
{
	struct bbt_session s[2];
	struct ingest_batch b = { 0 };
	struct bbt_error e;
	int64_t now = time(NULL), n0 = stored();
	size_t len;
	char *data, *p;

	make_session(&s[0], now - 7200, 1800);
	make_session(&s[1], now - 3600, 1800);
	/* Signed by another key. */
	data = build("dev-1", key_other, s, 2, &len);
	assert_int_equal(run(data, len, &b, &e), BUNDLES_REFUSED);
	assert_non_null(strstr(e.msg, "signature does not verify"));
	free(data);
	/* Unknown device (validly signed by its own key). */
	data = build("dev-unknown", key_dev, s, 2, &len);
	assert_int_equal(run(data, len, &b, &e), BUNDLES_REFUSED);
	assert_non_null(strstr(e.msg, "unknown device"));
	free(data);
	/* Tampered: one digit of touches. */
	data = build("dev-1", key_dev, s, 2, &len);
	p = strstr(data, "\"touches\":10");
	p[10] = '2';
	assert_int_equal(run(data, len, &b, &e), BUNDLES_REFUSED);
	/* Truncated. */
	assert_int_equal(run(data, len - 5, &b, &e), BUNDLES_REFUSED);
	free(data);
	assert_int_equal(stored(), n0);
}

static void test_rejected_alone(void **state)
{
	struct bbt_session s[3];
	struct ingest_batch b = { 0 };
	struct bbt_error e;
	int64_t now = time(NULL), n0 = stored();
	size_t len;
	char *data;
	int good = 0;

	make_session(&s[0], now - 7200, 1800);
	make_session(&s[1], now - 200000, 25 * 3600);	/* over 24 h */
	make_session(&s[2], now + 86400, 1800);		/* in the future */
	data = build("dev-1", key_dev, s, 3, &len);
	assert_int_equal(run(data, len, &b, &e), BUNDLES_OK);
	assert_int_equal(b.accepted, 1);
	assert_int_equal(b.rejected, 2);
	for (size_t i = 0; i < b.n; i++)
		if (b.items[i].result == INGEST_ACCEPTED)
			good += strcmp(b.items[i].id, s[0].id) == 0;
	assert_int_equal(good, 1);
	ingest_batch_free(&b);
	assert_int_equal(stored(), n0 + 1);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_once),
		cmocka_unit_test(test_refused_store_nothing),
		cmocka_unit_test(test_rejected_alone),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
