/* Unit tests of the collector core without a server: the CONTRACT 5.3 judgement
 * (ingest.c), body parsing, storage exactly once (db_sqlite.c on a temp
 * file), enrollment-token and device rules in db, schema versioning, tokens
 * and hashing (auth.c), UTF-8 checks and the metrics text (metrics.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "auth.h"
#include "bbt_log.h"
#include "bbt_utf8.h"
#include "bbt_time.h"
#include "db.h"
#include "http.h"
#include "ingest.h"
#include "metrics.h"
#include "server_fixture.h"

#define NOW 1795132800LL	/* 2026-11-20T00:00:00Z */

/* A session JSON object; school NULL = no school field. */
static cJSON *sess(const char *id, int64_t start, int64_t dur, const char *school)
{
	char s[BBT_ISO8601_LEN], e[BBT_ISO8601_LEN];
	cJSON *o = cJSON_CreateObject();
	cJSON *in = cJSON_AddObjectToObject(o, "input");

	bbt_time_format(start, 8 * 3600, s);
	bbt_time_format(start + dur, 8 * 3600, e);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "start", s);
	cJSON_AddStringToObject(o, "end", e);
	cJSON_AddNumberToObject(o, "duration_s", (double)dur);
	cJSON_AddNumberToObject(o, "touches", 3);
	cJSON_AddNumberToObject(o, "active_minutes", 2);
	cJSON_AddNullToObject(o, "teacher");
	cJSON_AddStringToObject(in, "name", "IRTOUCH");
	cJSON_AddStringToObject(in, "vid", "6615");
	cJSON_AddStringToObject(in, "pid", "0070");
	cJSON_AddArrayToObject(o, "flags");
	if (school)
		cJSON_AddStringToObject(o, "school", school);
	return o;
}

#define ID(n) "00000000-0000-4000-8000-00000000000" #n

static int judge(cJSON *o, char *err)
{
	struct bbt_session s;
	int rc = ingest_judge(o, "S1", NOW, &s, err, INGEST_ERROR_LEN);

	cJSON_Delete(o);
	return rc;
}

static void test_judge_rules(void **state)
{
	char err[INGEST_ERROR_LEN];
	cJSON *o;

	assert_int_equal(judge(sess(ID(1), NOW - 3600, 1800, NULL), err), 0);
	assert_int_equal(judge(sess(ID(1), NOW - 3600, 1800, "S1"), err), 0);
	/* Exactly 24 h is allowed, a second more is not. */
	assert_int_equal(judge(sess(ID(1), NOW - 90000, 86400, NULL), err), 0);
	assert_int_equal(judge(sess(ID(1), NOW - 90000, 86401, NULL), err), -1);
	assert_non_null(strstr(err, "over 24 h"));
	/* The future: 300 s of slack, no more, for start and for end. */
	assert_int_equal(judge(sess(ID(1), NOW - 600, 900, NULL), err), 0);
	assert_int_equal(judge(sess(ID(1), NOW - 600, 901, NULL), err), -1);
	assert_non_null(strstr(err, "future"));
	assert_int_equal(judge(sess(ID(1), NOW + 301, 0, NULL), err), -1);
	assert_non_null(strstr(err, "future"));
	/* End before start (duration consistent, negative). */
	assert_int_equal(judge(sess(ID(1), NOW - 3600, -60, NULL), err), -1);
	assert_non_null(strstr(err, "ends before it starts"));
	/* Another school, or a non-string school. */
	assert_int_equal(judge(sess(ID(1), NOW - 3600, 1800, "S2"), err), -1);
	assert_non_null(strstr(err, "another school"));
	o = sess(ID(1), NOW - 3600, 1800, NULL);
	cJSON_AddNumberToObject(o, "school", 1);
	assert_int_equal(judge(o, err), -1);
	/* Malformed: the model's reason, prefixed. */
	o = sess(ID(1), NOW - 3600, 1800, NULL);
	cJSON_ReplaceItemInObject(o, "duration_s", cJSON_CreateNumber(5));
	assert_int_equal(judge(o, err), -1);
	assert_non_null(strstr(err, "malformed: duration_s"));
	o = sess(ID(1), NOW - 3600, 1800, NULL);
	cJSON_ReplaceItemInObject(o, "touches", cJSON_CreateNumber(1e300));
	assert_int_equal(judge(o, err), -1);
	assert_int_equal(judge(cJSON_CreateString("x"), err), -1);
	assert_int_equal(judge(sess("not-a-uuid", NOW - 3600, 1800, NULL), err), -1);
}

