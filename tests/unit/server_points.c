/* Unit tests of points (attribution, the weekly-capped rule, periods), rules
 * (the INI rule file) and report (table widths, CSV with BOM, JSON types),
 * driven with hand-built sessions and slots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bbt_time.h"
#include "points.h"
#include "points_report.h"
#include "report.h"
#include "rules.h"

#define SH "Asia/Shanghai"

static int64_t t_(const char *iso)
{
	int64_t t;

	assert_int_equal(bbt_time_parse(iso, &t, NULL, NULL), 0);
	return t;
}

static struct points_session mk(const char *id, const char *start, int64_t dur,
    const char *room, const char *teacher)
{
	struct points_session s;

	memset(&s, 0, sizeof(s));
	snprintf(s.id, sizeof(s.id), "%s", id);
	s.start = t_(start);
	s.duration_s = dur;
	s.end = s.start + dur;
	snprintf(s.school, sizeof(s.school), "%s", "S1");
	snprintf(s.room, sizeof(s.room), "%s", room);
	snprintf(s.teacher, sizeof(s.teacher), "%s", teacher ? teacher : "");
	return s;
}

static struct timetable_slot slot(const char *room, int wd, int sh, int sm, int eh, int em,
    const char *tid, const char *name)
{
	struct timetable_slot t;

	memset(&t, 0, sizeof(t));
	snprintf(t.school, sizeof(t.school), "%s", "S1");
	snprintf(t.room, sizeof(t.room), "%s", room);
	t.weekday = wd;
	t.start_min = sh * 60 + sm;
	t.end_min = eh * 60 + em;
	snprintf(t.teacher_id, sizeof(t.teacher_id), "%s", tid);
	snprintf(t.teacher_name, sizeof(t.teacher_name), "%s", name);
	return t;
}

static const char *reason(const struct points_rule *r, const struct points_session *s)
{
	static char buf[POINTS_REASON_LEN];

	points_reason_text(r, s->reason, buf);
	return buf;
}

static void test_weekly_cap_credits_earliest_two(void **state)
{
	struct points_rule r;
	/* Given out of order: the rule must go by start, not by arrival. */
	struct points_session ss[] = {
		mk("c", "2026-11-26T09:00:00+08:00", 2400, "R1", "T1"),	/* Thu */
		mk("a", "2026-11-24T09:00:00+08:00", 2400, "R1", "T1"),	/* Tue */
		mk("s", "2026-11-23T09:00:00+08:00", 899, "R1", "T1"),	/* Mon, short */
		mk("b", "2026-11-25T09:00:00+08:00", 900, "R1", "T1"),	/* Wed, exactly 900 */
		mk("d", "2026-11-27T09:00:00+08:00", 3000, "R1", "T2"),	/* another teacher */
	};
	struct points_row *rows;
	size_t n;

	points_rule_default(&r);
	points_attribute(NULL, 0, SH, ss, 5);
	assert_int_equal(points_evaluate(&r, ss, 5, NULL), 0);
	assert_true(ss[1].credited);
	assert_string_equal(reason(&r, &ss[1]), "credited");
	assert_true(ss[3].credited);
	assert_false(ss[0].credited);
	assert_string_equal(reason(&r, &ss[0]), "weekly cap reached");
	assert_false(ss[2].credited);
	assert_false(ss[2].qualifying);
	assert_string_equal(reason(&r, &ss[2]), "shorter than 15 min");
	assert_true(ss[4].credited);
	assert_int_equal(points_rows(&r, ss, 5, t_("2026-11-23T00:00:00+08:00"),
	    t_("2026-11-30T00:00:00+08:00"), &rows, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].teacher_id, "T1");
	assert_int_equal(rows[0].iso_week, 48);
	assert_int_equal(rows[0].qualifying, 3);
	assert_int_equal(rows[0].credited, 2);
	assert_int_equal(rows[0].points, 10);
	assert_int_equal(rows[0].nsessions, 4);
	/* Sessions of a row come in start order. */
	assert_string_equal(ss[rows[0].sessions[0]].id, "s");
	assert_string_equal(ss[rows[0].sessions[3]].id, "c");
	assert_int_equal(rows[1].points, 5);
	points_rows_free(rows, n);
}

