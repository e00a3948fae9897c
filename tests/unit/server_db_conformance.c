/*
 * The storage conformance suite (issue 12, CONTRACT 5.7 "both backends pass
 * the same test suite"): every function of server/db.h and its topic
 * headers held to its written contract, through those headers only (plus
 * the types the points topic takes: timetable.h, points.h), so it runs
 * unchanged on any backend.
 *
 * The backend is the database named by $BBT_TEST_DB_URL (a libpq URI
 * reaches the PostgreSQL backend through db_open); without it, a fresh
 * SQLite file in a temp directory. The suite never assumes an empty
 * database: every key it writes carries a per-run tag, and global counts
 * are compared before and after, so one PostgreSQL database can serve
 * repeated runs.
 */
#include <pthread.h>
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

#include "db.h"
#include "points.h"
#include "timetable.h"

#define P0 1795132800LL		/* 2026-11-20T00:00:00Z, a UTC day start */
#define HOUR 3600
#define DAY 86400

static char url[4096];
static char tmpdir[256];
static unsigned tag;		/* per run: keys never collide across runs */

/* Fail with the database's message unless call returned 0. */
#define OK(call) do { \
	if ((call) != 0) \
		fail_msg("%s: %s", #call, bbt_error_msg(&e)); \
} while (0)

static const char *key(char *buf, size_t len, const char *what, int n)
{
	snprintf(buf, len, "%s-%08x-%d", what, tag, n);
	return buf;
}

/* A 64-hex-digit "digest" unique to this run. */
static const char *hash64(char buf[DB_HASH_LEN], int n)
{
	snprintf(buf, DB_HASH_LEN, "%08x%08x%048d", tag, (unsigned)n, 0);
	return buf;
}

/* A session id shaped like a UUID, unique to this run. */
static void sid(char buf[BBT_UUID_LEN], int n)
{
	snprintf(buf, BBT_UUID_LEN, "%08x-0000-4000-8000-%012d", tag, n);
}

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

static void add_school(struct db *db, const char *code, const char *name,
    const char *district)
{
	struct db_school s = { 0 };
	struct bbt_error e;

	snprintf(s.code, sizeof(s.code), "%s", code);
	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.district, sizeof(s.district), "%s", district);
	OK(db_school_add(db, &s, &e));
}

static void new_device(struct db_device *d, const char *school, const char *room, int n,
    const char *pubkey)
{
	char b[64];

	memset(d, 0, sizeof(*d));
	key(d->device_id, sizeof(d->device_id), "dev", n);
	key(d->hw_id, sizeof(d->hw_id), "hw", n);
	snprintf(d->school, sizeof(d->school), "%s", school);
	snprintf(d->room, sizeof(d->room), "%s", room);
	snprintf(d->hostname, sizeof(d->hostname), "%s", key(b, sizeof(b), "host", n));
	snprintf(d->agent_version, sizeof(d->agent_version), "1.0");
	snprintf(d->public_key, sizeof(d->public_key), "%s", pubkey);
	d->enrolled_at = P0;
}

/* Enroll with a fresh token hash (serial n); returns the outcome. */
static int enroll(struct db *db, struct db_device *d, int n)
{
	struct bbt_error e;
	int how;

	hash64(d->token_hash, 1000 + n);
	OK(db_device_enroll(db, d, &how, &e));
	return how;
}

static void store(struct db *db, const char *device, const char *school, const char *room,
    int n, int64_t start, int64_t dur, int *inserted)
{
	struct bbt_session s = { 0 };
	struct db_session_origin o = { device, school, room, start + dur, DB_VIA_HTTP };
	struct bbt_error e;

	sid(s.id, n);
	s.start = start;
	s.end = start + dur;
	s.utc_offset = 8 * 3600;
	s.duration_s = dur;
	s.touches = 5;
	s.active_minutes = 3;
	snprintf(s.teacher, sizeof(s.teacher), "t%d", n);
	OK(db_session_insert(db, &s, &o, inserted, &e));
}

/* ---- core ---- */

static void test_open_version(void **state)
{
	struct bbt_error e;
	struct db *again;
	char problem[256];
	int v = -1, ok = 0;

	OK(db_schema_version(*state, &v, &e));
	assert_int_equal(v, DB_SCHEMA_VERSION);
	OK(db_check(*state, &ok, problem, sizeof(problem), &e));
	assert_int_equal(ok, 1);
	/* Opening an up-to-date database again migrates nothing and works. */
	OK(db_open(url, &again, &e));
	OK(db_schema_version(again, &v, &e));
	assert_int_equal(v, DB_SCHEMA_VERSION);
	db_close(again);
}

static void test_transactions(void **state)
{
	struct db *db = *state;
	struct db_device d;
	char school[64];
	struct bbt_error e;
	int ins, exists;
	char id[BBT_UUID_LEN];

	add_school(db, key(school, sizeof(school), "tx", 0), "tx", "");
	new_device(&d, school, "r", 10, "k10");
	assert_int_equal(enroll(db, &d, 10), DB_ENROLL_NEW);
	/* A rolled-back write is gone. */
	OK(db_begin(db, &e));
	store(db, d.device_id, school, "r", 10, P0, 600, &ins);
	assert_int_equal(ins, 1);
	db_rollback(db);
	sid(id, 10);
	OK(db_session_exists(db, id, &exists, &e));
	assert_int_equal(exists, 0);
	/* A nested rollback dooms the outer commit. */
	OK(db_begin(db, &e));
	OK(db_begin(db, &e));
	store(db, d.device_id, school, "r", 10, P0, 600, &ins);
	db_rollback(db);
	assert_int_equal(db_commit(db, &e), -1);
	OK(db_session_exists(db, id, &exists, &e));
	assert_int_equal(exists, 0);
	/* A committed one stays. */
	OK(db_begin(db, &e));
	OK(db_begin(db, &e));
	store(db, d.device_id, school, "r", 10, P0, 600, &ins);
	OK(db_commit(db, &e));
	OK(db_commit(db, &e));
	OK(db_session_exists(db, id, &exists, &e));
	assert_int_equal(exists, 1);
	assert_int_equal(db_commit(db, &e), -1);	/* no transaction open */
}

/* ---- schools ---- */

struct seen_schools {
	const char *prefix;
	char order[4][DB_SCHOOL_LEN];
	int n;
};

static int on_school(void *arg, const struct db_school *s, struct bbt_error *e)
{
	struct seen_schools *w = arg;

	if (strncmp(s->code, w->prefix, strlen(w->prefix)) != 0)
		return 0;
	if (w->n < 4)
		snprintf(w->order[w->n], DB_SCHOOL_LEN, "%s", s->code);
	w->n++;
	return 0;
}

static int stop_walk(void *arg, const struct db_school *s, struct bbt_error *e)
{
	(*(int *)arg)++;
	return bbt_error_set(e, "stop here");
}

static void test_schools(void **state)
{
	struct db *db = *state;
	char a[64], b[64], c[64], prefix[64], code[DB_SCHOOL_LEN];
	struct db_school s;
	struct db_detector d = { 300, -1, 60 }, got;
	struct seen_schools w = { 0 };
	struct bbt_error e;
	int found, calls = 0;

	snprintf(prefix, sizeof(prefix), "sch-%08x-", tag);
	/* Ordered by district, then code; "" (no district) first. */
	add_school(db, key(a, sizeof(a), "sch", 2), "乙校", "雁塔区");
	add_school(db, key(b, sizeof(b), "sch", 1), "甲校", "雁塔区");
	add_school(db, key(c, sizeof(c), "sch", 3), "丙校", "");
	OK(db_school_get(db, b, &s, &found, &e));
	assert_int_equal(found, 1);
	assert_string_equal(s.name, "甲校");
	assert_string_equal(s.district, "雁塔区");
	OK(db_school_get(db, "no-such-school", &s, &found, &e));
	assert_int_equal(found, 0);
	/* A taken code: an error that says so, and the first school is kept. */
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "%s", b);
	snprintf(s.name, sizeof(s.name), "other");
	assert_int_equal(db_school_add(db, &s, &e), -1);
	assert_non_null(strstr(bbt_error_msg(&e), "exists"));
	OK(db_school_get(db, b, &s, &found, &e));
	assert_string_equal(s.name, "甲校");
	OK(db_school_check(db, NULL, &e));
	OK(db_school_check(db, a, &e));
	assert_int_equal(db_school_check(db, "no-such-school", &e), -1);
	assert_non_null(strstr(bbt_error_msg(&e), "unknown school"));
	/* Resolve by code or by name. */
	OK(db_school_resolve(db, c, code, &found, &e));
	assert_int_equal(found, 1);
	assert_string_equal(code, c);
	OK(db_school_resolve(db, "甲校", code, &found, &e));
	assert_int_equal(found, 1);
	assert_string_equal(code, b);
	OK(db_school_resolve(db, "nowhere", code, &found, &e));
	assert_int_equal(found, 0);
	w.prefix = prefix;
	OK(db_schools_each(db, on_school, &w, &e));
	assert_int_equal(w.n, 3);
	assert_string_equal(w.order[0], c);
	assert_string_equal(w.order[1], b);
	assert_string_equal(w.order[2], a);
	/* A walk stops at fn's -1 with fn's error. */
	assert_int_equal(db_schools_each(db, stop_walk, &calls, &e), -1);
	assert_int_equal(calls, 1);
	assert_string_equal(bbt_error_msg(&e), "stop here");
	/* Detector settings: unset is -1, set and read back, unknown school. */
	OK(db_school_detector_get(db, a, &got, &e));
	assert_true(got.idle_gap == -1 && got.min_session == -1 && got.stuck_contact == -1);
	OK(db_school_detector_set(db, a, &d, &e));
	OK(db_school_detector_get(db, a, &got, &e));
	assert_true(got.idle_gap == 300 && got.min_session == -1 && got.stuck_contact == 60);
	assert_int_equal(db_school_detector_set(db, "no-such-school", &d, &e), -1);
	OK(db_school_detector_get(db, "no-such-school", &got, &e));
	assert_int_equal(got.idle_gap, -1);
}

