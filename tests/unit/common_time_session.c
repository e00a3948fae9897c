/* Unit tests of the shared library: ISO 8601 times, ISO weeks, the session
 * record's JSON form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "bbt_session.h"
#include "bbt_time.h"

static void test_time_roundtrip(void **state)
{
	int64_t t; int off; char buf[BBT_ISO8601_LEN];

	assert_int_equal(bbt_time_parse("2026-11-23T08:00:05+08:00", &t, &off, NULL), 0);
	assert_int_equal(off, 8 * 3600);
	assert_int_equal(t, 1795392005LL);
	bbt_time_format(t, off, buf);
	assert_string_equal(buf, "2026-11-23T08:00:05+08:00");
	bbt_time_format(t, 0, buf);
	assert_string_equal(buf, "2026-11-23T00:00:05+00:00");
	assert_int_equal(bbt_time_parse("2026-11-23T00:00:05Z", &t, &off, NULL), 0);
	assert_int_equal(t, 1795392005LL);
	bbt_time_format(t, -(5 * 3600 + 30 * 60), buf);
	assert_string_equal(buf, "2026-11-22T18:30:05-05:30");
	/* Digits by hand, checked against printf over years and offsets. */
	for (int64_t at = -62135596800LL; at < 253402300800LL; at += 86400LL * 3652 + 3599) {
		for (int o = -14 * 3600; o <= 14 * 3600; o += 3 * 3600 + 1800) {
			char want[BBT_ISO8601_LEN];
			struct tm tm;
			time_t tt = (time_t)(at + o);

			gmtime_r(&tt, &tm);
			snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
			    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			    tm.tm_sec, o < 0 ? '-' : '+', abs(o) / 3600, abs(o) / 60 % 60);
			bbt_time_format(at, o, buf);
			assert_string_equal(buf, want);
		}
	}
}

static void test_time_rejects(void **state)
{
	const char *bad[] = { "", "2026-11-23", "2026-11-23T08:00:05",
		"2026-02-30T08:00:05Z", "2026-11-23T24:00:00Z", "2026-11-23T08:00:05+8",
		"2026-11-23T08:00:05+08:00x", "x026-11-23T08:00:05Z" };
	int64_t t; int off; struct bbt_error e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(bbt_time_parse(bad[i], &t, &off, &e), -1);
	assert_non_null(strstr(e.msg, "ISO 8601"));
}

static void test_iso_week(void **state)
{
	int y, w; int64_t t, monday;

	/* Sunday 2026-11-29 23:50 Shanghai is week 48; Monday 00:10 is 49. */
	bbt_time_parse("2026-11-29T15:50:00Z", &t, NULL, NULL);
	bbt_iso_week(t, 8 * 3600, &y, &w);
	assert_int_equal(y, 2026); assert_int_equal(w, 48);
	bbt_time_parse("2026-11-29T16:10:00Z", &t, NULL, NULL);
	bbt_iso_week(t, 8 * 3600, &y, &w);
	assert_int_equal(w, 49);
	/* 2027-01-01 is a Friday: ISO week 53 of 2026. */
	bbt_time_parse("2027-01-01T12:00:00+08:00", &t, NULL, NULL);
	bbt_iso_week(t, 8 * 3600, &y, &w);
	assert_int_equal(y, 2026); assert_int_equal(w, 53);
	assert_int_equal(bbt_iso_week_parse("2026-W48", &monday, NULL), 0);
	assert_int_equal(monday, bbt_days_from_civil(2026, 11, 23));
	assert_int_equal(bbt_iso_week_parse("2025-W53", &monday, NULL), -1);
	assert_int_equal(bbt_tz_offset("Asia/Shanghai", t), 8 * 3600);
}

static void test_session_json(void **state)
{
	struct bbt_session s = { 0 }, back;
	struct bbt_error e;
	char *line;
	cJSON *o;

	strcpy(s.id, "0b4f5c1e-8a9d-4c3b-9e2f-1a2b3c4d5e6f");
	bbt_time_parse("2026-11-23T08:00:05+08:00", &s.start, &s.utc_offset, NULL);
	s.end = s.start + 2467;
	s.duration_s = 2467; s.touches = 311; s.active_minutes = 38;
	strcpy(s.input.name, "IRTOUCH Infrared Touch");
	strcpy(s.input.vid, "6615"); strcpy(s.input.pid, "0070");
	s.flags = BBT_FLAG_STUCK_CONTACT;
	line = bbt_session_to_json_line(&s);
	assert_string_equal(line, "{\"id\":\"0b4f5c1e-8a9d-4c3b-9e2f-1a2b3c4d5e6f\","
	    "\"start\":\"2026-11-23T08:00:05+08:00\",\"end\":\"2026-11-23T08:41:12+08:00\","
	    "\"duration_s\":2467,\"touches\":311,\"active_minutes\":38,\"teacher\":null,"
	    "\"input\":{\"name\":\"IRTOUCH Infrared Touch\",\"vid\":\"6615\",\"pid\":\"0070\"},"
	    "\"flags\":[\"stuck_contact\"]}");
	o = cJSON_Parse(line);
	assert_int_equal(bbt_session_from_json(o, &back, &e), 0);
	assert_int_equal(back.start, s.start);
	assert_int_equal(back.flags, s.flags);
	assert_string_equal(back.input.name, s.input.name);
	/* duration must match */
	cJSON_ReplaceItemInObject(o, "duration_s", cJSON_CreateNumber(100));
	assert_int_equal(bbt_session_from_json(o, &back, &e), -1);
	assert_non_null(strstr(e.msg, "duration_s"));
	cJSON_Delete(o);
	free(line);
}

