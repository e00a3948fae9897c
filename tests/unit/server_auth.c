/* Unit tests of the sign-in's pure parts and its storage (issue 14, CONTRACT
 * 5.2): the scrypt password hash (round trip, wrong password, a tampered
 * salt or key, a cost out of range, the description admin list shows), the
 * password rules, the session cookie parser, and db_auth.h on a real
 * database: the throttle's nth-latest failure, session expiry and what
 * ends a session. Storage runs on SQLite in a temp dir, or on
 * $BBT_TEST_DB_URL (another backend) like server_db_conformance. */
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

#include "auth_password.h"
#include "db.h"
#include "db_auth.h"
#include "http_session.h"

#define OK(call) do { \
	if ((call) != 0) \
		fail_msg("%s: %s", #call, bbt_error_msg(&e)); \
} while (0)

static char url[4096], tmpdir[256];
static unsigned tag;

static void test_hash_round_trip(void **state)
{
	char h[AUTH_PASSWORD_HASH_LEN], h2[AUTH_PASSWORD_HASH_LEN], d[64];
	struct bbt_error e;
	int ok;

	(void)state;
	OK(auth_password_hash("correct horse", h, &e));
	assert_int_equal(strncmp(h, "$scrypt$ln=15,r=8,p=3$", 22), 0);
	assert_null(strstr(h, "correct"));
	OK(auth_password_verify("correct horse", h, &ok, &e));
	assert_int_equal(ok, 1);
	OK(auth_password_verify("correct horsf", h, &ok, &e));
	assert_int_equal(ok, 0);
	OK(auth_password_verify("", h, &ok, &e));
	assert_int_equal(ok, 0);
	/* A fresh salt each time: the same password, another hash. */
	OK(auth_password_hash("correct horse", h2, &e));
	assert_string_not_equal(h, h2);
	auth_password_describe(h, d, sizeof(d));
	assert_string_equal(d, "scrypt N=32768 r=8 p=3");
}

/*
 * A stored hash of another (cheaper) cost still verifies: the form carries
 * its own parameters, so the default can be raised later. The key is
 * scrypt("password", salt 00..0f, N=1024, r=8, p=1) from Python's
 * hashlib.scrypt, which gives RFC 7914's own vectors (section 12).
 */
static void test_hash_vector(void **state)
{
	static const char stored[] = "$scrypt$ln=10,r=8,p=1$000102030405060708090a0b0c0d0e0f$"
	    "3a7c0782a4dbdf543acd7c522fe853d9b34abb8af27a5c6597488cdf228140b5";
	char h[sizeof(stored)], d[64];
	struct bbt_error e;
	int ok = 0;

	(void)state;
	OK(auth_password_verify("password", stored, &ok, &e));
	assert_int_equal(ok, 1);
	OK(auth_password_verify("Password", stored, &ok, &e));
	assert_int_equal(ok, 0);
	auth_password_describe(stored, d, sizeof(d));
	assert_string_equal(d, "scrypt N=1024 r=8 p=1");
	/* The cost is part of what was hashed: claiming another one fails. */
	memcpy(h, stored, sizeof(stored));
	h[12] = '1';	/* ln=10 -> ln=11 */
	OK(auth_password_verify("password", h, &ok, &e));
	assert_int_equal(ok, 0);
	/* So does a changed salt byte. */
	memcpy(h, stored, sizeof(stored));
	h[23] = '1';
	OK(auth_password_verify("password", h, &ok, &e));
	assert_int_equal(ok, 0);
}

static void test_hash_refuses_bad_forms(void **state)
{
	static const char *const bad[] = {
		"",
		"plain text password",
		"$scrypt$ln=15,r=8,p=3$00$00",
		"$scrypt$ln=40,r=8,p=3$000102030405060708090a0b0c0d0e0f$"
		    "0000000000000000000000000000000000000000000000000000000000000000",
		"$scrypt$ln=15,r=0,p=3$000102030405060708090a0b0c0d0e0f$"
		    "0000000000000000000000000000000000000000000000000000000000000000",
		"$scrypt$ln=15,r=8,p=3$000102030405060708090a0b0c0d0e0g$"
		    "0000000000000000000000000000000000000000000000000000000000000000",
		"$scrypt$ln=15,r=8,p=3$000102030405060708090a0b0c0d0e0f$"
		    "00000000000000000000000000000000000000000000000000000000000000",
		"$pbkdf2$ln=15,r=8,p=3$000102030405060708090a0b0c0d0e0f$"
		    "0000000000000000000000000000000000000000000000000000000000000000",
	};
	struct bbt_error e;
	char d[64];
	int ok = 1;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(auth_password_verify("password", bad[i], &ok, &e), -1);
		assert_int_equal(ok, 0);
		auth_password_describe(bad[i], d, sizeof(d));
		assert_string_equal(d, "invalid");
	}
}