/* ---- enrollment tokens ---- */

static int count_token(void *arg, const struct db_enroll_token *t, struct bbt_error *e)
{
	(*(int *)arg)++;
	return 0;
}

static void test_tokens(void **state)
{
	struct db *db = *state;
	struct db_enroll_token t = { 0 }, got, m[4];
	char school[64], h[DB_HASH_LEN], pfx[16];
	struct bbt_error e;
	int found, taken, n = 0;
	size_t nm;

	add_school(db, key(school, sizeof(school), "tok", 0), "t", "");
	hash64(t.hash, 1);
	snprintf(t.school, sizeof(t.school), "%s", school);
	t.uses_left = 2;
	t.expires_at = P0 + DAY;
	t.created_at = P0;
	snprintf(pfx, sizeof(pfx), "%08x", tag);
	snprintf(t.prefix, sizeof(t.prefix), "%.8s", pfx);
	OK(db_enroll_token_add(db, &t, &e));
	OK(db_enroll_token_get(db, t.hash, &got, &found, &e));
	assert_int_equal(found, 1);
	assert_int_equal(got.uses_left, 2);
	assert_int_equal(got.expires_at, P0 + DAY);
	assert_int_equal(got.revoked_at, 0);
	assert_string_equal(got.prefix, t.prefix);
	OK(db_enroll_token_get(db, hash64(h, 999), &got, &found, &e));
	assert_int_equal(found, 0);
	/* Uses count down and stop at 0. */
	OK(db_enroll_token_take(db, t.hash, &taken, &e));
	assert_int_equal(taken, 1);
	OK(db_enroll_token_take(db, t.hash, &taken, &e));
	assert_int_equal(taken, 1);
	OK(db_enroll_token_take(db, t.hash, &taken, &e));
	assert_int_equal(taken, 0);
	/* A revoked token gives no use. */
	hash64(t.hash, 2);
	t.prefix[0] = '\0';
	t.created_at = P0 + 1;
	OK(db_enroll_token_add(db, &t, &e));
	OK(db_enroll_token_revoke(db, t.hash, P0 + 5, &e));
	OK(db_enroll_token_get(db, t.hash, &got, &found, &e));
	assert_int_equal(got.revoked_at, P0 + 5);
	OK(db_enroll_token_take(db, t.hash, &taken, &e));
	assert_int_equal(taken, 0);
	OK(db_enroll_tokens_each(db, school, count_token, &n, &e));
	assert_int_equal(n, 2);
	/* Match by prefix (tokens without one do not match) and by digest. */
	OK(db_enroll_tokens_match(db, pfx, 0, m, 4, &nm, &e));
	assert_int_equal(nm, 1);
	assert_string_equal(m[0].hash, hash64(h, 1));
	OK(db_enroll_tokens_match(db, pfx, 1, m, 4, &nm, &e));
	assert_int_equal(nm, 2);
	assert_string_equal(m[0].hash, hash64(h, 1));	/* by created_at */
	OK(db_enroll_tokens_match(db, pfx, 1, m, 1, &nm, &e));
	assert_int_equal(nm, 2);			/* counted beyond max */
}

/* ---- admins ---- */

static int count_admin(void *arg, const struct db_admin *a, struct bbt_error *e)
{
	char *want = arg;

	if (strcmp(a->name, want) == 0)
		want[0] = '\0';
	return 0;
}

static void test_admins(void **state)
{
	struct db *db = *state;
	struct db_admin a = { 0 }, got;
	char school[64], h1[DB_HASH_LEN], h2[DB_HASH_LEN], h3[DB_HASH_LEN], name[64];
	struct bbt_error e;
	int found, already;

	add_school(db, key(school, sizeof(school), "adm", 0), "a", "");
	key(a.name, sizeof(a.name), "admin", 1);
	snprintf(a.school, sizeof(a.school), "%s", school);
	OK(db_admin_add(db, &a, hash64(h1, 11), P0, &e));
	assert_int_equal(db_admin_add(db, &a, hash64(h2, 12), P0, &e), -1);
	assert_non_null(strstr(bbt_error_msg(&e), "exists"));
	OK(db_admin_by_token(db, h1, &got, &found, &e));
	assert_int_equal(found, 1);
	assert_string_equal(got.name, a.name);
	assert_string_equal(got.school, school);
	OK(db_admin_by_token(db, h2, &got, &found, &e));
	assert_int_equal(found, 0);
	snprintf(name, sizeof(name), "%s", a.name);
	OK(db_admins_each(db, count_admin, name, &e));
	assert_string_equal(name, "");
	/* Revoke: found, then already; its token stops working. */
	OK(db_admin_revoke(db, a.name, P0 + 10, &found, &already, &e));
	assert_true(found == 1 && already == 0);
	OK(db_admin_revoke(db, a.name, P0 + 20, &found, &already, &e));
	assert_true(found == 1 && already == 1);
	OK(db_admin_revoke(db, "no-such-admin", P0, &found, &already, &e));
	assert_true(found == 0 && already == 0);
	OK(db_admin_by_token(db, h1, &got, &found, &e));
	assert_int_equal(found, 0);
	/* A revoked admin's name is taken over: new token, bureau, active. */
	a.school[0] = '\0';
	OK(db_admin_add(db, &a, hash64(h3, 13), P0 + 30, &e));
	OK(db_admin_by_token(db, h3, &got, &found, &e));
	assert_int_equal(found, 1);
	assert_string_equal(got.school, "");
	assert_int_equal(got.revoked_at, 0);
	assert_int_equal(got.created_at, P0 + 30);
}

/* ---- devices ---- */