/* A session line with one string field replaced by raw JSON text v. */
static int parse_with(const char *key, const char *v, struct bbt_error *e)
{
	char json[1024], *marked = NULL;
	struct bbt_session s;
	cJSON *o;
	int rc;

	snprintf(json, sizeof(json), "{\"id\":%s,\"start\":%s,"
	    "\"end\":\"2026-11-23T08:41:12+08:00\",\"duration_s\":2467,\"touches\":3,"
	    "\"active_minutes\":2,\"teacher\":%s,\"input\":{\"name\":%s,\"vid\":\"6615\","
	    "\"pid\":\"0070\"},\"flags\":[]}",
	    strcmp(key, "id") == 0 ? v : "\"0b4f5c1e-8a9d-4c3b-9e2f-1a2b3c4d5e6f\"",
	    strcmp(key, "start") == 0 ? v : "\"2026-11-23T08:00:05+08:00\"",
	    strcmp(key, "teacher") == 0 ? v : "null",
	    strcmp(key, "input.name") == 0 ? v : "\"IRTOUCH\"");
	assert_int_equal(bbt_json_mark_nul(json, strlen(json), &marked), 0);
	o = cJSON_Parse(marked ? marked : json);
	assert_non_null(o);
	rc = bbt_session_from_json(o, &s, e);
	cJSON_Delete(o);
	free(marked);
	return rc;
}

static void test_session_strings_clean(void **state)
{
	static const char *const keys[] = { "id", "start", "teacher", "input.name" };
	struct bbt_error e;

	assert_int_equal(parse_with("teacher", "\"张伟\"", &e), 0);
	assert_int_equal(parse_with("input.name", "\"a\\\\u0000b\"", &e), 0);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "field \"%s\" has a control character", keys[i]);
		/* An escaped ESC, a raw TAB, DEL and a C1 (U+009B, CSI). */
		assert_int_equal(parse_with(keys[i], "\"x\\u001b[2J\"", &e), -1);
		assert_non_null(strstr(e.msg, want));
		assert_non_null(strstr(e.msg, "U+001B"));
		assert_int_equal(parse_with(keys[i], "\"x\ty\"", &e), -1);
		assert_non_null(strstr(e.msg, "U+0009"));
		assert_int_equal(parse_with(keys[i], "\"x\x7f\"", &e), -1);
		assert_non_null(strstr(e.msg, "U+007F"));
		assert_int_equal(parse_with(keys[i], "\"x\\u009b\"", &e), -1);
		assert_non_null(strstr(e.msg, "U+009B"));
		/* An escaped NUL, which cJSON alone would silently cut at: for the id
		 * and start, what is left before it is even valid. */
		snprintf(want, sizeof(want), "field \"%s\" has an escaped NUL", keys[i]);
		assert_int_equal(parse_with(keys[i], strcmp(keys[i], "start") == 0 ?
		    "\"2026-11-23T08:00:05+08:00\\u0000junk\"" : strcmp(keys[i], "id") == 0 ?
		    "\"0b4f5c1e-8a9d-4c3b-9e2f-1a2b3c4d5e6f\\u0000junk\"" :
		    "\"IRTOUCH\\u0000junk\"", &e), -1);
		assert_non_null(strstr(e.msg, want));
	}
}

static int mark(const char *json, char **m)
{
	return bbt_json_mark_nul(json, strlen(json), m);
}

static void test_mark_nul(void **state)
{
	char *m;

	assert_int_equal(mark("{\"a\":\"b\\u0001\"}", &m), 0);
	assert_null(m);
	/* an escaped backslash before u0000 is not an escape of NUL */
	assert_int_equal(mark("[\"\\\\u0000\"]", &m), 0);
	assert_null(m);
	assert_int_equal(mark("[\"\\\\\\u0000\",\"\\u0000\"]", &m), 0);
	assert_non_null(m);
	assert_string_equal(m, "[\"\\\\\\uffff\",\"\\uffff\"]");
	free(m);
	/* cut short at the end of the buffer: nothing to mark */
	assert_int_equal(mark("\"\\u000", &m), 0);
	assert_null(m);
}