static void test_sunday_night_monday_morning(void **state)
{
	struct points_rule r;
	/* Sent in UTC: Sunday 23:50 and Monday 00:10 in Shanghai. */
	struct points_session ss[] = {
		mk("m1", "2026-11-23T01:00:00Z", 1800, "R1", "T1"),
		mk("m2", "2026-11-24T01:00:00Z", 1800, "R1", "T1"),
		mk("sun", "2026-11-29T15:50:00Z", 1800, "R1", "T1"),
		mk("mon", "2026-11-29T16:10:00Z", 1800, "R1", "T1"),
	};

	points_rule_default(&r);
	points_attribute(NULL, 0, SH, ss, 4);
	assert_int_equal(points_evaluate(&r, ss, 4, NULL), 0);
	assert_int_equal(ss[2].iso_week, 48);
	assert_int_equal(ss[3].iso_week, 49);
	assert_string_equal(reason(&r, &ss[2]), "weekly cap reached");
	assert_string_equal(reason(&r, &ss[3]), "credited");
	/* In UTC weeks both fall in week 48 and the Monday one is capped too. */
	snprintf(r.week_zone, sizeof(r.week_zone), "%s", "UTC");
	assert_int_equal(points_evaluate(&r, ss, 4, NULL), 0);
	assert_int_equal(ss[3].iso_week, 48);
	assert_false(ss[3].credited);
}

static void test_overlap_attribution(void **state)
{
	struct timetable_slot tt[] = {
		slot("R1", 1, 9, 0, 9, 45, "T2", "李娜"),
		slot("R1", 1, 8, 0, 8, 45, "T1", "张伟"),
		slot("R2", 1, 8, 0, 9, 45, "T3", "王芳"),
		slot("R1", 2, 8, 0, 9, 45, "T4", "赵强"),
	};
	struct points_session ss[] = {
		/* 08:30-09:30: 15 min with T1, 30 min with T2 -> T2. */
		mk("a", "2026-11-23T08:30:00+08:00", 3600, "R1", NULL),
		/* 08:15-09:15: 30 min with T1, 15 with T2 -> T1. */
		mk("b", "2026-11-23T08:15:00+08:00", 3600, "R1", NULL),
		/* 08:00-09:45: 45 and 45 -> tie, the earlier slot (T1). */
		mk("c", "2026-11-23T08:00:00+08:00", 6300, "R1", NULL),
		/* Between the slots only: 08:45-09:00 -> no overlap. */
		mk("d", "2026-11-23T08:45:00+08:00", 900, "R1", NULL),
		/* Monday 08:10 in Shanghai is Monday 00:10 UTC: weekday of the server zone. */
		mk("e", "2026-11-23T00:10:00Z", 1800, "R1", NULL),
		/* Wednesday: no slot that day. */
		mk("f", "2026-11-25T08:00:00+08:00", 1800, "R1", NULL),
	};

	points_attribute(tt, 4, SH, ss, 6);
	assert_string_equal(ss[0].teacher_id, "T2");
	assert_string_equal(ss[0].teacher_name, "李娜");
	assert_string_equal(ss[1].teacher_id, "T1");
	assert_string_equal(ss[2].teacher_id, "T1");
	assert_false(ss[3].attributed);
	assert_true(ss[4].attributed);
	assert_string_equal(ss[4].teacher_id, "T1");
	assert_false(ss[5].attributed);
	/* The same Monday-00:10-UTC session read in UTC is Monday 00:10: no slot. */
	points_attribute(tt, 4, "UTC", &ss[4], 1);
	assert_false(ss[4].attributed);
}