static void test_enroll(void **state)
{
	struct db *db = *state;
	struct db_device d, again, other, got;
	char s1[64], s2[64], old[DB_HASH_LEN];
	enum db_token_refusal why;
	struct bbt_error e;
	int found;

	add_school(db, key(s1, sizeof(s1), "enr", 1), "e1", "");
	add_school(db, key(s2, sizeof(s2), "enr", 2), "e2", "");
	new_device(&d, s1, "r1", 20, "keyA");
	assert_int_equal(enroll(db, &d, 20), DB_ENROLL_NEW);
	OK(db_device_by_token(db, d.token_hash, &got, &found, &e));
	assert_int_equal(found, 1);
	assert_string_equal(got.device_id, d.device_id);
	assert_int_equal(got.last_seen, 0);
	assert_int_equal(got.buffer_depth, -1);
	assert_true(got.clock_offset_s == DB_OFFSET_UNKNOWN);
	assert_int_equal(got.reenrolled, 0);
	/* The token's lookup brings the school's detector settings along (the
	 * heartbeat's reply); none set is -1, a change shows at once. */
	assert_true(got.school_detector.idle_gap == -1 &&
	    got.school_detector.min_session == -1 && got.school_detector.stuck_contact == -1);
	OK(db_school_detector_set(db, s1, &(struct db_detector){ 300, -1, 60 }, &e));
	OK(db_device_by_token(db, d.token_hash, &got, &found, &e));
	assert_true(got.school_detector.idle_gap == 300 &&
	    got.school_detector.min_session == -1 && got.school_detector.stuck_contact == 60);
	OK(db_device_get(db, d.device_id, &got, &found, &e));
	assert_int_equal(got.school_detector.idle_gap, -1);
	OK(db_school_detector_set(db, s1, &(struct db_detector){ -1, -1, -1 }, &e));
	/* Likewise the school's collector address (school move): one school,
	 * every school, none; an unknown school changes nothing. */
	{
		int64_t n = -1;

		assert_string_equal(got.school_collector_url, "");
		OK(db_school_collector_set(db, s1, "https://new.example/", &n, &e));
		assert_int_equal(n, 1);
		OK(db_device_by_token(db, d.token_hash, &got, &found, &e));
		assert_string_equal(got.school_collector_url, "https://new.example/");
		OK(db_device_get(db, d.device_id, &got, &found, &e));
		assert_string_equal(got.school_collector_url, "");
		OK(db_school_collector_set(db, "no-such-school", "https://x.example/", &n, &e));
		assert_int_equal(n, 0);
		OK(db_school_collector_set(db, NULL, "https://all.example/", &n, &e));
		assert_true(n >= 1);
		OK(db_device_by_token(db, d.token_hash, &got, &found, &e));
		assert_string_equal(got.school_collector_url, "https://all.example/");
		OK(db_school_collector_set(db, NULL, NULL, &n, &e));
		OK(db_device_by_token(db, d.token_hash, &got, &found, &e));
		assert_string_equal(got.school_collector_url, "");
	}
	/* Same hw_id, same school: id kept, new token, room updated. */
	new_device(&again, s1, "r2", 20, "keyA");
	snprintf(again.device_id, sizeof(again.device_id), "ignored-%08x", tag);
	again.enrolled_at = P0 + 100;
	assert_int_equal(enroll(db, &again, 21), DB_ENROLL_AGAIN);
	assert_string_equal(again.device_id, d.device_id);
	OK(db_device_get(db, d.device_id, &got, &found, &e));
	assert_string_equal(got.room, "r2");
	assert_int_equal(got.reenrolled, 1);
	assert_int_equal(got.reenrolled_at, P0 + 100);
	assert_int_equal(got.clone_at, 0);
	OK(db_device_by_token(db, d.token_hash, &got, &found, &e));
	assert_int_equal(found, 0);
	/* The same key enrolled again: superseded, no clone evidence. */
	OK(db_device_token_refused(db, d.token_hash, P0 + 200, &why, &e));
	assert_int_equal(why, DB_TOKEN_SUPERSEDED);
	OK(db_device_get(db, d.device_id, &got, &found, &e));
	assert_int_equal(got.clone_at, 0);
	OK(db_device_token_refused(db, hash64(old, 777), P0, &why, &e));
	assert_int_equal(why, DB_TOKEN_UNKNOWN);
	/* Another school's token: nothing written. */
	new_device(&other, s2, "x", 20, "keyB");
	assert_int_equal(enroll(db, &other, 22), DB_ENROLL_OTHER_SCHOOL);
	assert_string_equal(other.device_id, d.device_id);
	OK(db_device_get(db, d.device_id, &got, &found, &e));
	assert_string_equal(got.school, s1);
	assert_string_equal(got.token_hash, again.token_hash);
	/* Key B replaces key A, then A comes back: two machines, clone_at. */
	snprintf(old, sizeof(old), "%s", again.token_hash);
	new_device(&other, s1, "r2", 20, "keyB");
	other.enrolled_at = P0 + 300;
	assert_int_equal(enroll(db, &other, 23), DB_ENROLL_AGAIN);
	OK(db_device_get(db, d.device_id, &got, &found, &e));
	assert_int_equal(got.clone_at, 0);
	/* The machine with key A presents its replaced token: clone evidence. */
	OK(db_device_token_refused(db, old, P0 + 400, &why, &e));
	assert_int_equal(why, DB_TOKEN_SUPERSEDED);
	OK(db_device_get(db, d.device_id, &got, &found, &e));
	assert_int_equal(got.clone_at, P0 + 400);
	new_device(&again, s1, "r2", 20, "keyA");
	again.enrolled_at = P0 + 500;
	assert_int_equal(enroll(db, &again, 24), DB_ENROLL_AGAIN);
	OK(db_device_get(db, d.device_id, &got, &found, &e));
	assert_int_equal(got.clone_at, P0 + 500);
	assert_int_equal(got.reenrolled, 3);
}

static void test_revoke_move(void **state)
{
	struct db *db = *state;
	struct db_device d, got;
	char s1[64], s2[64];
	enum db_token_refusal why;
	struct bbt_error e;
	int found;

	add_school(db, key(s1, sizeof(s1), "rev", 1), "r1", "");
	add_school(db, key(s2, sizeof(s2), "rev", 2), "r2", "");
	new_device(&d, s1, "r", 30, "k30");
	assert_int_equal(enroll(db, &d, 30), DB_ENROLL_NEW);
	OK(db_device_revoke(db, d.device_id, P0 + 10, &e));
	OK(db_device_by_token(db, d.token_hash, &got, &found, &e));
	assert_int_equal(found, 0);
	OK(db_device_token_refused(db, d.token_hash, P0 + 20, &why, &e));
	assert_int_equal(why, DB_TOKEN_REVOKED);
	OK(db_device_get(db, d.device_id, &got, &found, &e));
	assert_int_equal(got.revoked_at, P0 + 10);
	/* Re-enrolling with a token of its school lifts the revocation. */
	assert_int_equal(enroll(db, &d, 31), DB_ENROLL_AGAIN);
	OK(db_device_by_token(db, d.token_hash, &got, &found, &e));
	assert_int_equal(found, 1);
	assert_int_equal(got.revoked_at, 0);
	OK(db_device_move(db, d.device_id, s2, "新教室", &e));
	OK(db_device_get(db, d.device_id, &got, &found, &e));
	assert_string_equal(got.school, s2);
	assert_string_equal(got.room, "新教室");
}

/* What db_auth_changes reported: the changes, "device:ID" or "school:CODE",
 * joined by spaces. */
struct auth_log {
	char text[512];
	int n;
};

static int on_auth_change(void *arg, const char *device_id, const char *school,
    struct bbt_error *e)
{
	struct auth_log *l = arg;
	size_t len = strlen(l->text);

	(void)e;
	assert_true((*device_id != 0) != (*school != 0));
	snprintf(l->text + len, sizeof(l->text) - len, "%s%s:%s", len ? " " : "",
	    *device_id ? "device" : "school", *device_id ? device_id : school);
	l->n++;
	return 0;
}

/* changed(db, &g): the changes logged since g, "" for none (g becomes the
 * number now; it moved by one a change). */
static const char *changed(struct db *db, int64_t *g)
{
	static struct auth_log l;
	struct bbt_error e;
	int64_t now, alone;

	memset(&l, 0, sizeof(l));
	OK(db_auth_changes(db, *g, &now, on_auth_change, &l, &e));
	OK(db_auth_generation(db, &alone, &e));
	assert_int_equal(alone, now);
	assert_int_equal(now - *g, l.n);
	*g = now;
	return l.text;
}

/*
 * The credential generation (server/credcache.h) moves with every change
 * to what a device token stands for, logging the device or school it
 * changed, and with nothing a heartbeat, an upload or a new enrollment
 * writes: the cache would otherwise serve a revoked token, or be emptied
 * hundreds of times a second.
 */