static void test_password_rules(void **state)
{
	char longpw[AUTH_PASSWORD_MAX + 2];
	struct bbt_error e;

	(void)state;
	assert_int_equal(auth_password_check("", &e), -1);
	assert_non_null(strstr(bbt_error_msg(&e), "empty"));
	assert_int_equal(auth_password_check("1234567", &e), -1);
	assert_non_null(strstr(bbt_error_msg(&e), "too short"));
	assert_int_equal(auth_password_check("12345678", &e), 0);
	/* Characters, not bytes: 7 Chinese characters are 21 bytes, too short. */
	assert_int_equal(auth_password_check("校长办公室密码", &e), -1);
	assert_int_equal(auth_password_check("校长办公室的密码", &e), 0);
	assert_int_equal(auth_password_check("tab\there ok?", &e), -1);
	assert_int_equal(auth_password_check("\xff\xfe bad utf-8", &e), -1);
	memset(longpw, 'x', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	assert_int_equal(auth_password_check(longpw, &e), -1);
	longpw[AUTH_PASSWORD_MAX] = '\0';
	assert_int_equal(auth_password_check(longpw, &e), 0);
}

static void test_cookie_parse(void **state)
{
	char id[AUTH_TOKEN_LEN], v[128];
	static const char hex64[] =
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

	(void)state;
	snprintf(v, sizeof(v), "bbt_session=%s", hex64);
	assert_int_equal(http_session_cookie_parse(v, id), 0);
	assert_string_equal(id, hex64);
	snprintf(v, sizeof(v), "a=b; bbt_session=%s; c=d", hex64);
	assert_int_equal(http_session_cookie_parse(v, id), 0);
	assert_string_equal(id, hex64);
	assert_int_equal(http_session_cookie_parse(NULL, id), -1);
	assert_int_equal(http_session_cookie_parse("", id), -1);
	assert_int_equal(http_session_cookie_parse("x_bbt_session=1", id), -1);
	assert_int_equal(http_session_cookie_parse("bbt_session=abc", id), -1);
	snprintf(v, sizeof(v), "bbt_session=%sff", hex64);
	assert_int_equal(http_session_cookie_parse(v, id), -1);
	snprintf(v, sizeof(v), "bbt_session=%.63sG", hex64);
	assert_int_equal(http_session_cookie_parse(v, id), -1);
}

/* ---- storage ---- */

static int setup(void **state)
{
	struct db *db;
	struct bbt_error e;

	OK(db_open(url, &db, &e));
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	db_close(*state);
	return 0;
}

static void name(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "%s-%08x", what, tag);
}

static void add_admin(struct db *db, const char *n)
{
	static int count;
	struct db_admin a = { 0 };
	char h[DB_HASH_LEN];
	struct bbt_error e;

	snprintf(a.name, sizeof(a.name), "%s", n);
	snprintf(h, sizeof(h), "%08x%056d", tag, ++count);
	OK(db_admin_add(db, &a, h, 1000, &e));
}

static void test_throttle_log(void **state)
{
	struct db *db = *state;
	char key[64];
	struct bbt_error e;
	int64_t at;
	int found;

	snprintf(key, sizeof(key), "name:t-%08x", tag);
	for (int i = 1; i <= 6; i++)
		OK(db_auth_failure_add(db, key, 1000 + i * 10, &e));
	/* The 5th latest failure after 1000: the one at 1020. */
	OK(db_auth_failure_nth(db, key, 1000, 5, &at, &found, &e));
	assert_int_equal(found, 1);
	assert_int_equal(at, 1020);
	OK(db_auth_failure_nth(db, key, 1000, 1, &at, &found, &e));
	assert_int_equal(at, 1060);
	/* Past the window only 2 are left: fewer than 5, not throttled. */
	OK(db_auth_failure_nth(db, key, 1040, 5, &at, &found, &e));
	assert_int_equal(found, 0);
	OK(db_auth_failures_prune(db, 1030, &e));
	OK(db_auth_failure_nth(db, key, 0, 4, &at, &found, &e));
	assert_int_equal(found, 0);
	OK(db_auth_failure_nth(db, key, 0, 3, &at, &found, &e));
	assert_int_equal(found, 1);
	assert_int_equal(at, 1040);
	OK(db_auth_failures_clear(db, key, &e));
	OK(db_auth_failure_nth(db, key, 0, 1, &at, &found, &e));
	assert_int_equal(found, 0);
}

