/*
 * server/report.c: what reaches a spreadsheet and a terminal. Every formula
 * lead is neutralised in text cells and never in numbers we print; code
 * columns stay text in Excel; table output never carries a control byte and
 * Chinese columns stay aligned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"

static char *render(const struct report *r, enum report_format f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_int_equal(report_write(r, f, m, NULL), 0);
	fclose(m);
	return buf;
}

/* The CSV of a one-column, one-row report whose cell is v. */
static char *csv_of(const char *column, const char *v)
{
	const char *cols[] = { column };
	struct report *r = report_new(1, cols);
	char *out;

	assert_int_equal(report_row(r), 0);
	assert_int_equal(report_str(r, 0, v), 0);
	out = render(r, REPORT_CSV);
	report_free(r);
	return out;
}

static void expect_csv_cell(const char *column, const char *v, const char *want)
{
	char *out = csv_of(column, v), line[512];

	snprintf(line, sizeof(line), "\xef\xbb\xbf%s\r\n%s\r\n", column, want);
	if (strcmp(out, line) != 0)
		fail_msg("cell '%s' in %s: got [%s], want [%s]", v, column, out, line);
	free(out);
}

static void test_formula_leads(void **state)
{
	/* Every lead a spreadsheet may take for a formula gets a leading '. */
	expect_csv_cell("hostname", "=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"");
	expect_csv_cell("hostname", "+1+1", "'+1+1");
	expect_csv_cell("hostname", "-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0");
	expect_csv_cell("hostname", "@SUM(A1)", "'@SUM(A1)");
	expect_csv_cell("hostname", "\t=1+1", "\"'\t=1+1\"");
	expect_csv_cell("hostname", "\r=1+1", "\"'\r=1+1\"");
	expect_csv_cell("hostname", "\n=1+1", "\"'\n=1+1\"");
	/* after spaces (ASCII, ideographic), and the full-width forms */
	expect_csv_cell("hostname", "  =1+1", "\"'  =1+1\"");
	expect_csv_cell("hostname", "\xe3\x80\x80=1", "'\xe3\x80\x80=1");
	expect_csv_cell("hostname", "＝1+1", "'＝1+1");
	expect_csv_cell("hostname", "＋1", "'＋1");
	expect_csv_cell("hostname", "－1", "'－1");
	expect_csv_cell("hostname", "＠SUM(A1)", "'＠SUM(A1)");
	/* in a code column too (the guard wins, no TAB) */
	expect_csv_cell("school", "-12", "'-12");
	/* plain text is untouched */
	expect_csv_cell("hostname", "pc-301", "pc-301");
	expect_csv_cell("teacher_name", "张伟", "张伟");
	expect_csv_cell("hostname", "a=b", "a=b");
}

static void test_numbers_stay_numbers(void **state)
{
	static const char *const cols[] = { "device_id", "clock_offset_s", "pct" };
	struct report *r = report_new(3, cols);
	char *out;

	assert_int_equal(report_row(r), 0);
	report_str(r, 0, "d-1");
	report_int(r, 1, -120);
	report_tenths(r, 2, -5);
	out = render(r, REPORT_CSV);
	assert_string_equal(out, "\xef\xbb\xbf" "device_id,clock_offset_s,pct\r\nd-1,-120,-0.5\r\n");
	free(out);
	report_free(r);
}

static void test_code_columns_stay_text(void **state)
{
	/* A code starting with a digit gets a leading TAB: Excel keeps it text. */
	expect_csv_cell("school", "0012", "\"\t0012\"");
	expect_csv_cell("teacher_id", "007", "\"\t007\"");
	expect_csv_cell("device_id", "3f2a0c1e-0000-4000-8000-000000000001",
	    "\"\t3f2a0c1e-0000-4000-8000-000000000001\"");
	expect_csv_cell("id", "12345678901234567890", "\"\t12345678901234567890\"");
	expect_csv_cell("room", "1-2", "\"\t1-2\"");
	expect_csv_cell("agent_version", "1.10", "\"\t1.10\"");
	expect_csv_cell("seq", "１", "\"\t１\"");
	expect_csv_cell("token", "1e234567", "\"\t1e234567\"");
	/* codes that Excel reads as text already are left alone */
	expect_csv_cell("school", "S1", "S1");
	expect_csv_cell("room", "三年级二班", "三年级二班");
	/* a name column is not a code column */
	expect_csv_cell("teacher_name", "0012", "0012");
	expect_csv_cell("district", "0012", "0012");
}

/* --lang zh renames the columns (report_set_column): the guard stays with
 * the column, not its name, so 学校代码 still keeps 0012 as text. */
static void test_renamed_code_column_stays_code(void **state)
{
	const char *cols[] = { "school", "teacher_name" };
	struct report *r = report_new(2, cols);
	char *out;

	(void)state;
	assert_int_equal(report_row(r), 0);
	assert_int_equal(report_str(r, 0, "0012"), 0);
	assert_int_equal(report_str(r, 1, "=1+1"), 0);
	assert_int_equal(report_set_column(r, 0, "学校代码"), 0);
	assert_int_equal(report_set_column(r, 1, "教师姓名"), 0);
	assert_string_equal(report_column(r, 0), "学校代码");
	out = render(r, REPORT_CSV);
	assert_string_equal(out, "\xef\xbb\xbf学校代码,教师姓名\r\n\"\t0012\",'=1+1\r\n");
	free(out);
	report_free(r);
}

static void test_code_column_by_call(void **state)
{
	static const char *const cols[] = { "学校代码" };
	struct report *r = report_new(1, cols);
	char *out;

	assert_int_equal(report_code_column(r, 0), 0);
	assert_int_equal(report_code_column(r, 1), -1);
	assert_int_equal(report_row(r), 0);
	report_str(r, 0, "0012");
	out = render(r, REPORT_CSV);
	assert_string_equal(out, "\xef\xbb\xbf学校代码\r\n\"\t0012\"\r\n");
	free(out);
	report_free(r);
}

/* Display column where field starts in line. */
static size_t col_of(const char *line, const char *field)
{
	const char *p = strstr(line, field);
	char head[256];

	assert_non_null(p);
	snprintf(head, sizeof(head), "%.*s", (int)(p - line), line);
	return report_display_width(head);
}

/* 1 if s holds a C0 control other than LF, DEL, a C1 control, or a byte
 * that is not part of a well-formed UTF-8 character (a lone 0x9b is CSI). */
static int has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = *p < 0x80 ? 1 : *p >= 0xc2 && *p <= 0xdf ? 2 :
		    *p >= 0xe0 && *p <= 0xef ? 3 : *p >= 0xf0 && *p <= 0xf4 ? 4 : 0;

		if (n == 0 || (*p < 0x20 && *p != '\n') || *p == 0x7f)
			return 1;
		if (p[0] == 0xc2 && p[1] <= 0x9f)
			return 1;
		for (size_t k = 1; k < n; k++)
			if ((p[k] & 0xc0) != 0x80)
				return 1;
		p += n;
	}
	return 0;
}