static void test_named_teacher(void **state)
{
	struct timetable_slot tt[] = { slot("R1", 1, 8, 0, 8, 45, "T1", "张伟") };
	struct points_session ss[] = {
		/* Named T9, though the slot says T1: the session's own teacher wins. */
		mk("a", "2026-11-23T08:00:00+08:00", 1800, "R1", "T9"),
		mk("b", "2026-11-24T08:00:00+08:00", 1800, "R7", "T1"),
	};

	points_attribute(tt, 1, SH, ss, 2);
	assert_string_equal(ss[0].teacher_id, "T9");
	assert_string_equal(ss[0].teacher_name, "T9");
	assert_string_equal(ss[1].teacher_id, "T1");
	assert_string_equal(ss[1].teacher_name, "张伟");
	/* The same id in another school is someone else. */
	snprintf(ss[1].school, sizeof(ss[1].school), "%s", "S2");
	points_attribute(tt, 1, SH, &ss[1], 1);
	assert_string_equal(ss[1].teacher_name, "T1");
}

static void test_unattributed_rows(void **state)
{
	struct points_rule r;
	struct points_session ss[] = {
		mk("u1", "2026-11-23T10:00:00+08:00", 1800, "R9", NULL),
		mk("u2", "2026-11-23T11:00:00+08:00", 300, "R9", NULL),
		mk("t", "2026-11-23T12:00:00+08:00", 1800, "R9", "T1"),
	};
	struct points_row *rows;
	size_t n;

	points_rule_default(&r);
	points_attribute(NULL, 0, SH, ss, 3);
	assert_int_equal(points_evaluate(&r, ss, 3, NULL), 0);
	assert_string_equal(reason(&r, &ss[0]), "unattributed");
	assert_string_equal(reason(&r, &ss[1]), "unattributed");
	assert_int_equal(points_rows(&r, ss, 3, t_("2026-11-23T00:00:00+08:00"),
	    t_("2026-11-30T00:00:00+08:00"), &rows, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].teacher_id, "T1");
	assert_null(rows[1].teacher_id);
	assert_null(rows[1].teacher_name);
	assert_int_equal(rows[1].nsessions, 2);
	assert_int_equal(rows[1].qualifying, 1);
	assert_int_equal(rows[1].credited, 0);
	assert_int_equal(rows[1].points, 0);
	points_rows_free(rows, n);
}

static void test_late_session_changes_past_week(void **state)
{
	struct points_rule r;
	struct points_session ss[] = {
		mk("tue", "2026-11-24T09:00:00+08:00", 1800, "R1", "T1"),
		mk("wed", "2026-11-25T09:00:00+08:00", 1800, "R1", "T1"),
		mk("mon", "2026-11-23T09:00:00+08:00", 1800, "R1", "T1"),	/* arrives late */
	};

	points_rule_default(&r);
	points_attribute(NULL, 0, SH, ss, 3);
	assert_int_equal(points_evaluate(&r, ss, 2, NULL), 0);
	assert_true(ss[0].credited);
	assert_true(ss[1].credited);
	assert_int_equal(points_evaluate(&r, ss, 3, NULL), 0);
	assert_true(ss[2].credited);
	assert_true(ss[0].credited);
	assert_false(ss[1].credited);
	assert_string_equal(reason(&r, &ss[1]), "weekly cap reached");
}