static char *body_of(cJSON *sessions, const char *agent_time)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	if (agent_time)
		cJSON_AddStringToObject(o, "agent_time", agent_time);
	cJSON_AddItemToObject(o, "sessions", sessions);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static int parse(const char *body, size_t len, struct ingest_batch *b,
    enum ingest_body_error *why)
{
	struct bbt_error e;

	return ingest_parse_body(body, len, 3, "S1", NOW, b, why, &e);
}

static void test_parse_body(void **state)
{
	static const char *const bad[] = {
		"", "{", "[]", "{\"sessions\":{}}", "{\"agent_time\":1}", "null",
		"{\"sessions\":[]} x", "{\"sessions\":[]}\0",
	};
	enum ingest_body_error why;
	struct ingest_batch b;
	cJSON *arr;
	char *body;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i]) + (i == 7);

		assert_int_equal(parse(bad[i], len, &b, &why), -1);
		assert_int_equal(why, INGEST_BODY_BAD);
		ingest_batch_free(&b);
	}
	/* Invalid UTF-8 inside a string. */
	assert_int_equal(parse("{\"sessions\":[\"\xc3\x28\"]}", 17, &b, &why), -1);
	/* More sessions than allowed: TOO_MANY (the server answers 413). */
	arr = cJSON_CreateArray();
	for (int i = 0; i < 4; i++)
		cJSON_AddItemToArray(arr, sess(ID(1), NOW - 3600, 1800, NULL));
	body = body_of(arr, NULL);
	assert_int_equal(parse(body, strlen(body), &b, &why), -1);
	assert_int_equal(why, INGEST_BODY_TOO_MANY);
	free(body);
	/* A wrong agent_time never fails the body; a good one is read. */
	arr = cJSON_CreateArray();
	cJSON_AddItemToArray(arr, sess(ID(1), NOW - 3600, 1800, NULL));
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(7));
	cJSON_AddItemToArray(arr, sess(ID(2), NOW - 3600, 1800, "S9"));
	body = body_of(arr, "1999-99-99");
	assert_int_equal(parse(body, strlen(body), &b, &why), 0);
	assert_int_equal(b.has_agent_time, 0);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.items[0].result, INGEST_ACCEPTED);
	assert_int_equal(b.items[1].result, INGEST_REJECTED);
	assert_int_equal(b.items[1].has_id, 0);
	assert_int_equal(b.items[2].result, INGEST_REJECTED);
	assert_string_equal(b.items[2].id, ID(2));
	ingest_batch_free(&b);
	free(body);
	body = body_of(cJSON_CreateArray(), "2026-11-19T23:00:00Z");
	assert_int_equal(parse(body, strlen(body), &b, &why), 0);
	assert_int_equal(b.has_agent_time, 1);
	assert_int_equal(b.agent_time, NOW - 3600);
	ingest_batch_free(&b);
	free(body);
}

/* body with each "@NUL@" replaced by the JSON escape \u0000 (cJSON cannot
 * make one: its strings end at NUL). */