/* What the agent cleans is what the collector then accepts. */
static void test_text_scrub(void **state)
{
	char esc[] = "IR\x1b[31mTouch\x7f", latin1[] = "Caf\xe9 \xc2\x85Pen",
	    cut[] = "\xe4\xb8\xad\xe6\x96", ok[] = "鸿合 IR 触摸框", nul[] = "\xef\xbf\xbfx";

	(void)state;
	assert_int_equal(bbt_text_scrub(esc), 2);
	assert_string_equal(esc, "IR?[31mTouch?");
	assert_int_equal(bbt_text_scrub(latin1), 2);
	assert_string_equal(latin1, "Caf? ?Pen");
	/* A name cut inside a character by a fixed-size read. */
	assert_int_equal(bbt_text_scrub(cut), 2);
	assert_string_equal(cut, "中??");
	assert_int_equal(bbt_text_scrub(ok), 0);
	assert_string_equal(ok, "鸿合 IR 触摸框");
	assert_int_equal(bbt_text_scrub(nul), 1);
	assert_string_equal(nul, "?x");
	for (char *t = esc; t; t = t == esc ? latin1 : t == latin1 ? cut : NULL)
		assert_int_equal(bbt_text_check(t, "name", NULL), 0);
}

static void test_uuid(void **state)
{
	char a[BBT_UUID_LEN], b[BBT_UUID_LEN];

	assert_int_equal(bbt_uuid_v4(a), 0);
	assert_int_equal(bbt_uuid_v4(b), 0);
	assert_true(bbt_uuid_valid(a));
	assert_string_not_equal(a, b);
	assert_int_equal(a[14], '4');
	assert_false(bbt_uuid_valid("0b4f5c1e-8a9d-4c3b-9e2f-1a2b3c4d5e6"));
}

static void test_floor_div(void **state)
{
	assert_int_equal(bbt_floor_div(7, 2), 3);
	assert_int_equal(bbt_floor_div(6, 2), 3);
	assert_int_equal(bbt_floor_div(0, 86400), 0);
	assert_int_equal(bbt_floor_div(-1, 86400), -1);
	assert_int_equal(bbt_floor_div(-86400, 86400), -1);
	assert_int_equal(bbt_floor_div(-86401, 86400), -2);
	assert_int_equal(bbt_floor_div(-1500000, 1000000), -2);
	assert_int_equal(bbt_floor_div(7, -2), -4);
	assert_int_equal(bbt_floor_div(-7, -2), 3);
	assert_int_equal(bbt_floor_div(INT64_MIN, 86400), INT64_MIN / 86400 - 1);
	assert_int_equal(bbt_floor_div(INT64_MAX, 1), INT64_MAX);
}

static void test_flags_format(void **state)
{
	char buf[64];

	assert_int_equal(bbt_flags_format(0, ",", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(bbt_flags_format(BBT_FLAG_STUCK_CONTACT | BBT_FLAG_RECOVERED, ",",
	    buf, sizeof(buf)), 2);
	assert_string_equal(buf, "stuck_contact,recovered");
	assert_int_equal(bbt_flags_format(BBT_FLAG_RECOVERED | 0x80000000u, " ", buf,
	    sizeof(buf)), 1);
	assert_string_equal(buf, "recovered");		/* unknown bits are left out */
	assert_int_equal(bbt_flags_format(0xfu, " ", buf, sizeof(buf)), 4);
	assert_string_equal(buf, "stuck_contact recovered clock_adjusted clock_unverified");
	/* Whole names only: "stuck_contact,recovered" does not fit in 20. */
	assert_int_equal(bbt_flags_format(0x3u, ",", buf, 20), 1);
	assert_string_equal(buf, "stuck_contact");
	assert_int_equal(bbt_flags_format(0x3u, ",", buf, 5), 0);
	assert_string_equal(buf, "");
	assert_int_equal(bbt_flags_format(0x3u, ",", buf, 0), 0);
}

/* bbt_flags_parse reads back what bbt_flags_format wrote with ",". */
static void test_flags_parse(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(bbt_flags_parse(""), 0);
	bbt_flags_format(0xfu, ",", buf, sizeof(buf));
	assert_int_equal(bbt_flags_parse(buf), 0xfu);
	assert_int_equal(bbt_flags_parse("recovered"), BBT_FLAG_RECOVERED);
	/* Unknown names and empty items are dropped. */
	assert_int_equal(bbt_flags_parse("bogus,,stuck_contact,"), BBT_FLAG_STUCK_CONTACT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_roundtrip),
		cmocka_unit_test(test_time_rejects),
		cmocka_unit_test(test_iso_week),
		cmocka_unit_test(test_session_json),
		cmocka_unit_test(test_session_strings_clean),
		cmocka_unit_test(test_mark_nul),
		cmocka_unit_test(test_text_scrub),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_floor_div),
		cmocka_unit_test(test_flags_format),
		cmocka_unit_test(test_flags_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