static void test_table_never_prints_controls(void **state)
{
	static const char *const cols[] = { "hostname", "room" };
	static const char *const hostile[] = {
		"\x1b]0;owned\x07pc", "\x1b[2J\x1b[Hpc", "a\rb", "tab\there", "del\x7f",
		"c1\xc2\x9b" "31m", "lone\x9b" "31m", "overlong\xc0\x9b", "bidi\xe2\x80\xae" "cba",
		"cut\xe4\xb8",
	};
	struct report *r = report_new(2, cols);
	char *out, *v;

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		assert_int_equal(report_row(r), 0);
		report_str(r, 0, hostile[i]);
		report_str(r, 1, "三年级二班");
	}
	out = render(r, REPORT_TABLE);
	assert_false(has_control(out));
	assert_non_null(strstr(out, "\\x1b]0;owned\\x07pc"));
	assert_non_null(strstr(out, "a\\x0db"));
	assert_non_null(strstr(out, "tab\\x09here"));
	assert_non_null(strstr(out, "del\\x7f"));
	assert_non_null(strstr(out, "c1\\u009b31m"));
	assert_non_null(strstr(out, "lone\\x9b31m"));
	assert_non_null(strstr(out, "overlong\\xc0\\x9b"));
	assert_non_null(strstr(out, "bidi\\u202ecba"));
	assert_non_null(strstr(out, "cut\\xe4\\xb8"));
	/* every line has the room column where the header has it */
	for (char *line = strchr(out, '\n') + 1; *line; line = strchr(line, '\n') + 1)
		assert_int_equal(col_of(line, "三年级二班"), col_of(out, "room"));
	free(out);
	report_free(r);
	v = report_visible("\x1b[31m张伟");
	assert_string_equal(v, "\\x1b[31m张伟");
	assert_int_equal(report_display_width("\x1b[31m张伟"), 4 + 4 + 4);
	free(v);
}