static void test_auth_generation(void **state)
{
	struct db *db = *state;
	struct db_detector det = { 120, 600, 30 };
	struct db_device d, other;
	char s1[64], s2[64], want[128];
	struct auth_log l = { 0 };
	struct bbt_error e;
	int64_t g, n, start, i;

	add_school(db, key(s1, sizeof(s1), "gen", 1), "g1", "");
	add_school(db, key(s2, sizeof(s2), "gen", 2), "g2", "");
	OK(db_auth_generation(db, &g, &e));
	start = g;
	new_device(&d, s1, "r", 140, "k140");
	assert_int_equal(enroll(db, &d, 140), DB_ENROLL_NEW);
	new_device(&other, s1, "r", 141, "k141");
	assert_int_equal(enroll(db, &other, 141), DB_ENROLL_NEW);
	OK(db_device_seen(db, d.device_id, P0 + 5, 3, &e));
	OK(db_device_heartbeat(db, d.device_id, P0 + 6, 3, "2.0", 4, "[]", &e));
	OK(db_device_uploaded(db, d.device_id, 4, &e));
	OK(db_device_contact(db, d.device_id, P0 + 6, &e));
	OK(db_device_interval_set(db, d.device_id, 60, &e));
	assert_string_equal(changed(db, &g), "");
	snprintf(want, sizeof(want), "device:%s", d.device_id);
	OK(db_device_revoke(db, d.device_id, P0 + 10, &e));
	assert_string_equal(changed(db, &g), want);
	assert_int_equal(enroll(db, &d, 142), DB_ENROLL_AGAIN);
	assert_string_equal(changed(db, &g), want);
	OK(db_device_move(db, d.device_id, s2, "r2", &e));
	assert_string_equal(changed(db, &g), want);
	snprintf(want, sizeof(want), "school:%s", s2);
	OK(db_school_detector_set(db, s2, &det, &e));
	assert_string_equal(changed(db, &g), want);
	OK(db_school_collector_set(db, s2, "https://new.example:8443", &n, &e));
	assert_string_equal(changed(db, &g), want);
	/* Rolled back: the number stays, nothing is logged. */
	OK(db_begin(db, &e));
	OK(db_device_revoke(db, other.device_id, P0 + 20, &e));
	db_rollback(db);
	assert_string_equal(changed(db, &g), "");
	/* Read from the start, all five, oldest first; from now on, none. */
	OK(db_auth_changes(db, start, &n, on_auth_change, &l, &e));
	assert_int_equal(l.n, 5);
	assert_int_equal(n, g);
	assert_non_null(strstr(l.text, "device:"));
	assert_string_equal(strrchr(l.text, ' ') + 1, want);
	memset(&l, 0, sizeof(l));
	OK(db_auth_changes(db, INT64_MAX, &n, on_auth_change, &l, &e));
	assert_int_equal(l.n, 0);
	/* At most DB_AUTH_CHANGES_MAX + 1 are read at once. */
	for (i = 0; i < DB_AUTH_CHANGES_MAX + 5; i++)
		OK(db_device_move(db, other.device_id, s1, i % 2 ? "x" : "y", &e));
	memset(&l, 0, sizeof(l));
	OK(db_auth_changes(db, g, &n, on_auth_change, &l, &e));
	assert_int_equal(l.n, DB_AUTH_CHANGES_MAX + 1);
	assert_int_equal(n, g + DB_AUTH_CHANGES_MAX + 5);
}

struct inputs_walk {
	int n;
	char inputs[256];
	int64_t depth;
};

static int on_device(void *arg, const struct db_device *d, const char *inputs,
    struct bbt_error *e)
{
	struct inputs_walk *w = arg;

	w->n++;
	snprintf(w->inputs, sizeof(w->inputs), "%s", inputs ? inputs : "(null)");
	w->depth = d->buffer_depth;
	return 0;
}

static void test_heartbeat(void **state)
{
	struct db *db = *state;
	struct db_device d, got;
	struct inputs_walk w = { 0 };
	char school[64];
	struct bbt_error e;
	int64_t enrolled0, seen0, enrolled1, seen1, iv;
	int found;

	add_school(db, key(school, sizeof(school), "hb", 0), "h", "");
	OK(db_device_counts(db, P0 + 50, &enrolled0, &seen0, &e));
	new_device(&d, school, "r", 40, "k40");
	assert_int_equal(enroll(db, &d, 40), DB_ENROLL_NEW);
	OK(db_devices_each(db, school, on_device, &w, &e));
	assert_int_equal(w.n, 1);
	assert_string_equal(w.inputs, "(null)");
	OK(db_device_seen(db, d.device_id, P0 + 100, -7, &e));
	OK(db_device_get(db, d.device_id, &got, &found, &e));
	assert_int_equal(got.last_seen, P0 + 100);
	assert_int_equal(got.clock_offset_s, -7);
	/* An unmeasured offset keeps the old one; NULLs keep old values. */
	OK(db_device_heartbeat(db, d.device_id, P0 + 200, DB_OFFSET_UNKNOWN, "2.0", 9,
	    "[{\"name\":\"IRTOUCH\"}]", &e));
	OK(db_device_heartbeat(db, d.device_id, P0 + 300, DB_OFFSET_UNKNOWN, NULL, -1, NULL,
	    &e));
	OK(db_device_get(db, d.device_id, &got, &found, &e));
	assert_int_equal(got.last_seen, P0 + 300);
	assert_int_equal(got.clock_offset_s, -7);
	assert_string_equal(got.agent_version, "2.0");
	assert_int_equal(got.buffer_depth, 9);
	w.n = 0;
	OK(db_devices_each(db, school, on_device, &w, &e));
	assert_string_equal(w.inputs, "[{\"name\":\"IRTOUCH\"}]");
	/* Uploads lower the depth, never below 0. */
	OK(db_device_uploaded(db, d.device_id, 4, &e));
	OK(db_device_get(db, d.device_id, &got, &found, &e));
	assert_int_equal(got.buffer_depth, 5);
	OK(db_device_uploaded(db, d.device_id, 50, &e));
	OK(db_device_get(db, d.device_id, &got, &found, &e));
	assert_int_equal(got.buffer_depth, 0);
	OK(db_device_interval_get(db, d.device_id, &iv, &e));
	assert_int_equal(iv, 0);
	OK(db_device_interval_set(db, d.device_id, 300, &e));
	OK(db_device_interval_get(db, d.device_id, &iv, &e));
	assert_int_equal(iv, 300);
	OK(db_device_interval_set(db, d.device_id, 0, &e));
	OK(db_device_interval_get(db, d.device_id, &iv, &e));
	assert_int_equal(iv, 0);
	OK(db_device_counts(db, P0 + 50, &enrolled1, &seen1, &e));
	assert_int_equal(enrolled1 - enrolled0, 1);
	assert_int_equal(seen1 - seen0, 1);
}

/* A new school (its code in school[64]) with devices n in room r1 and n + 1
 * in room r2, enrolled. */
static void two_devices(struct db *db, const char *what, int n, char *school,
    struct db_device *d1, struct db_device *d2)
{
	char k[32];

	add_school(db, key(school, 64, what, 0), what, "");
	new_device(d1, school, "r1", n, key(k, sizeof(k), "k", n));
	new_device(d2, school, "r2", n + 1, key(k, sizeof(k), "k", n + 1));
	assert_int_equal(enroll(db, d1, n), DB_ENROLL_NEW);
	assert_int_equal(enroll(db, d2, n + 1), DB_ENROLL_NEW);
}

/* A flush's batch: each device as if heartbeated alone, all or none. */
static void test_heartbeat_batch(void **state)
{
	struct db *db = *state;
	struct db_device d1, d2, got;
	struct db_school_counts c;
	struct inputs_walk w = { 0 };
	char school[64];
	struct bbt_error e;
	int64_t iv;
	int found;

	two_devices(db, "hbb", 150, school, &d1, &d2);
	OK(db_device_heartbeat(db, d2.device_id, P0 + 10, 5, "1.5", 3, "[\"old\"]", &e));
	OK(db_device_interval_set(db, d2.device_id, 600, &e));
	{
		struct db_heartbeat hb[] = {
			{ d1.device_id, P0 + 100, -3, 2, 300, "2.0", "[\"IRTOUCH\"]" },
			/* Says nothing but the time: the rest is kept. */
			{ d2.device_id, P0 + HOUR + 200, DB_OFFSET_UNKNOWN, -1, 0, NULL, NULL },
			/* Not enrolled: skipped, the batch still stands. */
			{ "no-such-device", P0 + 100, 0, 0, 0, "2.0", "[]" },
		};

		OK(db_devices_heartbeat(db, hb, 3, &e));
	}
	OK(db_device_get(db, d1.device_id, &got, &found, &e));
	assert_int_equal(found, 1);
	assert_int_equal(got.last_seen, P0 + 100);
	assert_int_equal(got.clock_offset_s, -3);
	assert_string_equal(got.agent_version, "2.0");
	assert_int_equal(got.buffer_depth, 2);
	OK(db_device_interval_get(db, d1.device_id, &iv, &e));
	assert_int_equal(iv, 300);
	OK(db_device_get(db, d2.device_id, &got, &found, &e));
	assert_int_equal(got.last_seen, P0 + HOUR + 200);
	assert_int_equal(got.clock_offset_s, 5);
	assert_string_equal(got.agent_version, "1.5");
	assert_int_equal(got.buffer_depth, 3);
	OK(db_device_interval_get(db, d2.device_id, &iv, &e));
	assert_int_equal(iv, 0);
	OK(db_devices_each(db, school, on_device, &w, &e));
	assert_int_equal(w.n, 2);
	assert_string_equal(w.inputs, "[\"old\"]");	/* d2, walked last (room r2) */
	/* Contacts: d1 in hour 0, d2 in hour 0 (before) and hour 1. */
	OK(db_school_counts(db, school, P0 + HOUR, P0 + 2 * HOUR, 600, &c, &e));
	assert_int_equal(c.seen, 1);
	OK(db_school_counts(db, school, P0, P0 + HOUR, 600, &c, &e));
	assert_int_equal(c.seen, 2);
	/* A later hour of the same day adds to the day's row, losing none. */
	{
		struct db_heartbeat hb[] = {
			{ d1.device_id, P0 + 3 * HOUR, DB_OFFSET_UNKNOWN, -1, 300, NULL, NULL },
		};

		OK(db_devices_heartbeat(db, hb, 1, &e));
	}
	OK(db_school_counts(db, school, P0 + 3 * HOUR, P0 + 4 * HOUR, 600, &c, &e));
	assert_int_equal(c.seen, 1);
	OK(db_school_counts(db, school, P0, P0 + HOUR, 600, &c, &e));
	assert_int_equal(c.seen, 2);
	/* Rolled back with the caller's transaction: nothing written. */
	OK(db_begin(db, &e));
	{
		struct db_heartbeat hb[] = {
			{ d1.device_id, P0 + 5 * HOUR, 9, 9, 60, "3.0", NULL },
			{ d2.device_id, P0 + 5 * HOUR, 9, 9, 60, "3.0", NULL },
		};

		OK(db_devices_heartbeat(db, hb, 2, &e));
	}
	db_rollback(db);
	OK(db_device_get(db, d1.device_id, &got, &found, &e));
	assert_int_equal(got.last_seen, P0 + 3 * HOUR);
	assert_string_equal(got.agent_version, "2.0");
	OK(db_school_counts(db, school, P0 + 5 * HOUR, P0 + 6 * HOUR, 600, &c, &e));
	assert_int_equal(c.seen, 0);
	/* An empty batch writes nothing and does not fail. */
	OK(db_devices_heartbeat(db, NULL, 0, &e));
}