static void test_sessions(void **state)
{
	struct db *db = *state;
	char a[64], b[64], hash[DB_AUTH_HASH_LEN], ida[DB_HASH_LEN], idb[DB_HASH_LEN];
	struct db_auth_session s;
	struct db_admin who;
	struct bbt_error e;
	int found, rev, already;

	name(a, sizeof(a), "sa");
	name(b, sizeof(b), "sb");
	add_admin(db, a);
	add_admin(db, b);
	snprintf(ida, sizeof(ida), "%08x%056d", tag, 1);
	snprintf(idb, sizeof(idb), "%08x%056d", tag, 2);
	/* A password only for an active admin. */
	OK(db_auth_password_set(db, "nobody-at-all", "$x", 1000, &found, &e));
	assert_int_equal(found, 0);
	OK(db_auth_password_set(db, a, "$first", 1000, &found, &e));
	assert_int_equal(found, 1);
	OK(db_auth_password_get(db, a, hash, &who, &found, &e));
	assert_int_equal(found, 1);
	assert_string_equal(hash, "$first");
	assert_string_equal(who.name, a);
	OK(db_auth_password_get(db, b, hash, &who, &found, &e));
	assert_int_equal(found, 0);

	OK(db_auth_session_add(db, ida, a, "csrf-a", 2000, &e));
	OK(db_auth_session_add(db, idb, b, "csrf-b", 2000, &e));
	/* Good while last_seen > idle_cut and created_at > max_cut. */
	OK(db_auth_session_get(db, ida, 1999, 1999, &s, &found, &e));
	assert_int_equal(found, 1);
	assert_string_equal(s.admin.name, a);
	assert_string_equal(s.csrf, "csrf-a");
	OK(db_auth_session_get(db, ida, 2000, 1999, &s, &found, &e));
	assert_int_equal(found, 0);
	OK(db_auth_session_get(db, ida, 1999, 2000, &s, &found, &e));
	assert_int_equal(found, 0);
	/* A touch moves last_seen, only when it is older than stale. */
	OK(db_auth_session_touch(db, ida, 2100, 1990, &e));
	OK(db_auth_session_get(db, ida, 2050, 1999, &s, &found, &e));
	assert_int_equal(found, 0);
	OK(db_auth_session_touch(db, ida, 2100, 2050, &e));
	OK(db_auth_session_get(db, ida, 2050, 1999, &s, &found, &e));
	assert_int_equal(found, 1);
	assert_int_equal(s.last_seen, 2100);

	/* A new password ends a's sessions, not b's. */
	OK(db_begin(db, &e));
	OK(db_auth_password_set(db, a, "$second", 3000, &found, &e));
	OK(db_commit(db, &e));
	OK(db_auth_session_get(db, ida, 0, 0, &s, &found, &e));
	assert_int_equal(found, 0);
	OK(db_auth_session_get(db, idb, 0, 0, &s, &found, &e));
	assert_int_equal(found, 1);
	/* A revoked admin's session is not found even before it is deleted;
	 * forget deletes it and the password. */
	OK(db_auth_password_set(db, b, "$b", 3000, &found, &e));
	OK(db_auth_session_add(db, idb, b, "csrf-b", 3000, &e));
	OK(db_admin_revoke(db, b, 3001, &rev, &already, &e));
	OK(db_auth_session_get(db, idb, 0, 0, &s, &found, &e));
	assert_int_equal(found, 0);
	OK(db_auth_password_get(db, b, hash, &who, &found, &e));
	assert_int_equal(found, 0);
	OK(db_auth_admin_forget(db, b, &e));
	/* Signing out deletes one session; prune the expired ones. */
	OK(db_auth_session_add(db, ida, a, "csrf-a2", 4000, &e));
	OK(db_auth_session_delete(db, ida, &e));
	OK(db_auth_session_get(db, ida, 0, 0, &s, &found, &e));
	assert_int_equal(found, 0);
	OK(db_auth_session_add(db, ida, a, "csrf-a3", 4000, &e));
	OK(db_auth_sessions_prune(db, 4000, 0, &e));
	OK(db_auth_session_get(db, ida, 0, 0, &s, &found, &e));
	assert_int_equal(found, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_round_trip),
		cmocka_unit_test(test_hash_vector),
		cmocka_unit_test(test_hash_refuses_bad_forms),
		cmocka_unit_test(test_password_rules),
		cmocka_unit_test(test_cookie_parse),
		cmocka_unit_test_setup_teardown(test_throttle_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
	};
	const char *env = getenv("BBT_TEST_DB_URL");
	char path[512];
	int rc;

	tag = (unsigned)getpid() ^ ((unsigned)time(NULL) << 12);
	if (env && env[0]) {
		snprintf(url, sizeof(url), "%s", env);
	} else {
		snprintf(tmpdir, sizeof(tmpdir), "%s/bbt-auth.XXXXXX",
		    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			return 1;
		}
		snprintf(url, sizeof(url), "%s/auth.db", tmpdir);
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (tmpdir[0]) {
		static const char *const suffix[] = { "", "-wal", "-shm" };

		for (size_t i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "%s%s", url, suffix[i]);
			unlink(path);
		}
		rmdir(tmpdir);
	}
	return rc;
}
