/*
 * server/enrollment.c, without HTTP: a new device; the same hw_id again
 * with a token of its school keeps its id and gets a new token; with a
 * token of another school nothing changes and the token keeps its use;
 * each refusal (unknown, revoked, expired, another school named, used up,
 * a bad key) costs no use and writes nothing.
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

#include "enrollment.h"
#include "server_fixture.h"

#define NOW 1795000000LL
#define KEY "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

/* A token for school with uses, expiring at expires. */
static void add_token(struct db *db, const char *token, const char *school, int uses,
    int64_t expires)
{
	server_fixture_token(db, token, school, uses, NOW - 60, expires);
}

static int64_t uses_left(struct db *db, const char *token)
{
	struct db_enroll_token t;
	struct bbt_error e;
	char hash[AUTH_HASH_LEN];
	int found;

	assert_int_equal(auth_hash(token, hash, &e), 0);
	assert_int_equal(db_enroll_token_get(db, hash, &t, &found, &e), 0);
	assert_true(found);
	return t.uses_left;
}

static int setup(void **state)
{
	static const struct db_school s[] = { { "610102001", "一小", "" },
		{ "610102002", "二小", "" } };
	struct server_fixture *f = server_fixture_open(s, 2);

	add_token(f->db, "tok-a", "610102001", 5, NOW + 3600);
	add_token(f->db, "tok-b", "610102002", 5, NOW + 3600);
	add_token(f->db, "tok-old", "610102001", 5, NOW);
	add_token(f->db, "tok-once", "610102001", 1, NOW + 3600);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	server_fixture_close(*state);
	return 0;
}

static enum enrollment_outcome run(struct db *db, const char *token, const char *hw,
    const char *school, const char *key, struct enrollment_result *out)
{
	struct enrollment_request r = { token, hw, "pc", school, "101", "1.0", key };
	struct bbt_error e;

	assert_int_equal(enrollment_run(db, &r, NOW, out, &e), 0);
	return out->outcome;
}

static void test_identity(void **state)
{
	struct server_fixture *f = *state;
	struct enrollment_result a, again, other;
	struct db_device d;
	struct bbt_error e;
	int found;

	assert_int_equal(run(f->db, "tok-a", "hw-1", "", KEY, &a), ENROLLMENT_OK);
	assert_string_equal(a.device.school, "610102001");	/* the token's school */
	assert_false(a.reenrolled);
	assert_int_equal(uses_left(f->db, "tok-a"), 4);
	assert_int_equal(run(f->db, "tok-a", "hw-1", "610102001", KEY, &again), ENROLLMENT_OK);
	assert_string_equal(again.device.device_id, a.device.device_id);
	assert_true(again.reenrolled);
	assert_string_not_equal(again.device_token, a.device_token);
	/* The old token no longer finds the device; the new one does. */
	assert_int_equal(db_device_by_token(f->db, a.device.token_hash, &d, &found, &e), 0);
	assert_false(found);
	assert_int_equal(db_device_by_token(f->db, again.device.token_hash, &d, &found, &e), 0);
	assert_true(found);
	/* Another school's token: 409's outcome, nothing written, no use taken. */
	assert_int_equal(run(f->db, "tok-b", "hw-1", "", KEY, &other), ENROLLMENT_OTHER_SCHOOL);
	assert_non_null(strstr(other.why, "device move"));
	assert_int_equal(uses_left(f->db, "tok-b"), 5);
	assert_int_equal(db_device_get(f->db, a.device.device_id, &d, &found, &e), 0);
	assert_true(found);
	assert_string_equal(d.school, "610102001");
}

static void test_refusals_cost_nothing(void **state)
{
	struct server_fixture *f = *state;
	struct enrollment_result out;
	struct bbt_error e;
	char hash[AUTH_HASH_LEN];

	assert_int_equal(run(f->db, "nope", "hw-2", "", KEY, &out), ENROLLMENT_UNKNOWN_TOKEN);
	assert_int_equal(run(f->db, "tok-old", "hw-2", "", KEY, &out), ENROLLMENT_EXPIRED);
	assert_int_equal(run(f->db, "tok-a", "hw-2", "610102002", KEY, &out),
	    ENROLLMENT_WRONG_SCHOOL);
	assert_string_equal(out.why, "enrollment token is for school 610102001, not 610102002");
	assert_int_equal(run(f->db, "tok-a", "hw-2", "", "not-a-key", &out), ENROLLMENT_BAD_KEY);
	assert_int_equal(uses_left(f->db, "tok-a"), 5);
	assert_int_equal(run(f->db, "tok-once", "hw-2", "", KEY, &out), ENROLLMENT_OK);
	assert_int_equal(run(f->db, "tok-once", "hw-3", "", KEY, &out), ENROLLMENT_USED_UP);
	assert_int_equal(auth_hash("tok-a", hash, &e), 0);
	assert_int_equal(db_enroll_token_revoke(f->db, hash, NOW - 1, &e), 0);
	assert_int_equal(run(f->db, "tok-a", "hw-3", "", KEY, &out), ENROLLMENT_REVOKED);
	assert_int_equal(uses_left(f->db, "tok-a"), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_cost_nothing, setup, teardown),
	};

	return cmocka_run_group_tests_name("server_enrollment", tests, NULL, NULL);
}