/* The second of two flushes that share devices, on its own connection. */
struct flush_thread {
	struct db_heartbeat hb[2];
	int rc;
	char err[256];
};

static void *flush_thread_main(void *arg)
{
	struct flush_thread *t = arg;
	struct db *db = NULL;
	struct bbt_error e;

	t->rc = db_open(url, &db, &e);
	if (t->rc == 0)
		t->rc = db_devices_heartbeat(db, t->hb, 2, &e);
	if (t->rc < 0)
		snprintf(t->err, sizeof(t->err), "%s", bbt_error_msg(&e));
	db_close(db);
	return NULL;
}

/*
 * Two collectors flushing the same devices at once: one waits for the
 * other (PostgreSQL: rows locked in id order; SQLite: one writer), neither
 * fails with a deadlock, and the later commit is what stays. The second
 * flush names the devices in the other order and starts while the first
 * holds d1; the first then writes d2, which the second must not hold yet.
 */
static void test_heartbeat_batch_concurrent(void **state)
{
	struct db *db = *state;
	struct db_device d1, d2, got;
	struct flush_thread t = { 0 };
	pthread_t th;
	char school[64];
	struct bbt_error e;
	int found;

	two_devices(db, "hbc", 160, school, &d1, &d2);
	/* d1's row rewritten: stored after d2's now, so a scan of devices in
	 * storage order meets d2 first (MVCC writes a new row version). */
	OK(db_device_seen(db, d1.device_id, P0 + 5, 0, &e));
	t.hb[0] = (struct db_heartbeat){ d2.device_id, P0 + 20, 2, 2, 60, "t", NULL };
	t.hb[1] = (struct db_heartbeat){ d1.device_id, P0 + 20, 2, 2, 60, "t", NULL };
	OK(db_begin(db, &e));
	{
		struct db_heartbeat first = { d1.device_id, P0 + 10, 1, 1, 60, "m", NULL };

		OK(db_devices_heartbeat(db, &first, 1, &e));
	}
	assert_int_equal(pthread_create(&th, NULL, flush_thread_main, &t), 0);
	usleep(300 * 1000);	/* the second flush is now waiting for d1 */
	{
		struct db_heartbeat then = { d2.device_id, P0 + 10, 1, 1, 60, "m", NULL };

		OK(db_devices_heartbeat(db, &then, 1, &e));
	}
	OK(db_commit(db, &e));
	assert_int_equal(pthread_join(th, NULL), 0);
	if (t.rc != 0)
		fail_msg("the second flush failed: %s", t.err);
	OK(db_device_get(db, d1.device_id, &got, &found, &e));
	assert_string_equal(got.agent_version, "t");
	assert_int_equal(got.last_seen, P0 + 20);
	OK(db_device_get(db, d2.device_id, &got, &found, &e));
	assert_string_equal(got.agent_version, "t");
}

/* ---- sessions ---- */

struct rows_walk {
	int n;
	struct db_session_row first;
};

static int on_row(void *arg, const struct db_session_row *r, struct bbt_error *e)
{
	struct rows_walk *w = arg;

	if (w->n++ == 0)
		w->first = *r;
	return 0;
}

static void test_sessions_once(void **state)
{
	struct db *db = *state;
	struct db_device a, b;
	struct rows_walk w = { 0 };
	char school[64], id[BBT_UUID_LEN];
	struct bbt_error e;
	int64_t n0, n1;
	int ins, exists;

	add_school(db, key(school, sizeof(school), "ses", 0), "s", "");
	new_device(&a, school, "r", 50, "k50");
	new_device(&b, school, "r", 51, "k51");
	assert_int_equal(enroll(db, &a, 50), DB_ENROLL_NEW);
	assert_int_equal(enroll(db, &b, 51), DB_ENROLL_NEW);
	OK(db_session_count(db, &n0, &e));
	store(db, a.device_id, school, "r", 50, P0, 900, &ins);
	assert_int_equal(ins, 1);
	store(db, a.device_id, school, "r", 50, P0, 900, &ins);
	assert_int_equal(ins, 0);
	/* Whichever device sent it first keeps it. */
	store(db, b.device_id, school, "r", 50, P0, 900, &ins);
	assert_int_equal(ins, 0);
	/* The id alone is the key: another start (another month) is the same
	 * session, stored once (a backend that partitions by start must still
	 * refuse it). */
	store(db, a.device_id, school, "r", 50, P0 + 40 * DAY, 900, &ins);
	assert_int_equal(ins, 0);
	sid(id, 50);
	OK(db_session_exists(db, id, &exists, &e));
	assert_int_equal(exists, 1);
	sid(id, 59);
	OK(db_session_exists(db, id, &exists, &e));
	assert_int_equal(exists, 0);
	OK(db_session_count(db, &n1, &e));
	assert_int_equal(n1 - n0, 1);
	/* Read back as stored, with its origin; by device and by school. */
	OK(db_sessions_each(db, NULL, a.device_id, on_row, &w, &e));
	assert_int_equal(w.n, 1);
	sid(id, 50);
	assert_string_equal(w.first.s.id, id);
	assert_string_equal(w.first.device_id, a.device_id);
	assert_string_equal(w.first.school, school);
	assert_string_equal(w.first.room, "r");
	assert_int_equal(w.first.s.start, P0);
	assert_int_equal(w.first.s.end, P0 + 900);
	assert_int_equal(w.first.s.duration_s, 900);
	assert_int_equal(w.first.s.utc_offset, 8 * 3600);
	assert_int_equal(w.first.s.touches, 5);
	assert_int_equal(w.first.s.active_minutes, 3);
	assert_string_equal(w.first.s.teacher, "t50");
	assert_string_equal(w.first.s.input.name, "");
	assert_int_equal(w.first.received_at, P0 + 900);
	assert_int_equal(w.first.via, DB_VIA_HTTP);
	w.n = 0;
	OK(db_sessions_each(db, NULL, b.device_id, on_row, &w, &e));
	assert_int_equal(w.n, 0);
	store(db, b.device_id, school, "r2", 52, P0 - 60, 900, &ins);
	w.n = 0;
	OK(db_sessions_each(db, school, NULL, on_row, &w, &e));
	assert_int_equal(w.n, 2);
	assert_string_equal(w.first.device_id, b.device_id);	/* by start */
}

/* A session for a batch: id n, start, 900 s; the optional fields empty. */
static void batch_session(struct bbt_session *s, int n, int64_t start)
{
	memset(s, 0, sizeof(*s));
	sid(s->id, n);
	s->start = start;
	s->end = start + 900;
	s->utc_offset = 8 * 3600;
	s->duration_s = 900;
	s->touches = 7;
	s->active_minutes = 12;
}

/*
 * db_sessions_insert: one call stores the new sessions of a batch and says
 * which; an id stored before or earlier in the same batch is a duplicate
 * (its first place wins); text with quotes, backslashes and UTF-8, empty
 * optional fields and flags come back as they went in; sessions of
 * another month in the same batch are stored (PostgreSQL: a partition
 * made for them); a rolled-back batch leaves nothing; an empty batch is
 * no error.
 */