static void test_period_cut_keeps_weekly_cap(void **state)
{
	struct points_rule r;
	struct points_session ss[] = {
		mk("mon", "2026-11-23T09:00:00+08:00", 1800, "R1", "T1"),
		mk("tue", "2026-11-24T09:00:00+08:00", 1800, "R1", "T1"),
		mk("thu", "2026-11-26T09:00:00+08:00", 1800, "R1", "T1"),
	};
	int64_t from, to, wf, wt;
	struct points_row *rows;
	size_t n;

	points_rule_default(&r);
	assert_int_equal(period_dates(SH, "2026-11-25", "2026-11-26", &from, &to, NULL), 0);
	assert_int_equal(from, t_("2026-11-25T00:00:00+08:00"));
	assert_int_equal(to, t_("2026-11-27T00:00:00+08:00"));
	period_whole_weeks(r.week_zone, from, to, &wf, &wt);
	assert_int_equal(wf, t_("2026-11-23T00:00:00+08:00"));
	assert_int_equal(wt, t_("2026-11-30T00:00:00+08:00"));
	points_attribute(NULL, 0, SH, ss, 3);
	assert_int_equal(points_evaluate(&r, ss, 3, NULL), 0);
	assert_int_equal(points_rows(&r, ss, 3, from, to, &rows, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].nsessions, 1);
	assert_int_equal(rows[0].qualifying, 1);
	assert_int_equal(rows[0].credited, 0);
	assert_int_equal(rows[0].points, 0);
	points_rows_free(rows, n);
}

static void test_periods(void **state)
{
	int64_t from, to;
	struct bbt_error e;

	assert_int_equal(period_week(SH, "2026-W48", &from, &to, NULL), 0);
	assert_int_equal(from, t_("2026-11-22T16:00:00Z"));
	assert_int_equal(to, t_("2026-11-29T16:00:00Z"));
	assert_int_equal(period_week(SH, "2026-48", &from, &to, &e), -1);
	/* Sunday 23:59 in Shanghai still belongs to week 48. */
	period_current(SH, t_("2026-11-29T23:59:00+08:00"), &from, &to);
	assert_int_equal(from, t_("2026-11-23T00:00:00+08:00"));
	period_current(SH, t_("2026-11-30T00:00:00+08:00"), &from, &to);
	assert_int_equal(from, t_("2026-11-30T00:00:00+08:00"));
	assert_int_equal(period_dates(SH, "2026-11-26", "2026-11-25", &from, &to, &e), -1);
	assert_int_equal(period_dates(SH, "2026-11-31", "2026-12-01", &from, &to, &e), -1);
}

static void test_reason_text_follows_rule(void **state)
{
	struct points_rule r;
	char buf[POINTS_REASON_LEN];

	points_rule_default(&r);
	r.min_duration_s = 600;
	points_reason_text(&r, POINTS_TOO_SHORT, buf);
	assert_string_equal(buf, "shorter than 10 min");
	r.min_duration_s = 90;
	points_reason_text(&r, POINTS_TOO_SHORT, buf);
	assert_string_equal(buf, "shorter than 90 s");
}

static void test_no_cap_when_zero(void **state)
{
	struct points_rule r;
	struct points_session ss[] = {
		mk("a", "2026-11-23T09:00:00+08:00", 1800, "R1", "T1"),
		mk("b", "2026-11-24T09:00:00+08:00", 1800, "R1", "T1"),
		mk("c", "2026-11-25T09:00:00+08:00", 1800, "R1", "T1"),
	};

	points_rule_default(&r);
	r.max_per_week = 0;
	points_attribute(NULL, 0, SH, ss, 3);
	assert_int_equal(points_evaluate(&r, ss, 3, NULL), 0);
	assert_true(ss[0].credited && ss[1].credited && ss[2].credited);
}