static char *with_nul(char *body)
{
	char *out = malloc(strlen(body) * 2 + 1), *o = out;

	assert_non_null(out);
	for (const char *p = body; *p;) {
		if (strncmp(p, "@NUL@", 5) == 0) {
			memcpy(o, "\\u0000", 6);
			o += 6;
			p += 5;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	free(body);
	return out;
}

static void test_parse_body_controls(void **state)
{
	enum ingest_body_error why;
	struct ingest_batch b;
	cJSON *arr = cJSON_CreateArray(), *o;
	char *body;

	cJSON_AddItemToArray(arr, sess(ID(1), NOW - 3600, 1800, NULL));
	o = sess(ID(2), NOW - 3600, 1800, NULL);
	cJSON_ReplaceItemInObject(o, "teacher", cJSON_CreateString("T1@NUL@x"));
	cJSON_AddItemToArray(arr, o);
	cJSON_AddItemToArray(arr, sess(ID(3) "@NUL@junk", NOW - 3600, 1800, NULL));
	body = with_nul(body_of(arr, NULL));
	assert_non_null(strstr(body, "T1\\u0000x"));
	/* the batch stands, the two sessions with a NUL are rejected alone */
	assert_int_equal(parse(body, strlen(body), &b, &why), 0);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.items[0].result, INGEST_ACCEPTED);
	assert_int_equal(b.items[1].result, INGEST_REJECTED);
	assert_string_equal(b.items[1].id, ID(2));
	assert_non_null(strstr(b.items[1].error, "field \"teacher\" has an escaped NUL"));
	assert_int_equal(b.items[2].result, INGEST_REJECTED);
	assert_int_equal(b.items[2].has_id, 0);
	assert_non_null(strstr(b.items[2].error, "field \"id\" has an escaped NUL"));
	ingest_batch_free(&b);
	free(body);
	/* control characters: in the input name, and a school with ESC */
	arr = cJSON_CreateArray();
	o = sess(ID(1), NOW - 3600, 1800, NULL);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(o, "input"), "name",
	    cJSON_CreateString("IR\x1b]0;x\x07"));
	cJSON_AddItemToArray(arr, o);
	cJSON_AddItemToArray(arr, sess(ID(2), NOW - 3600, 1800, "S1\x1b[2J"));
	cJSON_AddItemToArray(arr, sess(ID(3), NOW - 3600, 1800, "S1"));
	body = body_of(arr, NULL);
	assert_int_equal(parse(body, strlen(body), &b, &why), 0);
	assert_int_equal(b.items[0].result, INGEST_REJECTED);
	assert_non_null(strstr(b.items[0].error,
	    "malformed: field \"input.name\" has a control character (U+001B)"));
	assert_int_equal(b.items[1].result, INGEST_REJECTED);
	assert_non_null(strstr(b.items[1].error, "field \"school\" has a control character"));
	assert_int_equal(b.items[2].result, INGEST_ACCEPTED);
	ingest_batch_free(&b);
	free(body);
}

/* One session in a body with this agent_time (NULL: none); b is judged. */
static void judge_with_clock(int64_t start, int64_t dur, const char *agent_time,
    struct ingest_batch *b)
{
	enum ingest_body_error why;
	cJSON *arr = cJSON_CreateArray();
	char *body;

	cJSON_AddItemToArray(arr, sess(ID(1), start, dur, NULL));
	body = body_of(arr, agent_time);
	assert_int_equal(parse(body, strlen(body), b, &why), 0);
	assert_int_equal(b->n, 1);
	free(body);
}

/* CONTRACT 4.4, 5.3: a future session is judged after the request's clock
 * evidence; a session not in the future is never moved. */