static void test_sessions_batch(void **state)
{
	struct db *db = *state;
	struct db_device d;
	struct rows_walk w = { 0 };
	struct bbt_session s[6];
	const struct bbt_session *ps[6];
	struct db_session_origin o = { NULL, NULL, "r5", P0 + DAY, DB_VIA_BUNDLE };
	unsigned char ins[6];
	char school[64], id[BBT_UUID_LEN];
	struct bbt_error e;
	int64_t n0, n1;
	int one, exists;

	add_school(db, key(school, sizeof(school), "bat", 0), "b", "");
	new_device(&d, school, "r5", 90, "k90");
	assert_int_equal(enroll(db, &d, 90), DB_ENROLL_NEW);
	o.device_id = d.device_id;
	o.school = school;
	store(db, d.device_id, school, "r5", 90, P0 + 2 * HOUR, 900, &one);
	assert_int_equal(one, 1);
	OK(db_session_count(db, &n0, &e));
	batch_session(&s[0], 91, P0 + HOUR);
	snprintf(s[0].teacher, sizeof(s[0].teacher), "O'Brien \"王\" \\ 5%% ; --");
	snprintf(s[0].input.name, sizeof(s[0].input.name), "IRTOUCH {a,b} NULL");
	snprintf(s[0].input.vid, sizeof(s[0].input.vid), "6615");
	snprintf(s[0].input.pid, sizeof(s[0].input.pid), "0070");
	s[0].flags = BBT_FLAG_RECOVERED | BBT_FLAG_CLOCK_ADJUSTED;
	batch_session(&s[1], 90, P0 + 2 * HOUR);	/* stored before */
	batch_session(&s[2], 92, P0 + 95 * DAY);	/* another month */
	batch_session(&s[3], 91, P0 + 3 * HOUR);	/* again in this batch */
	batch_session(&s[4], 93, P0 + 4 * HOUR);
	batch_session(&s[5], 92, P0 + 95 * DAY);
	for (int i = 0; i < 6; i++)
		ps[i] = &s[i];
	/* Rolled back: nothing of it stays. */
	OK(db_begin(db, &e));
	OK(db_sessions_insert(db, ps, 6, &o, ins, &e));
	db_rollback(db);
	OK(db_session_count(db, &n1, &e));
	assert_int_equal(n1, n0);
	memset(ins, 9, sizeof(ins));
	OK(db_sessions_insert(db, ps, 6, &o, ins, &e));
	assert_int_equal(ins[0], 1);
	assert_int_equal(ins[1], 0);
	assert_int_equal(ins[2], 1);
	assert_int_equal(ins[3], 0);
	assert_int_equal(ins[4], 1);
	assert_int_equal(ins[5], 0);
	OK(db_session_count(db, &n1, &e));
	assert_int_equal(n1 - n0, 3);
	/* The same batch again: all duplicates. */
	OK(db_sessions_insert(db, ps, 6, &o, ins, &e));
	for (int i = 0; i < 6; i++)
		assert_int_equal(ins[i], 0);
	OK(db_sessions_insert(db, ps, 0, &o, ins, &e));
	OK(db_session_count(db, &n1, &e));
	assert_int_equal(n1 - n0, 3);
	sid(id, 92);
	OK(db_session_exists(db, id, &exists, &e));
	assert_int_equal(exists, 1);
	/* The first place of 91 won: its start, its fields, the batch's origin. */
	OK(db_sessions_each(db, NULL, d.device_id, on_row, &w, &e));
	assert_int_equal(w.n, 4);
	sid(id, 91);
	assert_string_equal(w.first.s.id, id);
	assert_int_equal(w.first.s.start, P0 + HOUR);
	assert_int_equal(w.first.s.end, P0 + HOUR + 900);
	assert_int_equal(w.first.s.touches, 7);
	assert_int_equal(w.first.s.active_minutes, 12);
	assert_string_equal(w.first.s.teacher, "O'Brien \"王\" \\ 5% ; --");
	assert_string_equal(w.first.s.input.name, "IRTOUCH {a,b} NULL");
	assert_string_equal(w.first.s.input.vid, "6615");
	assert_string_equal(w.first.s.input.pid, "0070");
	assert_int_equal(w.first.s.flags, BBT_FLAG_RECOVERED | BBT_FLAG_CLOCK_ADJUSTED);
	assert_string_equal(w.first.room, "r5");
	assert_string_equal(w.first.school, school);
	assert_int_equal(w.first.received_at, P0 + DAY);
	assert_int_equal(w.first.via, DB_VIA_BUNDLE);
}

/* ---- points ---- */

static void slot(struct timetable_slot *t, const char *school, const char *room, int wd,
    const char *teacher)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->school, sizeof(t->school), "%s", school);
	snprintf(t->room, sizeof(t->room), "%s", room);
	t->weekday = wd;
	t->start_min = 480;
	t->end_min = 525;
	snprintf(t->teacher_id, sizeof(t->teacher_id), "T-%s", teacher);
	snprintf(t->teacher_name, sizeof(t->teacher_name), "%s", teacher);
	snprintf(t->subject, sizeof(t->subject), "数学");
}

/*
 * A timetable of more slots than one db_timetable_add call takes: every
 * slot stored as given (quotes, backslashes and braces in the text, an
 * empty field), and a slot the database refuses in the last batch leaves
 * the old timetable whole.
 */
static void test_timetable_batches(void **state)
{
	struct db *db = *state;
	size_t n = 2 * DB_TIMETABLE_BATCH + 7;
	struct timetable tt = { calloc(n, sizeof(struct timetable_slot)), n, n }, got;
	char s1[64], s2[64], who[32];
	struct bbt_error e;

	assert_non_null(tt.slots);
	add_school(db, key(s1, sizeof(s1), "ttb", 1), "t1", "");
	add_school(db, key(s2, sizeof(s2), "ttb", 2), "t2", "");
	for (size_t i = 0; i < n; i++) {
		snprintf(who, sizeof(who), "王%zu", i);
		slot(&tt.slots[i], i % 2 ? s2 : s1, "r1", 1 + (int)(i % 7), who);
		tt.slots[i].start_min = (int)(i % 1000);
		tt.slots[i].end_min = tt.slots[i].start_min + 40;
	}
	/* The first slot of the second batch. */
	snprintf(tt.slots[DB_TIMETABLE_BATCH].subject, sizeof(tt.slots[0].subject),
	    "O'Brien \"语文\" \\ {a,b}");
	tt.slots[DB_TIMETABLE_BATCH].teacher_id[0] = '\0';
	OK(db_timetable_replace(db, &tt, &e));
	OK(db_timetable_load(db, s1, &got, &e));
	assert_int_equal(got.n, (n + 1) / 2);
	{
		int found = 0;

		for (size_t i = 0; i < got.n; i++) {
			if (strcmp(got.slots[i].teacher_name, "王4096") != 0)
				continue;
			found++;
			assert_string_equal(got.slots[i].subject, "O'Brien \"语文\" \\ {a,b}");
			assert_string_equal(got.slots[i].teacher_id, "");
			assert_int_equal(got.slots[i].weekday, 1 + 4096 % 7);
			assert_int_equal(got.slots[i].start_min, 4096 % 1000);
			assert_int_equal(got.slots[i].end_min, 4096 % 1000 + 40);
		}
		assert_int_equal(found, 1);
	}
	timetable_free(&got);
	OK(db_timetable_load(db, s2, &got, &e));
	assert_int_equal(got.n, n / 2);
	timetable_free(&got);
	/* The last batch refused (weekday 9): nothing of the new file stays. */
	for (size_t i = 0; i < n; i++)
		tt.slots[i].start_min = 1;
	tt.slots[n - 1].weekday = 9;
	assert_int_equal(db_timetable_replace(db, &tt, &e), -1);
	OK(db_timetable_load(db, s1, &got, &e));
	assert_int_equal(got.n, (n + 1) / 2);
	for (size_t i = 0; i < got.n; i++)
		assert_int_not_equal(got.slots[i].start_min, 1);
	timetable_free(&got);
	free(tt.slots);
}

/* What db_points_sessions_each gave, of the two schools a test watches. */
struct walk {
	const char *s1, *s2;
	size_t n1, n2, calls;
	int64_t first_start;
	char first_teacher[BBT_TEACHER_LEN];
	struct points_session last;	/* the last one seen of s1 or s2 */
	int ordered;			/* every one after the one before it */
	int stop_after;			/* fail at this call (0 = never) */
};