static char *write_tmp(const char *text)
{
	static char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/bbt-rules-XXXXXX");
	close(mkstemp(path));
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void expect_rules_error(const char *text, const char *want)
{
	struct points_rule r;
	struct bbt_error e;
	char *p = write_tmp(text);

	assert_int_equal(rules_load(p, &r, &e), -1);
	unlink(p);
	if (strstr(e.msg, want) == NULL)
		fail_msg("error '%s' lacks '%s'", e.msg, want);
}

static void test_rules_file(void **state)
{
	struct points_rule r, d;
	struct bbt_error e;
	char *p;

	/* The shipped file says exactly what the built-in defaults say. */
	assert_int_equal(rules_load("server/rules/points.ini", &r, &e), 0);
	points_rule_default(&d);
	assert_string_equal(r.name, d.name);
	assert_int_equal(r.points_per_session, d.points_per_session);
	assert_int_equal(r.min_duration_s, d.min_duration_s);
	assert_int_equal(r.max_per_week, d.max_per_week);
	assert_string_equal(r.week_zone, d.week_zone);
	p = write_tmp("[interactive_teaching]\npoints_per_session = 3\nmax_per_week = 4\n");
	assert_int_equal(rules_load(p, &r, &e), 0);
	unlink(p);
	assert_int_equal(r.points_per_session, 3);
	assert_int_equal(r.max_per_week, 4);
	assert_int_equal(r.min_duration_s, 900);
	expect_rules_error("[interactive_teaching]\nmax_per_weak = 3\n", ":2: unknown key");
	expect_rules_error("[interactive_teaching]\n\nmin_duration_s = -5\n", ":3: bad value");
	expect_rules_error("[interactive_teaching]\npoints_per_session = 5x\n", ":2: bad value");
	expect_rules_error("[other]\nname = x\n", ":2: unknown section");
	expect_rules_error("[interactive_teaching]\nweek_zone = Mars/Base\n", "bad value");
	expect_rules_error("[interactive_teaching]\nweek_zone = ../../etc/passwd\n", "bad value");
	expect_rules_error("[interactive_teaching]\nweek_zone =\n", "bad value");
	assert_int_equal(rules_load("/nonexistent/points.ini", &r, &e), -1);
	assert_int_equal(bbt_tz_check("Asia/Shanghai", NULL), 0);
	assert_int_equal(bbt_tz_check("../../etc/passwd", NULL), -1);
}

static char *render(const struct report *r, enum report_format f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_int_equal(report_write(r, f, m, NULL), 0);
	fclose(m);
	return buf;
}

static struct report *sample(void)
{
	static const char *const cols[] = { "teacher_name", "school", "points", "ok" };
	struct report *r = report_new(4, cols);

	assert_int_equal(report_row(r), 0);
	report_str(r, 0, "张伟");
	report_str(r, 1, "S1, \"north\"");
	report_int(r, 2, 10);
	report_bool(r, 3, 1);
	assert_int_equal(report_row(r), 0);
	report_str(r, 0, "Bob");
	report_str(r, 1, "=cmd");
	report_int(r, 2, 5);
	return r;
}

/* Display column where the n-th (0-based) field of a table line starts. */
static size_t col_of(const char *line, const char *field)
{
	char head[256];
	const char *p = strstr(line, field);

	assert_non_null(p);
	snprintf(head, sizeof(head), "%.*s", (int)(p - line), line);
	return report_display_width(head);
}

static void test_report_table(void **state)
{
	struct report *r = sample();
	char *out = render(r, REPORT_TABLE);
	char *l1 = out, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;

	assert_int_equal(report_display_width("张伟"), 4);
	assert_int_equal(report_display_width("三年级二班 3"), 12);
	assert_int_equal(report_display_width("Bob"), 3);
	/* The school column starts at the same display column on every line. */
	assert_int_equal(col_of(l1, "school"), col_of(l2, "S1,"));
	assert_int_equal(col_of(l2, "S1,"), col_of(l3, "=cmd"));
	assert_int_equal(col_of(l2, "true"), col_of(l3, "-"));
	assert_non_null(strstr(out, "张伟"));
	free(out);
	report_free(r);
}

static void test_report_csv_and_json(void **state)
{
	struct report *r = sample();
	char *csv = render(r, REPORT_CSV), *json = render(r, REPORT_JSON);

	assert_memory_equal(csv, "\xef\xbb\xbf", 3);
	assert_string_equal(csv + 3, "teacher_name,school,points,ok\r\n"
	    "张伟,\"S1, \"\"north\"\"\",10,true\r\n"
	    "Bob,'=cmd,5,\r\n");
	assert_string_equal(json, "[{\"teacher_name\":\"张伟\",\"school\":\"S1, \\\"north\\\"\","
	    "\"points\":10,\"ok\":true},{\"teacher_name\":\"Bob\",\"school\":\"=cmd\","
	    "\"points\":5,\"ok\":null}]\n");
	free(csv);
	free(json);
	assert_int_equal(report_attach(r, "sessions", cJSON_CreateArray()), 0);
	json = render(r, REPORT_JSON);
	assert_non_null(strstr(json, "\"ok\":null,\"sessions\":[]}]"));
	free(json);
	report_free(r);
}

static void test_report_build_explain(void **state)
{
	struct points_rule r;
	struct timetable_slot tt[] = { slot("R1", 1, 8, 0, 8, 45, "T1", "张伟") };
	struct points_session ss[] = {
		mk("s1", "2026-11-23T00:00:00Z", 2400, "R1", NULL),
		mk("s2", "2026-11-23T06:00:00Z", 600, "R1", "T1"),
		mk("s3", "2026-11-24T06:00:00Z", 2400, "R5", NULL),
	};
	struct points_query q = { .week = "2026-W48", .explain = 1 };
	int64_t from, to;
	struct report *rep;
	char *out;

	points_rule_default(&r);
	assert_int_equal(points_query_period(&q, SH, &r, 0, &from, &to, NULL), 0);
	rep = points_report_build(&r, SH, tt, 1, ss, 3, from, to, 1, REPORT_JSON, NULL);
	assert_non_null(rep);
	out = render(rep, REPORT_JSON);
	assert_string_equal(out, "[{\"teacher_id\":\"T1\",\"teacher_name\":\"张伟\","
	    "\"school\":\"S1\",\"week\":\"2026-W48\",\"qualifying\":1,\"credited\":1,"
	    "\"points\":5,\"sessions\":[{\"id\":\"s1\",\"start\":\"2026-11-23T08:00:00+08:00\","
	    "\"end\":\"2026-11-23T08:40:00+08:00\",\"duration_s\":2400,\"room\":\"R1\","
	    "\"credited\":true,\"reason\":\"credited\"},{\"id\":\"s2\","
	    "\"start\":\"2026-11-23T14:00:00+08:00\",\"end\":\"2026-11-23T14:10:00+08:00\","
	    "\"duration_s\":600,\"room\":\"R1\",\"credited\":false,"
	    "\"reason\":\"shorter than 15 min\"}]},{\"teacher_id\":null,\"teacher_name\":null,"
	    "\"school\":\"S1\",\"week\":\"2026-W48\",\"qualifying\":1,\"credited\":0,"
	    "\"points\":0,\"sessions\":[{\"id\":\"s3\",\"start\":\"2026-11-24T14:00:00+08:00\","
	    "\"end\":\"2026-11-24T14:40:00+08:00\",\"duration_s\":2400,\"room\":\"R5\","
	    "\"credited\":false,\"reason\":\"unattributed\"}]}]\n");
	free(out);
	report_free(rep);
	/* CSV with explain: one line per session, BOM first. */
	rep = points_report_build(&r, SH, tt, 1, ss, 3, from, to, 1, REPORT_CSV, NULL);
	out = render(rep, REPORT_CSV);
	assert_memory_equal(out, "\xef\xbb\xbfteacher_id,", 14);
	assert_int_equal(report_nrows(rep), 3);
	assert_non_null(strstr(out, ",s3,2026-11-24T14:00:00+08:00,2026-11-24T14:40:00+08:00,"
	    "2400,R5,false,unattributed\r\n"));
	free(out);
	report_free(rep);
	/* Mixed period options are refused. */
	q.from = "2026-11-23";
	assert_int_equal(points_query_period(&q, SH, &r, 0, &from, &to, NULL), -1);
}

/* The JSON written a row at a time (the CLI's report_write and the API's
 * report_json_text) is the text cJSON prints for the whole array: with a
 * row's attached members, and for no rows at all. */
static void json_text_of(struct report *r)
{
	cJSON *a = report_to_json(r);
	char *whole = cJSON_PrintUnformatted(a), *cli = render(r, REPORT_JSON), *api;
	size_t len = 0;

	api = report_json_text(r, &len);
	assert_non_null(api);
	assert_string_equal(api, whole);
	assert_int_equal(len, strlen(whole));
	assert_int_equal(strlen(cli), len + 1);
	assert_memory_equal(cli, whole, len);
	assert_int_equal(cli[len], '\n');
	free(api);
	free(cli);
	free(whole);
	cJSON_Delete(a);
}

static void test_report_json_row_at_a_time(void **state)
{
	static const char *const cols[] = { "a" };
	struct report *r = sample();

	json_text_of(r);
	assert_int_equal(report_attach(r, "sessions", cJSON_CreateArray()), 0);
	json_text_of(r);
	report_free(r);
	r = report_new(1, cols);
	json_text_of(r);
	report_free(r);
}

/* What the stream handed out: each row and its sessions' ids. */
struct got {
	struct points_row rows[256];
	char tid[256][TIMETABLE_TEACHER_ID_LEN], school[256][TIMETABLE_SCHOOL_LEN];
	char ids[4096][BBT_UUID_LEN];
	size_t nrows, nids, stop_at;
};

static int on_row(void *arg, const struct points_row *row, const struct points_session *ss,
    struct bbt_error *e)
{
	struct got *g = arg;

	if (g->nrows + 1 == g->stop_at)
		return bbt_error_set(e, "stop");
	assert_true(g->nrows < 256);
	g->rows[g->nrows] = *row;
	snprintf(g->tid[g->nrows], sizeof(g->tid[0]), "%s", row->teacher_id ? row->teacher_id :
	    "(none)");
	snprintf(g->school[g->nrows], sizeof(g->school[0]), "%s", row->school);
	g->nrows++;
	for (size_t i = 0; ss != NULL && i < row->nsessions; i++)
		snprintf(g->ids[g->nids++], sizeof(g->ids[0]), "%s", ss[i].id);
	return 0;
}

static int cmp_school_start(const void *pa, const void *pb)
{
	const struct points_session *a = pa, *b = pb;
	int c = strcmp(a->school, b->school);

	if (c != 0)
		return c;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return strcmp(a->id, b->id);
}

/*
 * The stream (one school-week held at a time) gives exactly the array
 * form's rows, in its order, with the same sessions: three schools, five
 * weeks, named and timetabled teachers, ties on start, a period that cuts
 * the first and last weeks. A school's week going back is refused, and a
 * callback's failure ends the walk.
 */
static void test_stream_matches_array(void **state)
{
	struct points_rule r;
	struct timetable_slot tt[6];
	static struct points_session ss[900], in[900];
	static struct got g;
	struct points_stream *ps;
	struct points_row *rows;
	size_t n = 0, nrows, nid = 0;
	int64_t t0 = t_("2026-11-02T00:00:00+08:00"), from = t0 + 3 * 86400,
	    to = t0 + 31 * 86400;
	unsigned x = 12345;
	struct bbt_error e;

	points_rule_default(&r);
	for (int i = 0; i < 6; i++) {
		tt[i] = slot(i % 2 ? "R2" : "R1", 1 + i % 5, 8 + i, 0, 8 + i, 45, i < 3 ? "T1" : "T9",
		    "张");
		snprintf(tt[i].school, sizeof(tt[i].school), "S%d", i % 3);
	}
	for (int i = 0; i < 900; i++) {
		char id[16], when[40];
		int64_t t;

		x = x * 1103515245u + 12345u;
		t = t0 + (int64_t)((x >> 8) % (35u * 86400u));
		t -= (x >> 4) % 4 == 0 ? t % 3600 : 0;	/* some share a start */
		snprintf(id, sizeof(id), "id%04d", i);
		bbt_time_format(t, 8 * 3600, when);
		ss[n] = mk(id, when, 600 + (int64_t)((x >> 3) % 2400), (x >> 5) % 2 ? "R1" : "R2",
		    (x >> 6) % 3 == 0 ? "T1" : (x >> 6) % 3 == 1 ? "T7" : NULL);
		snprintf(ss[n].school, sizeof(ss[n].school), "S%u", (x >> 7) % 3);
		n++;
	}
	memcpy(in, ss, sizeof(ss));
	points_attribute(tt, 6, SH, ss, n);
	assert_int_equal(points_evaluate(&r, ss, n, NULL), 0);
	assert_int_equal(points_rows(&r, ss, n, from, to, &rows, &nrows, NULL), 0);
	qsort(in, n, sizeof(in[0]), cmp_school_start);
	ps = points_stream_new(&r, SH, tt, 6, from, to, 1);
	assert_non_null(ps);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(points_stream_add(ps, &in[i], NULL), 0);
	assert_int_equal(points_stream_finish(ps, on_row, &g, NULL), 0);
	points_stream_free(ps);
	assert_true(nrows > 30);
	assert_int_equal(g.nrows, nrows);
	for (size_t k = 0; k < nrows; k++) {
		assert_string_equal(g.school[k], rows[k].school);
		assert_string_equal(g.tid[k], rows[k].teacher_id ? rows[k].teacher_id : "(none)");
		assert_int_equal(g.rows[k].iso_week, rows[k].iso_week);
		assert_int_equal(g.rows[k].qualifying, rows[k].qualifying);
		assert_int_equal(g.rows[k].credited, rows[k].credited);
		assert_int_equal(g.rows[k].points, rows[k].points);
		assert_int_equal(g.rows[k].nsessions, rows[k].nsessions);
		for (size_t i = 0; i < rows[k].nsessions; i++)
			assert_string_equal(g.ids[nid++], ss[rows[k].sessions[i]].id);
	}
	assert_int_equal(g.nids, nid);
	points_rows_free(rows, nrows);
	/* A school's week going back, and a failing callback. */
	ps = points_stream_new(&r, SH, tt, 6, from, to, 0);
	assert_int_equal(points_stream_add(ps, &in[n - 1], NULL), 0);
	assert_int_equal(points_stream_add(ps, &in[n - 2], NULL), 0);	/* same week */
	in[0].start = in[n - 1].start - 8 * 86400;
	snprintf(in[0].school, sizeof(in[0].school), "%s", in[n - 1].school);
	assert_int_equal(points_stream_add(ps, &in[0], &e), -1);
	assert_non_null(strstr(bbt_error_msg(&e), "out of order"));
	points_stream_free(ps);
	ps = points_stream_new(&r, SH, tt, 6, from, to, 0);
	for (size_t i = 1; i < n; i++)
		assert_int_equal(points_stream_add(ps, &in[i], NULL), 0);
	memset(&g, 0, sizeof(g));
	g.stop_at = 3;
	assert_int_equal(points_stream_finish(ps, on_row, &g, &e), -1);
	assert_int_equal(g.nrows, 2);
	points_stream_free(ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weekly_cap_credits_earliest_two),
		cmocka_unit_test(test_sunday_night_monday_morning),
		cmocka_unit_test(test_overlap_attribution),
		cmocka_unit_test(test_named_teacher),
		cmocka_unit_test(test_unattributed_rows),
		cmocka_unit_test(test_late_session_changes_past_week),
		cmocka_unit_test(test_period_cut_keeps_weekly_cap),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_reason_text_follows_rule),
		cmocka_unit_test(test_no_cap_when_zero),
		cmocka_unit_test(test_rules_file),
		cmocka_unit_test(test_report_table),
		cmocka_unit_test(test_report_csv_and_json),
		cmocka_unit_test(test_report_build_explain),
		cmocka_unit_test(test_stream_matches_array),
		cmocka_unit_test(test_report_json_row_at_a_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