static void test_table_cjk_widths(void **state)
{
	static const char *const cols[] = { "teacher_name", "school", "points" };
	struct report *r = report_new(3, cols);
	char *out, *l[4];

	assert_int_equal(report_row(r), 0);
	report_str(r, 0, "欧阳娜娜");
	report_str(r, 1, "西安市第一小学");
	report_int(r, 2, 10);
	assert_int_equal(report_row(r), 0);
	report_str(r, 0, "Bob");
	report_str(r, 1, "S2");
	report_int(r, 2, 5);
	assert_int_equal(report_row(r), 0);
	report_str(r, 0, "ｱｲ");	/* half-width katakana: one column each */
	report_str(r, 1, "Ｓ３");	/* full-width: two each */
	report_int(r, 2, 100);
	out = render(r, REPORT_TABLE);
	l[0] = out;
	for (int i = 1; i < 4; i++)
		l[i] = strchr(l[i - 1], '\n') + 1;
	for (int i = 0; i < 3; i++) {
		size_t n = (size_t)(strchr(l[i], '\n') - l[i]);
		char a[256], b[256];

		snprintf(a, sizeof(a), "%.*s", (int)n, l[i]);
		n = (size_t)(strchr(l[i + 1], '\n') - l[i + 1]);
		snprintf(b, sizeof(b), "%.*s", (int)n, l[i + 1]);
		/* right-aligned numbers: every line ends at the same column */
		assert_int_equal(report_display_width(a), report_display_width(b));
	}
	assert_int_equal(report_display_width("欧阳娜娜"), 8);
	assert_int_equal(report_display_width("Ｓ３"), 4);
	assert_int_equal(report_display_width("ｱｲ"), 2);
	assert_int_equal(report_display_width("e\xcc\x81"), 1);
	free(out);
	report_free(r);
}

/* Times print in the report's zone; 0 (never) and before is a null cell. */
static void test_time_cells(void **state)
{
	const char *cols[] = { "at" };
	struct report *r = report_new(1, cols);
	char *out;

	assert_int_equal(report_row(r), 0);
	assert_int_equal(report_time(r, 0, 1795392005, "Asia/Shanghai"), 0);
	assert_int_equal(report_row(r), 0);
	assert_int_equal(report_time(r, 0, 1795392005, "UTC"), 0);
	assert_int_equal(report_row(r), 0);
	assert_int_equal(report_time(r, 0, 0, "UTC"), 0);
	assert_int_equal(report_row(r), 0);
	assert_int_equal(report_time(r, 0, -5, "UTC"), 0);
	out = render(r, REPORT_JSON);
	assert_non_null(strstr(out, "\"2026-11-23T08:00:05+08:00\""));
	assert_non_null(strstr(out, "\"2026-11-23T00:00:05+00:00\""));
	assert_null(strstr(out, "1970"));
	free(out);
	report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formula_leads),
		cmocka_unit_test(test_numbers_stay_numbers),
		cmocka_unit_test(test_code_columns_stay_text),
		cmocka_unit_test(test_code_column_by_call),
		cmocka_unit_test(test_renamed_code_column_stays_code),
		cmocka_unit_test(test_table_never_prints_controls),
		cmocka_unit_test(test_table_cjk_widths),
		cmocka_unit_test(test_time_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