static int on_points(void *arg, const struct points_session *s, struct bbt_error *e)
{
	struct walk *w = arg;
	int c;

	if (++w->calls == (size_t)w->stop_after)
		return bbt_error_set(e, "stop");
	if (strcmp(s->school, w->s1) != 0 && strcmp(s->school, w->s2) != 0)
		return 0;	/* another test's */
	if (w->n1 + w->n2 == 0) {
		w->first_start = s->start;
		snprintf(w->first_teacher, sizeof(w->first_teacher), "%s", s->teacher);
	} else {
		c = strcmp(w->last.school, s->school);
		if (c == 0 && w->last.start != s->start)
			c = w->last.start < s->start ? -1 : 1;
		if (c == 0)
			c = strcmp(w->last.id, s->id);
		w->ordered &= c < 0;
	}
	w->last = *s;
	if (strcmp(s->school, w->s1) == 0)
		w->n1++;
	else
		w->n2++;
	return 0;
}

/*
 * db_points_sessions_each: the same period's sessions by school, start, id,
 * across more than one PostgreSQL page (2,000 rows; pairs share a start, so
 * the id must carry the keyset), and a callback's failure ends the walk.
 */
static void points_each(struct db *db, const char *s1, const char *s2)
{
	struct walk w = { .s1 = s1, .s2 = s2, .ordered = 1 };
	struct db_device d;
	struct bbt_error e;
	int ins;

	new_device(&d, s2, "r1", 65, "k65");
	assert_int_equal(enroll(db, &d, 65), DB_ENROLL_NEW);
	OK(db_begin(db, &e));
	for (int k = 0; k < 2050; k++)
		store(db, d.device_id, s2, "r1", 10000 - k, P0 + 3 * HOUR + (k / 2) * 10, 600,
		    &ins);
	OK(db_commit(db, &e));
	OK(db_points_sessions_each(db, P0, P0 + DAY, s1, on_points, &w, &e));
	assert_int_equal(w.n1, 2);
	assert_int_equal(w.n2, 0);
	assert_int_equal(w.first_start, P0 + HOUR);
	assert_string_equal(w.first_teacher, "t61");
	assert_true(w.ordered);
	memset(&w.last, 0, sizeof(w.last));
	w.n1 = w.n2 = w.calls = 0;
	OK(db_points_sessions_each(db, P0, P0 + DAY, NULL, on_points, &w, &e));
	assert_int_equal(w.n1, 2);
	assert_int_equal(w.n2, 2050);
	assert_true(w.ordered);
	assert_int_equal(w.last.start, P0 + 3 * HOUR + 1024 * 10);
	assert_string_equal(w.last.room, "r1");
	assert_int_equal(w.last.duration_s, 600);
	w.n1 = w.n2 = w.calls = 0;
	w.stop_after = 3;
	assert_int_equal(db_points_sessions_each(db, P0, P0 + DAY, s2, on_points, &w, &e), -1);
	assert_int_equal(w.calls, 3);
	assert_string_equal(bbt_error_msg(&e), "stop");
}

static void test_points(void **state)
{
	struct db *db = *state;
	struct timetable_slot slots[3];
	struct timetable tt = { slots, 3, 3 }, got;
	struct points_session *ps;
	struct db_device d;
	char s1[64], s2[64];
	struct bbt_error e;
	size_t n;
	int ins;

	add_school(db, key(s1, sizeof(s1), "pts", 1), "p1", "");
	key(s2, sizeof(s2), "pts", 2);		/* not registered yet */
	slot(&slots[0], s1, "r1", 1, "王");
	slot(&slots[1], s1, "r2", 2, "李");
	slot(&slots[2], s2, "r1", 1, "张");
	assert_int_equal(db_timetable_replace(db, &tt, &e), -1);
	OK(db_timetable_load(db, s1, &got, &e));
	assert_int_equal(got.n, 0);		/* nothing stored */
	timetable_free(&got);
	add_school(db, s2, "p2", "");
	OK(db_timetable_replace(db, &tt, &e));
	OK(db_timetable_load(db, s1, &got, &e));
	assert_int_equal(got.n, 2);
	assert_string_equal(got.slots[0].room, "r1");
	assert_string_equal(got.slots[1].teacher_name, "李");
	timetable_free(&got);
	/* A new file for s1 only replaces s1's and leaves s2's. */
	tt.n = 1;
	slot(&slots[0], s1, "r9", 5, "赵");
	OK(db_timetable_replace(db, &tt, &e));
	OK(db_timetable_load(db, s1, &got, &e));
	assert_int_equal(got.n, 1);
	assert_string_equal(got.slots[0].room, "r9");
	timetable_free(&got);
	OK(db_timetable_load(db, s2, &got, &e));
	assert_int_equal(got.n, 1);
	timetable_free(&got);
	/* Sessions in [from, to) of one school, by start. */
	new_device(&d, s1, "r9", 60, "k60");
	assert_int_equal(enroll(db, &d, 60), DB_ENROLL_NEW);
	store(db, d.device_id, s1, "r9", 62, P0 + 2 * HOUR, 1800, &ins);
	store(db, d.device_id, s1, "r9", 61, P0 + HOUR, 1800, &ins);
	store(db, d.device_id, s1, "r9", 63, P0 + DAY, 1800, &ins);	/* at `to` */
	store(db, d.device_id, s1, "r9", 64, P0 - 1, 1800, &ins);	/* before */
	OK(db_points_sessions(db, P0, P0 + DAY, s1, &ps, &n, &e));
	assert_int_equal(n, 2);
	assert_int_equal(ps[0].start, P0 + HOUR);
	assert_int_equal(ps[1].start, P0 + 2 * HOUR);
	assert_string_equal(ps[0].room, "r9");
	assert_string_equal(ps[0].school, s1);
	assert_string_equal(ps[0].teacher, "t61");
	assert_int_equal(ps[0].duration_s, 1800);
	free(ps);
	OK(db_points_sessions(db, P0, P0 + DAY, s2, &ps, &n, &e));
	assert_int_equal(n, 0);
	free(ps);
	points_each(db, s1, s2);
}

/* ---- live lessons ---- */

static void lesson(struct db_live_lesson *l, const char *seq, int64_t start,
    const char *school, const char *room, const char *recv, const char *recv_room)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->seq, sizeof(l->seq), "%s", seq);
	l->day = start / DAY;
	l->start = start;
	l->end = start + 45 * 60;
	snprintf(l->type, sizeof(l->type), "专递课堂");
	snprintf(l->subject, sizeof(l->subject), "英语");
	snprintf(l->teacher, sizeof(l->teacher), "周");
	snprintf(l->school, sizeof(l->school), "%s", school);
	snprintf(l->room, sizeof(l->room), "%s", room);
	snprintf(l->recv_school, sizeof(l->recv_school), "%s", recv);
	snprintf(l->recv_room, sizeof(l->recv_room), "%s", recv_room);
}

struct lessons_walk {
	struct db *db;
	int n;
	char seq[4][64], subject[4][64];
	int spans;		/* room sessions counted from inside the walk */
};

static int on_span(void *arg, const char *id, int64_t start, int64_t end,
    struct bbt_error *e)
{
	(*(int *)arg)++;
	return 0;
}

/* Walks may query the same connection (db.h re-entrancy contract). */
static int on_lesson(void *arg, const struct db_live_lesson *l, struct bbt_error *e)
{
	struct lessons_walk *w = arg;

	if (w->n < 4) {
		snprintf(w->seq[w->n], 64, "%s", l->seq);
		snprintf(w->subject[w->n], 64, "%s", l->subject);
	}
	w->n++;
	return db_room_sessions(w->db, l->school, l->room, l->start, l->end, on_span,
	    &w->spans, e);
}