static void test_clock_evidence(void **state)
{
	char ahead8[BBT_ISO8601_LEN], ahead4m[BBT_ISO8601_LEN], behind[BBT_ISO8601_LEN];
	struct bbt_session s;
	struct ingest_batch b;
	struct ingest_clock clk = { 1, 8 * 3600 };
	char err[INGEST_ERROR_LEN];
	cJSON *o;

	bbt_time_format(NOW + 8 * 3600, 8 * 3600, ahead8);
	bbt_time_format(NOW + 240, 0, ahead4m);
	bbt_time_format(NOW - 2 * 3600, 0, behind);
	/* Clock 8 h ahead, lesson 2 h ago by the true clock: moved back 8 h. */
	judge_with_clock(NOW + 6 * 3600, 2400, ahead8, &b);
	assert_int_equal(b.items[0].result, INGEST_ACCEPTED);
	assert_int_equal(b.items[0].s.start, NOW - 2 * 3600);
	assert_int_equal(b.items[0].s.end, NOW - 2 * 3600 + 2400);
	assert_int_equal(b.items[0].s.duration_s, 2400);
	assert_true(b.items[0].s.flags & BBT_FLAG_CLOCK_ADJUSTED);
	assert_int_equal(b.adjusted, 1);
	ingest_batch_free(&b);
	/* Same clock, a session that is not in the future: left alone. */
	judge_with_clock(NOW - 86400, 1800, ahead8, &b);
	assert_int_equal(b.items[0].result, INGEST_ACCEPTED);
	assert_int_equal(b.items[0].s.start, NOW - 86400);
	assert_false(b.items[0].s.flags & BBT_FLAG_CLOCK_ADJUSTED);
	assert_int_equal(b.adjusted, 0);
	ingest_batch_free(&b);
	/* Still in the future after the correction (10 h ahead, clock 8 h). */
	judge_with_clock(NOW + 10 * 3600, 1800, ahead8, &b);
	assert_int_equal(b.items[0].result, INGEST_REJECTED);
	assert_non_null(strstr(b.items[0].error, "even after correcting"));
	assert_int_equal(b.adjusted, 0);
	ingest_batch_free(&b);
	/* Within the threshold (4 min ahead): no correction, so rejected. */
	judge_with_clock(NOW + 3600, 1800, ahead4m, &b);
	assert_int_equal(b.items[0].result, INGEST_REJECTED);
	assert_non_null(strstr(b.items[0].error, "the agent's clock is 240 s off"));
	ingest_batch_free(&b);
	/* A clock behind proves nothing about a future session. */
	judge_with_clock(NOW + 3600, 1800, behind, &b);
	assert_int_equal(b.items[0].result, INGEST_REJECTED);
	assert_non_null(strstr(b.items[0].error, "future"));
	ingest_batch_free(&b);
	/* No agent_time, or an unreadable one: rejected, and it says why. */
	judge_with_clock(NOW + 3600, 1800, NULL, &b);
	assert_int_equal(b.items[0].result, INGEST_REJECTED);
	assert_non_null(strstr(b.items[0].error, "no agent_time"));
	ingest_batch_free(&b);
	judge_with_clock(NOW + 3600, 1800, "soon", &b);
	assert_int_equal(b.items[0].result, INGEST_REJECTED);
	ingest_batch_free(&b);
	/* The other rules still apply to a corrected session. */
	assert_int_equal(ingest_judge_clock(o = sess(ID(1), NOW + 6 * 3600, 86401, NULL),
	    "S1", NOW, &clk, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "over 24 h"));
	cJSON_Delete(o);
	assert_int_equal(ingest_judge_clock(o = sess(ID(1), NOW + 6 * 3600, 60, "S2"),
	    "S1", NOW, &clk, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another school"));
	cJSON_Delete(o);
	/* Bundles (ingest_judge_array) have no request time: no correction. */
	o = cJSON_CreateArray();
	cJSON_AddItemToArray(o, sess(ID(1), NOW + 6 * 3600, 1800, NULL));
	{
		struct bbt_error e;

		assert_int_equal(ingest_judge_array(o, 5, "S1", NOW, &b, &e), 0);
	}
	assert_int_equal(b.items[0].result, INGEST_REJECTED);
	ingest_batch_free(&b);
	cJSON_Delete(o);
}

/* ---- with a database ---- */

static int setup(void **state)
{
	static const struct db_school s[] = { { "S1", "一小", "" }, { "S2", "二小", "区" } };

	*state = server_fixture_open(s, 2);
	return 0;
}

static int teardown(void **state)
{
	server_fixture_close(*state);
	return 0;
}

static void add_device(struct db *db, const char *id, const char *hw, const char *school)
{
	char room[32];
	struct db_device d;

	snprintf(room, sizeof(room), "r-%s", id);
	d = server_fixture_device(id, hw, school, room);
	server_fixture_enroll(db, &d);
	assert_string_equal(d.device_id, id);
}

static void test_store_once(void **state)
{
	struct server_fixture *f = *state;
	struct db_session_origin o1 = { "d1", "S1", "r-d1", NOW, DB_VIA_HTTP };
	struct db_session_origin o2 = { "d2", "S2", "r-d2", NOW, DB_VIA_BUNDLE };
	enum ingest_body_error why;
	struct ingest_batch b;
	struct bbt_error e;
	int64_t n;
	cJSON *arr;
	char *body;
	int exists;

	add_device(f->db, "d1", "hw1", "S1");
	add_device(f->db, "d2", "hw2", "S2");
	arr = cJSON_CreateArray();
	cJSON_AddItemToArray(arr, sess(ID(1), NOW - 7200, 1800, NULL));
	cJSON_AddItemToArray(arr, sess(ID(1), NOW - 7200, 1800, NULL));	/* same batch */
	cJSON_AddItemToArray(arr, sess(ID(2), NOW - 7200, 100000, NULL));
	body = body_of(arr, NULL);
	assert_int_equal(ingest_parse_body(body, strlen(body), 10, "S1", NOW, &b, &why, &e), 0);
	assert_int_equal(ingest_store(f->db, &b, &o1, &e), 0);
	assert_int_equal(b.accepted, 1);
	assert_int_equal(b.duplicate, 1);
	assert_int_equal(b.rejected, 1);
	assert_int_equal(db_session_exists(f->db, ID(2), &exists, &e), 0);
	assert_int_equal(exists, 0);
	ingest_batch_free(&b);
	/* The same id again, from another device and route: a duplicate. */
	assert_int_equal(ingest_parse_body(body, strlen(body), 10, "S2", NOW, &b, &why, &e), 0);
	assert_int_equal(ingest_store(f->db, &b, &o2, &e), 0);
	assert_int_equal(b.accepted, 0);
	assert_int_equal(b.duplicate, 2);
	ingest_batch_free(&b);
	free(body);
	assert_int_equal(db_session_count(f->db, &n, &e), 0);
	assert_int_equal(n, 1);
	/* Stored with the first device's school and the http route. */
	{
		sqlite3 *h;
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(h, "SELECT device_id, school, via, "
		    "duration_s, flags FROM sessions", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "d1");
		assert_string_equal((const char *)sqlite3_column_text(st, 1), "S1");
		assert_string_equal((const char *)sqlite3_column_text(st, 2), "http");
		assert_int_equal(sqlite3_column_int(st, 3), 1800);
		sqlite3_finalize(st);
		sqlite3_close(h);
	}
}

static void test_reply_lists(void **state)
{
	struct server_fixture *f = *state;
	struct db_session_origin o1 = { "d1", "S1", "r", NOW, DB_VIA_HTTP };
	enum ingest_body_error why;
	struct ingest_batch b;
	struct bbt_error e;
	cJSON *arr, *r;
	char *body, *txt;

	add_device(f->db, "d1", "hw1", "S1");
	arr = cJSON_CreateArray();
	cJSON_AddItemToArray(arr, sess("00000000-0000-4000-8000-0000000000AA", NOW - 7200, 1800,
	    NULL));
	cJSON_AddItemToArray(arr, sess(ID(3), NOW + 3600, 60, NULL));
	body = body_of(arr, NULL);
	assert_int_equal(ingest_parse_body(body, strlen(body), 10, "S1", NOW, &b, &why, &e), 0);
	assert_int_equal(ingest_store(f->db, &b, &o1, &e), 0);
	r = ingest_reply(&b, NOW);
	txt = cJSON_PrintUnformatted(r);
	/* The canonical lowercase id is acknowledged. */
	assert_string_equal(txt, "{\"accepted\":[\"00000000-0000-4000-8000-0000000000aa\"],"
	    "\"duplicate\":[],\"rejected\":[{\"id\":\"" ID(3) "\",\"error\":\"lies in the "
	    "future (more than 300 s after server time; no agent_time to correct the "
	    "agent's clock by)\"}],"
	    "\"server_time\":\"2026-11-20T00:00:00+00:00\"}");
	free(txt);
	cJSON_Delete(r);
	ingest_batch_free(&b);
	free(body);
}

static void test_tokens_and_devices(void **state)
{
	struct server_fixture *f = *state;
	struct db_enroll_token t = { "hash1", "S1", 2, NOW + 10, NOW, "", 0 }, got;
	struct db_device d = { 0 }, g;
	struct bbt_error e;
	int found, taken, again;

	assert_int_equal(db_enroll_token_add(f->db, &t, &e), 0);
	assert_int_equal(db_enroll_token_get(f->db, "hash1", &got, &found, &e), 0);
	assert_int_equal(found, 1);
	assert_string_equal(got.school, "S1");
	assert_int_equal(got.uses_left, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(db_enroll_token_take(f->db, "hash1", &taken, &e), 0);
		assert_int_equal(taken, 1);
	}
	assert_int_equal(db_enroll_token_take(f->db, "hash1", &taken, &e), 0);
	assert_int_equal(taken, 0);
	assert_int_equal(db_enroll_token_get(f->db, "nope", &got, &found, &e), 0);
	assert_int_equal(found, 0);
	/* Re-enrolling a hw_id keeps the device id and replaces the token hash. */
	add_device(f->db, "d1", "hw1", "S1");
	snprintf(d.device_id, sizeof(d.device_id), "new-id");
	snprintf(d.hw_id, sizeof(d.hw_id), "hw1");
	snprintf(d.school, sizeof(d.school), "S2");
	snprintf(d.room, sizeof(d.room), "room2");
	snprintf(d.public_key, sizeof(d.public_key), "k2");
	snprintf(d.token_hash, sizeof(d.token_hash), "h-new");
	/* ... but only within its school: another school's enrollment writes nothing. */
	assert_int_equal(db_device_enroll(f->db, &d, &again, &e), 0);
	assert_int_equal(again, DB_ENROLL_OTHER_SCHOOL);
	assert_int_equal(db_device_by_token(f->db, "h-d1", &g, &found, &e), 0);
	assert_int_equal(found, 1);
	assert_string_equal(g.school, "S1");
	assert_string_equal(g.public_key, "k");
	snprintf(d.device_id, sizeof(d.device_id), "new-id");
	snprintf(d.school, sizeof(d.school), "S1");
	assert_int_equal(db_device_enroll(f->db, &d, &again, &e), 0);
	assert_int_equal(again, DB_ENROLL_AGAIN);
	assert_string_equal(d.device_id, "d1");
	assert_int_equal(db_device_by_token(f->db, "h-d1", &g, &found, &e), 0);
	assert_int_equal(found, 0);
	assert_int_equal(db_device_by_token(f->db, "h-new", &g, &found, &e), 0);
	assert_int_equal(found, 1);
	assert_string_equal(g.device_id, "d1");
	assert_string_equal(g.room, "room2");
	assert_string_equal(g.school, "S1");
	assert_int_equal(g.reenrolled, 1);
	assert_int_equal(g.clone_at, 0);
	assert_int_equal(g.buffer_depth, -1);
	/* Heartbeat and seen: an unknown offset keeps the old one. */
	assert_int_equal(db_device_heartbeat(f->db, "d1", NOW, -42, "1.2", 7, "[]", &e), 0);
	assert_int_equal(db_device_seen(f->db, "d1", NOW + 5, DB_OFFSET_UNKNOWN, &e), 0);
	assert_int_equal(db_device_get(f->db, "d1", &g, &found, &e), 0);
	assert_int_equal(g.clock_offset_s, -42);
	assert_int_equal(g.last_seen, NOW + 5);
	assert_int_equal(g.buffer_depth, 7);
	assert_string_equal(g.agent_version, "1.2");
	{
		int64_t enrolled, seen;

		add_device(f->db, "d2", "hw2", "S1");
		assert_int_equal(db_device_counts(f->db, NOW, &enrolled, &seen, &e), 0);
		assert_int_equal(enrolled, 2);
		assert_int_equal(seen, 1);
	}
}

static void test_transactions(void **state)
{
	struct server_fixture *f = *state;
	struct db_school s = { "S3", "三小", "" }, g;
	struct bbt_error e;
	int found;

	/* A nested rollback dooms the outer transaction. */
	assert_int_equal(db_begin(f->db, &e), 0);
	assert_int_equal(db_school_add(f->db, &s, &e), 0);
	assert_int_equal(db_begin(f->db, &e), 0);
	db_rollback(f->db);
	assert_int_equal(db_commit(f->db, &e), -1);
	assert_int_equal(db_school_get(f->db, "S3", &g, &found, &e), 0);
	assert_int_equal(found, 0);
	/* Nested commits reach the database with the outer one. */
	assert_int_equal(db_begin(f->db, &e), 0);
	assert_int_equal(db_begin(f->db, &e), 0);
	assert_int_equal(db_school_add(f->db, &s, &e), 0);
	assert_int_equal(db_commit(f->db, &e), 0);
	assert_int_equal(db_commit(f->db, &e), 0);
	assert_int_equal(db_school_get(f->db, "S3", &g, &found, &e), 0);
	assert_int_equal(found, 1);
	assert_string_equal(g.name, "三小");
	assert_int_equal(db_school_add(f->db, &s, &e), -1);
	assert_non_null(strstr(bbt_error_msg(&e), "exists"));
}

static void test_schema_version(void **state)
{
	struct server_fixture *f = *state;
	struct bbt_error e;
	struct db *db2;
	sqlite3 *h;
	int v;

	assert_int_equal(db_schema_version(f->db, &v, &e), 0);
	assert_int_equal(v, DB_SCHEMA_VERSION);
	/* Reopening does not migrate again; a newer database is refused. */
	assert_int_equal(db_open(f->path, &db2, &e), 0);
	db_close(db2);
	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 99", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(db_open(f->path, &db2, &e), -1);
	assert_non_null(strstr(bbt_error_msg(&e), "newer"));
	assert_int_equal(db_open("postgresql://x/y", &db2, &e), -1);
}

static void test_auth(void **state)
{
	char a[AUTH_TOKEN_LEN], b[AUTH_TOKEN_LEN], h[AUTH_HASH_LEN], tok[80];
	struct bbt_error e;

	assert_int_equal(auth_token_new(a, &e), 0);
	assert_int_equal(auth_token_new(b, &e), 0);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
	assert_string_not_equal(a, b);
	assert_int_equal(auth_hash("abc", h, &e), 0);
	assert_string_equal(h,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(auth_bearer("Bearer abc", tok, sizeof(tok)), 0);
	assert_string_equal(tok, "abc");
	assert_int_equal(auth_bearer("bearer   xyz ", tok, sizeof(tok)), 0);
	assert_string_equal(tok, "xyz");
	assert_int_equal(auth_bearer("Basic abc", tok, sizeof(tok)), -1);
	assert_int_equal(auth_bearer("Bearer ", tok, sizeof(tok)), -1);
	assert_int_equal(auth_bearer("Bearer a b", tok, sizeof(tok)), -1);
	assert_int_equal(auth_bearer(NULL, tok, sizeof(tok)), -1);
	assert_int_equal(auth_bearer("Bearer abcdef", tok, 4), -1);
}

static void test_utf8(void **state)
{
	assert_true(bbt_utf8_valid("plain", 5, 0));
	assert_true(bbt_utf8_valid("三年级", strlen("三年级"), 0));
	assert_true(bbt_utf8_valid("\xf0\x9f\x98\x80", 4, 0));
	assert_false(bbt_utf8_valid("\xc0\xaf", 2, 0));		/* overlong */
	assert_false(bbt_utf8_valid("\xed\xa0\x80", 3, 0));	/* surrogate */
	assert_false(bbt_utf8_valid("\xe4\xb8", 2, 0));		/* truncated */
	assert_false(bbt_utf8_valid("\xf5\x80\x80\x80", 4, 0));	/* past U+10FFFF */
	assert_false(bbt_utf8_valid("a\0b", 3, 0));
	assert_false(bbt_utf8_valid("\xff", 1, 0));
}

static void test_metrics_text(void **state)
{
	size_t len;
	char *t;

	metrics_reset();
	metrics_request("/api/v1/sessions", 200, 0.004);
	metrics_request("/api/v1/sessions", 200, 0.02);
	metrics_request("/api/v1/sessions", 400, 0.0001);
	metrics_request("/api/v1/points", 200, 45);
	metrics_request("/api/v1/points", 200, 90);
	metrics_upload();
	metrics_heartbeat();
	metrics_heartbeat();
	metrics_bundle();
	metrics_heartbeat_flush(2, 0.003, 1);
	metrics_heartbeat_flush(2, 0, 0);
	metrics_heartbeat_pending(7);
	metrics_sessions(3, 1, 2);
	metrics_ingest_duration(0.003);
	metrics_ingest_duration(20);
	t = metrics_render(5, 4, &len);
	assert_non_null(t);
	assert_int_equal(strlen(t), len);
	assert_int_equal(t[len - 1], '\n');
	assert_non_null(strstr(t, "bbt_http_requests_total{endpoint=\"/api/v1/sessions\","
	    "status=\"200\"} 2\n"));
	assert_non_null(strstr(t, "status=\"400\"} 1\n"));
	assert_non_null(strstr(t, "bbt_sessions_total{result=\"rejected\"} 2\n"));
	assert_non_null(strstr(t, "bbt_devices_enrolled 5\n"));
	assert_non_null(strstr(t, "bbt_devices_seen 4\n"));
	assert_non_null(strstr(t, "bbt_ingest_duration_seconds_bucket{le=\"0.0025\"} 0\n"));
	assert_non_null(strstr(t, "bbt_ingest_duration_seconds_bucket{le=\"0.005\"} 1\n"));
	assert_non_null(strstr(t, "bbt_ingest_duration_seconds_bucket{le=\"10\"} 1\n"));
	assert_non_null(strstr(t, "bbt_ingest_duration_seconds_bucket{le=\"+Inf\"} 2\n"));
	assert_non_null(strstr(t, "bbt_ingest_duration_seconds_count 2\n"));
	assert_non_null(strstr(t, "# TYPE bbt_ingest_duration_seconds histogram\n"));
	assert_non_null(strstr(t, "bbt_build_info{version=\"" BBT_VERSION "\"} 1\n"));
	/* Per endpoint, cumulative, with the slow reports past 10 s counted. */
	assert_non_null(strstr(t, "bbt_http_request_duration_seconds_bucket{endpoint="
	    "\"/api/v1/sessions\",le=\"0.001\"} 1\n"));
	assert_non_null(strstr(t, "bbt_http_request_duration_seconds_bucket{endpoint="
	    "\"/api/v1/sessions\",le=\"0.005\"} 2\n"));
	assert_non_null(strstr(t, "bbt_http_request_duration_seconds_bucket{endpoint="
	    "\"/api/v1/sessions\",le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(t, "bbt_http_request_duration_seconds_bucket{endpoint="
	    "\"/api/v1/points\",le=\"30\"} 0\n"));
	assert_non_null(strstr(t, "bbt_http_request_duration_seconds_bucket{endpoint="
	    "\"/api/v1/points\",le=\"60\"} 1\n"));
	assert_non_null(strstr(t, "bbt_http_request_duration_seconds_count{endpoint="
	    "\"/api/v1/points\"} 2\n"));
	assert_non_null(strstr(t, "bbt_http_request_duration_seconds_sum{endpoint="
	    "\"/api/v1/points\"} 135.000000\n"));
	assert_non_null(strstr(t, "bbt_uploads_total 1\n"));
	assert_non_null(strstr(t, "bbt_heartbeats_total 2\n"));
	assert_non_null(strstr(t, "bbt_bundles_total 1\n"));
	assert_non_null(strstr(t, "bbt_heartbeat_flushes_total{result=\"ok\"} 1\n"));
	assert_non_null(strstr(t, "bbt_heartbeat_flushes_total{result=\"failed\"} 1\n"));
	assert_non_null(strstr(t, "bbt_heartbeats_pending 7\n"));
	assert_non_null(strstr(t, "bbt_heartbeat_flush_duration_seconds_count 1\n"));
	assert_non_null(strstr(t, "\nprocess_resident_memory_bytes "));
	assert_non_null(strstr(t, "\nprocess_open_fds "));
	assert_non_null(strstr(t, "\nprocess_start_time_seconds "));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_rules),
		cmocka_unit_test(test_parse_body),
		cmocka_unit_test(test_parse_body_controls),
		cmocka_unit_test(test_clock_evidence),
		cmocka_unit_test_setup_teardown(test_store_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens_and_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_version, setup, teardown),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_metrics_text),
	};

	bbt_log_init("server_ingest", BBT_LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
