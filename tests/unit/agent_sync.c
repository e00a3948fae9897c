/*
 * Unit tests of the pure parts of agent/http_client.c, agent/sync_loop.c
 * and agent/link.c: Retry-After and HTTP dates, gzip bodies, URL joining,
 * the full-jitter backoff bounds, the wait chosen after each kind of pass
 * (from the floor again after progress) and its state kept in a real
 * buffer, what each reply status means; and of
 * agent/reply.c against a hostile or broken collector: ids not in the
 * batch, wrong types, contradictions, huge and negative numbers, absurd
 * server times, control characters, unusable enrollment replies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "http_client.h"
#include "link.h"
#include "reply.h"
#include "store.h"
#include "sync_loop.h"

static void retry_after_seconds(void **state)
{
	int64_t s = -1;

	assert_int_equal(http_client_retry_after_parse("120", 1000, &s), 0);
	assert_int_equal(s, 120);
	assert_int_equal(http_client_retry_after_parse(" 0", 1000, &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(http_client_retry_after_parse("12x", 1000, &s), -1);
	assert_int_equal(http_client_retry_after_parse("-5", 1000, &s), -1);
	assert_int_equal(http_client_retry_after_parse("", 1000, &s), -1);
}

static void retry_after_date(void **state)
{
	int64_t s = -1, t = 0;

	/* 1994-11-06T08:49:37Z = 784111777 */
	assert_int_equal(http_client_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(http_client_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(http_client_date_parse("Sun Nov  6 08:49:37 1994", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(http_client_date_parse("yesterday", &t), -1);
	assert_int_equal(http_client_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT",
	    784111777 - 90, &s), 0);
	assert_int_equal(s, 90);
	/* A date in the past means "now". */
	assert_int_equal(http_client_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT",
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

	assert_int_equal(http_client_gzip(in, strlen(in), &z, &zlen, NULL), 0);
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

	assert_int_equal(http_client_url_join("https://h/", "api/v1/x", out, sizeof(out)), 0);
	assert_string_equal(out, "https://h/api/v1/x");
	assert_int_equal(http_client_url_join("https://h", "/api/v1/x", out, sizeof(out)), 0);
	assert_string_equal(out, "https://h/api/v1/x");
	assert_int_equal(http_client_url_join("https://h/base//", "healthz", out, sizeof(out)), 0);
	assert_string_equal(out, "https://h/base/healthz");
	assert_int_equal(http_client_url_join("https://a-very-long-host.example/", "api",
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

	/* A failed pass that acknowledged something restarts at the floor. */
	for (int k = 0; k < 50; k++) {
		int f = 9;
		int64_t w;

		r.accepted = k % 3 == 0;
		r.duplicate = k % 3 == 1;
		r.rejected = k % 3 == 2;
		w = sync_next_wait_s(&r, &cfg, &f);
		assert_int_equal(f, 1);
		assert_true(w >= 1 && w <= 5);
	}
	r.accepted = r.duplicate = r.rejected = 0;
	failures = 9;
	sync_next_wait_s(&r, &cfg, &failures);
	assert_int_equal(failures, 10);

	r.status = SYNC_REVOKED;
	assert_true(sync_next_wait_s(&r, &cfg, &failures) >= 86400);
}

/* The backoff state lives in the buffer: a fresh process sees it. */
static void backoff_stored(void **state)
{
	char dir[] = "/tmp/bbt-sync-test.XXXXXX", cmd[64];
	struct agent_config cfg;
	struct sync_result r;
	struct sync_backoff b;
	struct store *st = NULL;
	struct bbt_error e;
	int64_t w;

	assert_non_null(mkdtemp(dir));
	memset(&cfg, 0, sizeof(cfg));
	cfg.sync.interval = 300;
	cfg.sync.backoff_cap = 3600;
	memset(&r, 0, sizeof(r));
	r.retry_after_s = -1;
	assert_int_equal(store_open(&st, dir, &e), 0);
	assert_int_equal(sync_backoff_due_s(st), 0);
	r.status = SYNC_NET;
	w = sync_backoff_after_pass(st, &r, &cfg, &e);
	assert_true(w >= 1 && w <= 5);
	w = sync_backoff_after_pass(st, &r, &cfg, &e);
	assert_true(w >= 1 && w <= 10);
	store_close(st);
	/* Another connection, as a one-shot sync process would open. */
	assert_int_equal(store_open(&st, dir, &e), 0);
	sync_backoff_load(st, &b);
	assert_int_equal(b.failures, 2);
	assert_true(sync_backoff_due_s(st) >= 1 && sync_backoff_due_s(st) <= w);
	r.status = SYNC_OK;
	assert_int_equal(sync_backoff_after_pass(st, &r, &cfg, &e), 300);
	sync_backoff_load(st, &b);
	assert_int_equal(b.failures, 0);
	assert_true(sync_backoff_due_s(st) > 290);
	/* Not enrolled waits for a new config, not for a stored due time. */
	r.status = SYNC_NOT_ENROLLED;
	sync_backoff_after_pass(st, &r, &cfg, &e);
	assert_int_equal(sync_backoff_due_s(st), 0);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* What a reply's status means (link.c), for enroll and sync alike. */
static void link_faults(void **state)
{
	static const struct { long status; enum link_fault f; int transient; } t[] = {
		{ 0, LINK_NET, 1 }, { 200, LINK_OK, 0 }, { 201, LINK_OK, 0 },
		{ 401, LINK_REVOKED, 0 }, { 429, LINK_RETRY_AFTER, 1 },
		{ 503, LINK_RETRY_AFTER, 1 }, { 500, LINK_SERVER, 1 },
		{ 502, LINK_SERVER, 1 }, { 400, LINK_REFUSED, 0 }, { 403, LINK_REFUSED, 0 },
		{ 404, LINK_REFUSED, 0 }, { 413, LINK_REFUSED, 0 },
	};
	char body[] = "{\"error\":\"token \\u001b[2J expired\"}", buf[REPLY_TEXT_LEN];
	struct http_response r = { 400, body, sizeof(body) - 1, -1, 0, 0, 0 };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(link_fault_of(t[i].status), t[i].f);
		assert_int_equal(link_fault_transient(t[i].f), t[i].transient);
	}
	assert_string_equal(link_error_text(&r, buf, sizeof(buf)), "token ?[2J expired");
}

/* ---- reply.c ---- */

#define FLOOR 1700000000LL	/* 2023-11-14: a build time */
#define RID(n) "00000000-0000-4000-8000-00000000000" #n

static int upload(const char *body, const char *const *ids, size_t n,
    struct reply_item *items, struct reply_upload *u)
{
	struct bbt_error e;

	return reply_upload_parse(body, strlen(body), ids, n, FLOOR, items, u, &e);
}

static int has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0))
			return 1;
	return 0;
}

static void reply_upload_lists(void **state)
{
	const char *const ids[] = { RID(3), RID(1), RID(2), RID(4) };
	struct reply_item it[4];
	struct reply_upload u;

	/* Only ids of the batch count; wrong types and strangers are ignored. */
	assert_int_equal(upload("{\"accepted\":[\"" RID(1) "\",\"" RID(9) "\",5,null,"
	    "[\"" RID(4) "\"]],\"duplicate\":[\"" RID(2) "\",{\"id\":\"" RID(4) "\"}],"
	    "\"rejected\":[{\"id\":\"" RID(3) "\",\"error\":\"lies in the future\\u001b[2J"
	    "\\r\\n\\u009b\"},{\"id\":7},\"" RID(4) "\",{\"id\":\"" RID(8) "\"},{}],"
	    "\"server_time\":\"2026-11-20T00:00:00Z\"}", ids, 4, it, &u), 0);
	assert_int_equal(it[1].outcome, REPLY_ACCEPTED);
	assert_int_equal(it[2].outcome, REPLY_DUPLICATE);
	assert_int_equal(it[0].outcome, REPLY_REJECTED);
	assert_int_equal(it[3].outcome, REPLY_NONE);
	assert_int_equal(u.accepted, 1);
	assert_int_equal(u.duplicate, 1);
	assert_int_equal(u.rejected, 1);
	assert_int_equal(u.foreign, 9);
	assert_non_null(strstr(it[0].error, "lies in the future"));
	assert_false(has_control(it[0].error));
	assert_int_equal(u.has_server_time, 1);
	assert_int_equal(u.server_us, 1795132800LL * 1000000);
	/* Rejected without a reason, or with a non-string one. */
	assert_int_equal(upload("{\"rejected\":[{\"id\":\"" RID(1) "\",\"error\":1e999}]}",
	    ids, 4, it, &u), 0);
	assert_int_equal(it[1].outcome, REPLY_REJECTED);
	assert_string_equal(it[1].error, "no reason given");
	assert_int_equal(u.has_server_time, 0);
	/* Contradictions: rejected wins (the session is kept, in quarantine). */
	assert_int_equal(upload("{\"rejected\":[{\"id\":\"" RID(1) "\",\"error\":\"no\"}],"
	    "\"accepted\":[\"" RID(1) "\",\"" RID(1) "\"],\"duplicate\":[\"" RID(1) "\"]}",
	    ids, 4, it, &u), 0);
	assert_int_equal(it[1].outcome, REPLY_REJECTED);
	assert_int_equal(u.accepted + u.duplicate + u.rejected, 1);
	/* An id repeated many times is still one session. */
	assert_int_equal(upload("{\"accepted\":[\"" RID(2) "\",\"" RID(2) "\",\"" RID(2)
	    "\"]}", ids, 4, it, &u), 0);
	assert_int_equal(u.accepted, 1);
	/* A reason far too long is cut, on a UTF-8 boundary. */
	{
		char body[4096];
		size_t o = (size_t)snprintf(body, sizeof(body), "{\"rejected\":[{\"id\":\""
		    RID(4) "\",\"error\":\"");

		for (int i = 0; i < 300; i++)
			o += (size_t)snprintf(body + o, sizeof(body) - o, "时");
		snprintf(body + o, sizeof(body) - o, "\"}]}");
		assert_int_equal(upload(body, ids, 4, it, &u), 0);
		assert_int_equal(it[3].outcome, REPLY_REJECTED);
		assert_true(strlen(it[3].error) < REPLY_TEXT_LEN);
		assert_int_equal(strlen(it[3].error) % 3, 0);
	}
}

static void reply_upload_unusable(void **state)
{
	static const char *const bad[] = {
		"", "null", "[]", "\"ok\"", "{}", "{\"accepted\":5}", "{\"accepted\":",
		"{\"rejected\":{\"id\":\"x\"}}", "<html>502 Bad Gateway</html>",
	};
	const char *const ids[] = { RID(1) };
	struct reply_item it[1];
	struct reply_upload u;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(upload(bad[i], ids, 1, it, &u), -1);
		assert_int_equal(it[0].outcome, REPLY_NONE);
	}
	/* NULL body (no reply body at all). */
	{
		struct bbt_error e;

		assert_int_equal(reply_upload_parse(NULL, 0, ids, 1, FLOOR, it, &u, &e), -1);
	}
	/* An empty batch is fine. */
	assert_int_equal(upload("{\"accepted\":[\"" RID(1) "\"]}", ids, 0, it, &u), 0);
	assert_int_equal(u.foreign, 1);
}

static void reply_times(void **state)
{
	static const char *const unbelievable[] = {
		"{\"server_time\":\"9999-12-31T23:59:59Z\"}",
		"{\"server_time\":\"2100-01-01T00:00:00Z\"}",
		"{\"server_time\":\"1970-01-01T00:00:00Z\"}",
		"{\"server_time\":\"0000-01-01T00:00:00+23:59\"}",
		"{\"server_time\":1795132800}", "{\"server_time\":null}",
		"{\"server_time\":\"2026-11-20\"}", "{\"server_time\":\"now\"}",
		"{\"server_time\":\"2026-11-20T00:00:00.99999999999999999999Z\"}x",
	};
	int64_t us = 42;
	const char *b;

	for (size_t i = 0; i < sizeof(unbelievable) / sizeof(unbelievable[0]); i++) {
		assert_int_equal(reply_server_time(unbelievable[i], strlen(unbelievable[i]),
		    FLOOR, &us), 0);
		assert_int_equal(us, 42);
	}
	b = "{\"server_time\":\"2026-11-20T08:00:00.5+08:00\"}";
	assert_int_equal(reply_server_time(b, strlen(b), FLOOR, &us), 1);
	assert_int_equal(us, 1795132800LL * 1000000 + 500000);
}

static void reply_heartbeat_settings(void **state)
{
	const struct detector_settings cur = { 600, 900, 120 };
	struct reply_heartbeat h;
	struct bbt_error e;
	const char *b;

	/* Negative, huge, fractional, wrong types: each refused, current kept. */
	b = "{\"settings\":{\"idle_gap\":-5,\"min_session\":1e300,\"stuck_contact\":30.5},"
	    "\"server_time\":\"2026-11-20T00:00:00Z\"}";
	assert_int_equal(reply_heartbeat_parse(b, strlen(b), FLOOR, &cur, &h, &e), 0);
	assert_int_equal(h.has_settings, 1);
	assert_int_equal(h.refused, 3);
	assert_memory_equal(&h.settings, &cur, sizeof(cur));
	assert_int_equal(h.has_server_time, 1);
	b = "{\"settings\":{\"idle_gap\":9.3e18,\"min_session\":-0.5,\"stuck_contact\":\"60\"}}";
	assert_int_equal(reply_heartbeat_parse(b, strlen(b), FLOOR, &cur, &h, &e), 0);
	assert_int_equal(h.refused, 3);
	assert_memory_equal(&h.settings, &cur, sizeof(cur));
	assert_int_equal(h.has_server_time, 0);
	/* In range (the agent.conf ranges, min_session may be 0): taken. */
	b = "{\"settings\":{\"idle_gap\":86400,\"min_session\":0,\"stuck_contact\":1}}";
	assert_int_equal(reply_heartbeat_parse(b, strlen(b), FLOOR, &cur, &h, &e), 0);
	assert_int_equal(h.refused, 0);
	assert_int_equal(h.settings.idle_gap, 86400);
	assert_int_equal(h.settings.min_session, 0);
	assert_int_equal(h.settings.stuck_contact, 1);
	b = "{\"settings\":{\"idle_gap\":86401,\"min_session\":86401}}";
	assert_int_equal(reply_heartbeat_parse(b, strlen(b), FLOOR, &cur, &h, &e), 0);
	assert_int_equal(h.refused, 2);
	assert_memory_equal(&h.settings, &cur, sizeof(cur));
	/* "settings" of the wrong type: "detector" is read instead. */
	b = "{\"settings\":[300],\"detector\":{\"idle_gap\":300}}";
	assert_int_equal(reply_heartbeat_parse(b, strlen(b), FLOOR, &cur, &h, &e), 0);
	assert_int_equal(h.has_settings, 1);
	assert_int_equal(h.settings.idle_gap, 300);
	assert_int_equal(h.settings.min_session, 900);
	/* No settings at all; not an object. */
	assert_int_equal(reply_heartbeat_parse("{}", 2, FLOOR, &cur, &h, &e), 0);
	assert_int_equal(h.has_settings, 0);
	assert_memory_equal(&h.settings, &cur, sizeof(cur));
	assert_int_equal(reply_heartbeat_parse("[1]", 3, FLOOR, &cur, &h, &e), -1);
	assert_int_equal(h.has_settings, 0);
}

/* A moved collector's new address: only an https:// URL of visible ASCII. */
static void reply_heartbeat_collector_url(void **state)
{
	static const char *const bad[] = {
		"{\"collector_url\":\"http://new.example/\"}",
		"{\"collector_url\":\"https://\"}",
		"{\"collector_url\":\"https://a b/\"}",
		"{\"collector_url\":\"https://a\\u0001b/\"}",
		"{\"collector_url\":\"https://a\\\"b/\"}",
		"{\"collector_url\":\"HTTPS://new.example/\"}",
		"{\"collector_url\":42}",
		"{\"collector_url\":null}",
	};
	const struct detector_settings cur = { 600, 900, 120 };
	struct reply_heartbeat h;
	struct bbt_error e;
	char b[700];
	size_t n;

	snprintf(b, sizeof(b), "{\"collector_url\":\"https://new.example:8470/bbt/\"}");
	assert_int_equal(reply_heartbeat_parse(b, strlen(b), FLOOR, &cur, &h, &e), 0);
	assert_string_equal(h.collector_url, "https://new.example:8470/bbt/");
	assert_int_equal(h.bad_url, 0);
	assert_int_equal(reply_heartbeat_parse("{}", 2, FLOOR, &cur, &h, &e), 0);
	assert_string_equal(h.collector_url, "");
	assert_int_equal(h.bad_url, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(reply_heartbeat_parse(bad[i], strlen(bad[i]), FLOOR, &cur,
		    &h, &e), 0);
		assert_string_equal(h.collector_url, "");
		assert_int_equal(h.bad_url, 1);
	}
	/* One byte too long for enroll_state.url: refused, not cut. */
	n = (size_t)snprintf(b, sizeof(b), "{\"collector_url\":\"https://");
	memset(b + n, 'a', REPLY_URL_LEN - 8);
	memcpy(b + n + REPLY_URL_LEN - 8, "\"}", 3);
	assert_int_equal(reply_heartbeat_parse(b, strlen(b), FLOOR, &cur, &h, &e), 0);
	assert_string_equal(h.collector_url, "");
	assert_int_equal(h.bad_url, 1);
}

static void reply_enroll_ids(void **state)
{
	static const char *const bad[] = {
		"{\"device_id\":1e308,\"device_token\":\"t\"}",
		"{\"device_id\":-3,\"device_token\":\"t\"}",
		"{\"device_id\":0,\"device_token\":\"t\"}",
		"{\"device_id\":1.5,\"device_token\":\"t\"}",
		"{\"device_id\":\"../../etc/x\",\"device_token\":\"t\"}",
		"{\"device_id\":\"\",\"device_token\":\"t\"}",
		"{\"device_id\":\"a b\",\"device_token\":\"t\"}",
		"{\"device_id\":[\"d1\"],\"device_token\":\"t\"}",
		"{\"device_id\":\"d1\",\"device_token\":\"t\\r\\nX-Evil: 1\"}",
		"{\"device_id\":\"d1\",\"device_token\":\"\"}",
		"{\"device_id\":\"d1\",\"device_token\":7}",
		"{\"device_id\":\"d1\"}", "[]", "", "{\"device_id\":\"d1\",",
	};
	struct reply_enroll en;
	struct bbt_error e;
	const char *b;
	char big[1024];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(reply_enroll_parse(bad[i], strlen(bad[i]), &en, &e), -1);
	snprintf(big, sizeof(big), "{\"device_id\":\"%0100d\",\"device_token\":\"t\"}", 1);
	assert_int_equal(reply_enroll_parse(big, strlen(big), &en, &e), -1);
	snprintf(big, sizeof(big), "{\"device_id\":\"d\",\"device_token\":\"%0500d\"}", 1);
	assert_int_equal(reply_enroll_parse(big, strlen(big), &en, &e), -1);
	b = "{\"device_id\":42,\"device_token\":\"abc\"}";
	assert_int_equal(reply_enroll_parse(b, strlen(b), &en, &e), 0);
	assert_string_equal(en.device_id, "42");
	assert_string_equal(en.device_token, "abc");
	b = "{\"device_id\":\"7d1c-aa.b_c\",\"device_token\":\"Zm9v+/=\"}";
	assert_int_equal(reply_enroll_parse(b, strlen(b), &en, &e), 0);
	assert_string_equal(en.device_id, "7d1c-aa.b_c");
}

static void reply_texts(void **state)
{
	char out[8];
	char msg[REPLY_TEXT_LEN];
	const char *b;

	reply_sanitize("三年级", out, sizeof(out));
	assert_string_equal(out, "三年");
	reply_sanitize("a\x1b[0m\x7f\xff\xc2\x9b" "b", out, sizeof(out));
	assert_false(has_control(out));
	assert_int_equal(out[0], 'a');
	/* Shown as bbt_text_scrub shows text: a '?' for each bad byte or control. */
	reply_sanitize("a\xc2\x9b" "b\xff", out, sizeof(out));
	assert_string_equal(out, "a?b?");
	reply_sanitize("\xe4\xb8" "Z", out, sizeof(out));
	assert_string_equal(out, "??Z");
	reply_sanitize(NULL, out, sizeof(out));
	assert_string_equal(out, "");
	b = "{\"error\":\"bad\\u0007 token\\n\"}";
	reply_error_text(b, strlen(b), msg, sizeof(msg));
	assert_string_equal(msg, "bad? token?");
	reply_error_text("<html>", 6, msg, sizeof(msg));
	assert_string_equal(msg, "");
	reply_error_text(NULL, 0, msg, sizeof(msg));
	assert_string_equal(msg, "");
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
		cmocka_unit_test(backoff_stored),
		cmocka_unit_test(link_faults),
		cmocka_unit_test(reply_upload_lists),
		cmocka_unit_test(reply_upload_unusable),
		cmocka_unit_test(reply_times),
		cmocka_unit_test(reply_heartbeat_settings),
		cmocka_unit_test(reply_heartbeat_collector_url),
		cmocka_unit_test(reply_enroll_ids),
		cmocka_unit_test(reply_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