static void test_live(void **state)
{
	struct db *db = *state;
	struct db_live_lesson l;
	struct lessons_walk w = { .db = db };
	struct db_device d;
	char s1[64], s2[64], s3[64];
	struct bbt_error e;
	int64_t t0 = P0 + 2 * HOUR, last;
	int ins, ndev, spans = 0;

	add_school(db, key(s1, sizeof(s1), "live", 1), "l1", "");
	add_school(db, key(s2, sizeof(s2), "live", 2), "l2", "");
	add_school(db, key(s3, sizeof(s3), "live", 3), "l3", "");
	lesson(&l, "2", t0 + HOUR, s1, "r1", "", "");
	OK(db_live_upsert(db, &l, &e));
	lesson(&l, "1", t0, s1, "r1", s2, "r5");
	OK(db_live_upsert(db, &l, &e));
	snprintf(l.subject, sizeof(l.subject), "音乐");	/* same seq and day: update */
	OK(db_live_upsert(db, &l, &e));
	lesson(&l, "3", t0, s3, "r1", "", "");
	OK(db_live_upsert(db, &l, &e));
	/* s2 sees the lesson it receives; ordered by start, seq; updated. */
	OK(db_live_each(db, s2, P0, P0 + DAY, on_lesson, &w, &e));
	assert_int_equal(w.n, 1);
	assert_string_equal(w.seq[0], "1");
	assert_string_equal(w.subject[0], "音乐");
	w.n = 0;
	OK(db_live_each(db, s1, P0, P0 + DAY, on_lesson, &w, &e));
	assert_int_equal(w.n, 2);
	assert_string_equal(w.seq[0], "1");
	assert_string_equal(w.seq[1], "2");
	w.n = 0;
	OK(db_live_each(db, s1, t0 + 1, P0 + DAY, on_lesson, &w, &e));
	assert_int_equal(w.n, 1);
	/* Room sessions overlapping [from, to), one begun the day before. */
	new_device(&d, s1, "r1", 70, "k70");
	assert_int_equal(enroll(db, &d, 70), DB_ENROLL_NEW);
	store(db, d.device_id, s1, "r1", 71, t0 - 20 * HOUR, 21 * HOUR, &ins);
	store(db, d.device_id, s1, "r1", 72, t0 + 600, 600, &ins);
	store(db, d.device_id, s1, "r1", 73, t0 + 45 * 60, 600, &ins);	/* at `to` */
	store(db, d.device_id, s1, "r1", 74, t0 - 600, 600, &ins);	/* ends at from */
	OK(db_room_sessions(db, s1, "r1", t0, t0 + 45 * 60, on_span, &spans, &e));
	assert_int_equal(spans, 2);
	OK(db_room_devices(db, s1, "r1", &ndev, &last, &e));
	assert_int_equal(ndev, 1);
	assert_int_equal(last, 0);
	OK(db_device_seen(db, d.device_id, t0, DB_OFFSET_UNKNOWN, &e));
	OK(db_room_devices(db, s1, "r1", &ndev, &last, &e));
	assert_int_equal(last, t0);
	OK(db_room_devices(db, s1, "none", &ndev, &last, &e));
	assert_int_equal(ndev, 0);
	/* From inside the walk: the lesson in r1 at t0 sees its 2 sessions. */
	w.n = w.spans = 0;
	OK(db_live_each(db, s1, t0, t0 + 1, on_lesson, &w, &e));
	assert_int_equal(w.n, 1);
	assert_int_equal(w.spans, 2);
}

/* ---- statistics ---- */

struct counts_walk {
	struct db *db;
	const char *prefix;
	int64_t from, to;
	int n, all;
};

/* Each school's row of the set-based walk equals its own db_school_counts. */
static int on_counts(void *arg, const struct db_school *s, const struct db_school_counts *c,
    struct bbt_error *e)
{
	struct counts_walk *w = arg;
	struct db_school_counts one;

	w->all++;
	if (strncmp(s->code, w->prefix, strlen(w->prefix)) != 0)
		return 0;
	w->n++;
	if (db_school_counts(w->db, s->code, w->from, w->to, 600, &one, e) < 0)
		return -1;
	if (memcmp(&one, c, sizeof(one)) != 0)
		return bbt_error_set(e, "school %s: set-based counts differ", s->code);
	return 0;
}

static void test_school_counts(void **state)
{
	struct db *db = *state;
	struct timetable_slot slots[2];
	struct timetable tt = { slots, 2, 2 };
	struct db_school_counts c;
	struct db_device d1, d2, d3;
	struct counts_walk w = { 0 };
	char s[64], s2[64], prefix[64];
	struct bbt_error e;
	int ins;

	add_school(db, key(s, sizeof(s), "cnt", 0), "c", "");
	slot(&slots[0], s, "R1", 1, "a");
	slot(&slots[1], s, "R2", 2, "b");
	OK(db_timetable_replace(db, &tt, &e));
	new_device(&d1, s, "R1", 80, "k80");		/* seen by contact */
	new_device(&d2, s, "R3", 81, "k81");		/* never seen */
	new_device(&d3, s, "R4", 82, "k82");		/* seen by a session only */
	assert_int_equal(enroll(db, &d1, 80), DB_ENROLL_NEW);
	assert_int_equal(enroll(db, &d2, 81), DB_ENROLL_NEW);
	assert_int_equal(enroll(db, &d3, 82), DB_ENROLL_NEW);
	OK(db_device_seen(db, d1.device_id, P0 + HOUR + 5, DB_OFFSET_UNKNOWN, &e));
	OK(db_device_contact(db, d2.device_id, P0 - HOUR, &e));	/* before */
	OK(db_device_contact(db, d2.device_id, P0 + 7 * DAY, &e));	/* at `to` */
	store(db, d1.device_id, s, "R1", 80, P0 + 2 * HOUR, 1800, &ins);
	store(db, d1.device_id, s, "R1", 81, P0 + 3 * HOUR, 300, &ins);
	store(db, d1.device_id, s, "R1", 82, P0 - DAY, 1800, &ins);	/* outside */
	store(db, d3.device_id, s, "R4", 83, P0 + DAY, 900, &ins);
	OK(db_school_counts(db, s, P0, P0 + 7 * DAY, 600, &c, &e));
	assert_int_equal(c.classrooms, 4);		/* R1 R2 R3 R4 */
	assert_int_equal(c.enrolled, 3);
	assert_int_equal(c.seen, 2);			/* d1, d3 */
	assert_int_equal(c.active_classrooms, 2);	/* R1, R4 */
	assert_int_equal(c.qualifying, 2);		/* 1800 and 900 */
	assert_int_equal(c.qualifying_s, 2700);
	assert_int_equal(c.equipped, 1);		/* R1: a timetable room */
	assert_int_equal(c.enrolled_rooms, 3);		/* R1 R3 R4 */
	assert_int_equal(c.timetable_rooms, 2);		/* R1 R2 */
	/* A device revoked before the period's end counts for nothing. */
	OK(db_device_revoke(db, d2.device_id, P0 + DAY, &e));
	OK(db_school_counts(db, s, P0, P0 + 7 * DAY, 600, &c, &e));
	assert_int_equal(c.classrooms, 3);		/* R3 went with d2 */
	assert_int_equal(c.enrolled, 2);
	assert_int_equal(c.enrolled_rooms, 2);
	OK(db_school_counts(db, s, P0, P0 + DAY, 600, &c, &e));
	assert_int_equal(c.enrolled, 3);		/* revoked at `to`: still in */
	/* Enrolled only after the period: no enrolled room then. */
	OK(db_school_counts(db, s, P0 - 30 * DAY, P0 - 29 * DAY, 600, &c, &e));
	assert_int_equal(c.enrolled_rooms, 0);
	assert_int_equal(c.seen, 0);
	assert_int_equal(c.qualifying, 0);
	/* Hours: a contact in hour 1 counts in [P0 + 1h, P0 + 2h), not after. */
	OK(db_school_counts(db, s, P0 + HOUR, P0 + 2 * HOUR, 600, &c, &e));
	assert_int_equal(c.seen, 1);
	OK(db_school_counts(db, s, P0 + 2 * HOUR, P0 + 2 * HOUR + 1, 600, &c, &e));
	assert_int_equal(c.seen, 1);			/* d1 by its session */
	OK(db_school_counts(db, s, P0 + 4 * HOUR, P0 + 5 * HOUR, 600, &c, &e));
	assert_int_equal(c.seen, 0);
	/* The set-based walk: the same counts, every school or just one. */
	add_school(db, key(s2, sizeof(s2), "cnt", 1), "empty", "");
	w.db = db;
	snprintf(prefix, sizeof(prefix), "cnt-%08x-", tag);
	w.prefix = prefix;
	w.from = P0;
	w.to = P0 + 7 * DAY;
	OK(db_schools_counts_each(db, NULL, w.from, w.to, 600, on_counts, &w, &e));
	assert_int_equal(w.n, 2);
	w.n = w.all = 0;
	w.from = P0 + HOUR;
	w.to = P0 + 2 * HOUR;
	OK(db_schools_counts_each(db, s, w.from, w.to, 600, on_counts, &w, &e));
	assert_int_equal(w.n, 1);
	assert_int_equal(w.all, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schools, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enroll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_generation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat_batch_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_points, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timetable_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_school_counts, setup, teardown),
	};
	const char *env = getenv("BBT_TEST_DB_URL");
	char path[512];
	int rc;

	tag = (unsigned)getpid() ^ ((unsigned)time(NULL) << 12);
	if (env && env[0]) {
		snprintf(url, sizeof(url), "%s", env);
	} else {
		snprintf(tmpdir, sizeof(tmpdir), "%s/bbt-dbconf.XXXXXX",
		    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			return 1;
		}
		snprintf(url, sizeof(url), "%s/conformance.db", tmpdir);
	}
	printf("# storage conformance on %s\n", env && env[0] ? "$BBT_TEST_DB_URL" : url);
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
