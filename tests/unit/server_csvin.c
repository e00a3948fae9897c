/* Unit tests of csvin (charsets, line numbers, quoting, files that are not
 * CSV text) and of both importers: timetable (headers in English and
 * Chinese, row validation, all-or-nothing) and schedule where they share a
 * rule (full-width times, short rows). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iconv.h>
#include <cmocka.h>

#include "bbt_utf8.h"
#include "csvin.h"
#include "schedule.h"
#include "timetable.h"

/* UTF-8 -> GB18030 with iconv, as Excel in China would save it. */
static char *to_gb18030(const char *utf8, size_t *len)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	size_t in_left = strlen(utf8), out_left = in_left * 2 + 4;
	char *out = calloc(1, out_left), *o = out, *in = (char *)utf8;

	assert_true(cd != (iconv_t)-1);
	assert_true(iconv(cd, &in, &in_left, &o, &out_left) != (size_t)-1);
	iconv_close(cd);
	*len = (size_t)(o - out);
	return out;
}

struct collect {
	size_t n;
	size_t lines[16];
	char cells[16][4][64];
	size_t nf[16];
};

static int collect_cb(void *arg, size_t line, size_t n, char **f, struct bbt_error *e)
{
	struct collect *c = arg;

	if (c->n >= 16)
		return bbt_error_set(e, "too many");
	c->lines[c->n] = line;
	c->nf[c->n] = n;
	for (size_t i = 0; i < n && i < 4; i++)
		snprintf(c->cells[c->n][i], 64, "%s", f[i]);
	c->n++;
	return 0;
}

static void test_detect(void **state)
{
	size_t len;
	char *gb = to_gb18030("教室,星期\n三年级二班,一\n", &len);

	assert_int_equal(csvin_detect((const unsigned char *)"\xef\xbb\xbf" "a", 4),
	    CSVIN_UTF8_BOM);
	assert_int_equal(csvin_detect((const unsigned char *)"教室", strlen("教室")), CSVIN_UTF8);
	assert_int_equal(csvin_detect((const unsigned char *)"abc", 3), CSVIN_UTF8);
	assert_int_equal(csvin_detect((const unsigned char *)gb, len), CSVIN_GB18030);
	/* Overlong and surrogate encodings are not UTF-8. */
	assert_false(bbt_utf8_valid("\xc0\xaf", 2, 1));
	assert_false(bbt_utf8_valid("\xed\xa0\x80", 3, 1));
	assert_false(bbt_utf8_valid("\xe6\x95", 2, 1));
	free(gb);
}

static void test_gb18030_and_bom_decode_alike(void **state)
{
	const char *text = "教室,教师姓名\n三年级二班,张伟\n";
	char bom[128];
	size_t len;
	char *gb = to_gb18030(text, &len);
	struct collect a = { 0 }, b = { 0 };
	enum csvin_charset cs;

	assert_int_equal(csvin_parse_buf("gb.csv", gb, len, collect_cb, &a, &cs, NULL), 0);
	assert_int_equal(cs, CSVIN_GB18030);
	snprintf(bom, sizeof(bom), "\xef\xbb\xbf%s", text);
	assert_int_equal(csvin_parse_buf("bom.csv", bom, strlen(bom), collect_cb, &b, &cs,
	    NULL), 0);
	assert_int_equal(cs, CSVIN_UTF8_BOM);
	assert_int_equal(a.n, 2);
	assert_int_equal(b.n, 2);
	/* The BOM is not part of the first header. */
	assert_string_equal(b.cells[0][0], "教室");
	for (size_t r = 0; r < 2; r++)
		for (size_t i = 0; i < 2; i++)
			assert_string_equal(a.cells[r][i], b.cells[r][i]);
	assert_string_equal(a.cells[1][1], "张伟");
	free(gb);
}

static void test_line_numbers(void **state)
{
	/* Record 2 spans lines 2-3 (quoted newline); line 4 is blank. */
	const char *text = "a,b\r\n\"x\ny\",2\r\n\r\n\"q,\"\"r\"\"\",3\n";
	struct collect c = { 0 };

	assert_int_equal(csvin_parse_buf("t.csv", text, strlen(text), collect_cb, &c, NULL,
	    NULL), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.lines[0], 1);
	assert_int_equal(c.lines[1], 2);
	assert_string_equal(c.cells[1][0], "x\ny");
	assert_int_equal(c.lines[2], 5);
	assert_string_equal(c.cells[2][0], "q,\"r\"");
}

static void test_bad_input(void **state)
{
	struct collect c = { 0 };
	struct bbt_error e;
	const char *bad_quote = "a,b\nok,1\n\"unterminated,2\n";
	/* 0x80 alone and 0xff are valid in neither UTF-8 nor GB18030. */
	const char *bad_bytes = "a,b\nx,y\n\xff\xff,1\n";

	assert_int_equal(csvin_parse_buf("q.csv", bad_quote, strlen(bad_quote), collect_cb,
	    &c, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "q.csv:3:"));
	assert_int_equal(csvin_parse_buf("b.csv", bad_bytes, strlen(bad_bytes), collect_cb,
	    &c, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "b.csv:3:"));
	assert_int_equal(csvin_parse_buf("n.csv", "a\nb\0c\n", 6, collect_cb, &c, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "n.csv:2: NUL"));
}

static const char *tt_zh =
    "学校代码,教室,星期,开始时间,结束时间,教师工号,教师姓名,学科,备注\n"
    "610102001,三年级二班,1,08:00,08:45,T001,张伟,语文,\n"
    "610102001,三年级二班,周二,8:55,9:40,T002,李娜,数学,\n"
    "610102001,三年级一班,星期日,14:00:00,14:45:00,T003,王芳,英语,\n"
    ",,,,,,,,\n";

static void test_timetable_chinese_gbk(void **state)
{
	size_t len;
	char *gb = to_gb18030(tt_zh, &len);
	struct timetable tt;
	struct bbt_error e;
	const char **schools;

	assert_int_equal(timetable_parse_buf("tt.csv", gb, len, &tt, &e), 0);
	assert_int_equal(tt.n, 3);
	assert_string_equal(tt.slots[0].room, "三年级二班");
	assert_int_equal(tt.slots[0].weekday, 1);
	assert_int_equal(tt.slots[0].start_min, 8 * 60);
	assert_int_equal(tt.slots[0].end_min, 8 * 60 + 45);
	assert_string_equal(tt.slots[1].teacher_name, "李娜");
	assert_int_equal(tt.slots[1].weekday, 2);
	assert_int_equal(tt.slots[1].start_min, 8 * 60 + 55);
	assert_int_equal(tt.slots[2].weekday, 7);
	assert_int_equal(tt.slots[2].end_min, 14 * 60 + 45);
	assert_int_equal(tt.slots[2].line, 4);
	assert_string_equal(tt.slots[2].subject, "英语");
	assert_int_equal(timetable_schools(&tt, &schools), 1);
	assert_string_equal(schools[0], "610102001");
	free(schools);
	timetable_free(&tt);
	free(gb);
}

static void test_timetable_english_any_order(void **state)
{
	const char *text = "\xef\xbb\xbfteacher_id,Room,school,weekday,start,end\n"
	    "T9, 301 ,S1,Fri,07:30,24:00\n";
	struct timetable tt;

	assert_int_equal(timetable_parse_buf("en.csv", text, strlen(text), &tt, NULL), 0);
	assert_int_equal(tt.n, 1);
	assert_string_equal(tt.slots[0].room, "301");
	assert_string_equal(tt.slots[0].teacher_name, "T9");	/* defaults to the id */
	assert_int_equal(tt.slots[0].weekday, 5);
	assert_int_equal(tt.slots[0].end_min, 1440);
	timetable_free(&tt);
}

static void expect_bad(const char *rows, const char *want)
{
	char text[1024];
	struct timetable tt;
	struct bbt_error e;

	snprintf(text, sizeof(text), "school,room,weekday,start,end,teacher_id\n"
	    "S1,R1,1,08:00,08:45,T1\n%s", rows);
	assert_int_equal(timetable_parse_buf("bad.csv", text, strlen(text), &tt, &e), -1);
	if (strstr(e.msg, want) == NULL)
		fail_msg("error '%s' lacks '%s'", e.msg, want);
	/* Nothing of the file survives a bad row. */
	assert_int_equal(tt.n, 0);
	assert_null(tt.slots);
}

static void test_timetable_bad_rows(void **state)
{
	struct timetable tt;
	struct bbt_error e;
	const char *hdr = "school,room,start,end,teacher_id\n";

	expect_bad("S1,R1,8,08:00,08:45,T1\n", "bad.csv:3: weekday '8'");
	expect_bad("S1,R1,1,09:00,08:45,T1\n", "bad.csv:3: end 08:45 is not after start 09:00");
	expect_bad("S1,R1,1,09:00,09:00,T1\n", "bad.csv:3: end");
	expect_bad("S1,R1,1,8h,09:00,T1\n", "bad.csv:3: start '8h'");
	expect_bad("S1,R1,1,08:00,25:00,T1\n", "bad.csv:3: end '25:00'");
	expect_bad("\n\nS1,,1,08:00,09:00,T1\n", "bad.csv:5: empty room");
	expect_bad("S1,R1,1,08:00,09:00,\n", "bad.csv:3: empty teacher_id");
	assert_int_equal(timetable_parse_buf("h.csv", hdr, strlen(hdr), &tt, &e), -1);
	assert_non_null(strstr(e.msg, "h.csv:1: header lacks the column 'weekday' (星期)"));
	assert_int_equal(timetable_parse_buf("e.csv", "", 0, &tt, &e), -1);
	assert_non_null(strstr(e.msg, "empty"));
}

static void test_weekday_and_time(void **state)
{
	const char *days[] = { "1", "周一", "星期二", "礼拜三", "四", "Friday", "sat", "周日",
		"星期天" };
	const int want[] = { 1, 1, 2, 3, 4, 5, 6, 7, 7 };

	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		assert_int_equal(timetable_weekday_parse(days[i]), want[i]);
	assert_int_equal(timetable_weekday_parse("0"), -1);
	assert_int_equal(timetable_weekday_parse("周八"), -1);
	assert_int_equal(timetable_weekday_parse("12"), -1);
	assert_int_equal(timetable_time_parse("8:05"), 485);
	assert_int_equal(timetable_time_parse("08：05"), 485);
	assert_int_equal(timetable_time_parse("08:05:00"), 485);
	assert_int_equal(timetable_time_parse("08:05:30"), -1);
	assert_int_equal(timetable_time_parse("08:60"), -1);
	assert_int_equal(timetable_time_parse("8:5"), -1);
	assert_int_equal(timetable_time_parse("24:01"), -1);
	assert_int_equal(timetable_time_parse(""), -1);
}

/* UTF-8 -> UTF-16 of the given endianness with a BOM, as Excel's "Unicode
 * text" saves it; *len bytes. */
static char *to_utf16(const char *utf8, int big, size_t *len)
{
	iconv_t cd = iconv_open(big ? "UTF-16BE" : "UTF-16LE", "UTF-8");
	size_t in_left = strlen(utf8), out_left = in_left * 4 + 4;
	char *out = calloc(1, out_left + 2), *o = out + 2, *in = (char *)utf8;

	assert_true(cd != (iconv_t)-1);
	memcpy(out, big ? "\xfe\xff" : "\xff\xfe", 2);
	assert_true(iconv(cd, &in, &in_left, &o, &out_left) != (size_t)-1);
	iconv_close(cd);
	*len = (size_t)(o - out);
	return out;
}

static const char *tt_short =
    "school,room,weekday,start,end,teacher_id,teacher_name,subject\n"
    "S1,R1,1,08:00,08:45,T1,甲,语文\n"
    "S1,R1,2,08:00\n";

static void test_utf16_accepted(void **state)
{
	/* Excel "Unicode text": UTF-16LE, BOM, TAB-separated; and a comma CSV in
	 * UTF-16BE. Both read like the UTF-8 file. */
	const char *tsv = "学校代码\t教室\t星期\t开始时间\t结束时间\t教师工号\t教师姓名\n"
	    "0012\t三年级二班\t周一\t08:00\t08:45\t007\t张 伟\n";
	const char *csv = "school,room,weekday,start,end,teacher_id\nS1,R1,1,08:00,08:45,T1\n";
	struct timetable tt;
	struct bbt_error e;
	enum csvin_charset cs;
	struct collect c = { 0 };
	size_t len;
	char *b;

	b = to_utf16(tsv, 0, &len);
	assert_int_equal(csvin_parse_buf("u.txt", b, len, collect_cb, &c, &cs, &e), 0);
	assert_int_equal(cs, CSVIN_UTF16);
	assert_string_equal(csvin_charset_name(cs), "UTF-16");
	assert_int_equal(c.nf[1], 7);
	assert_string_equal(c.cells[1][0], "0012");
	assert_int_equal(timetable_parse_buf("u.txt", b, len, &tt, &e), 0);
	assert_int_equal(tt.n, 1);
	assert_string_equal(tt.slots[0].school, "0012");
	assert_string_equal(tt.slots[0].teacher_name, "张 伟");	/* a space is kept */
	assert_int_equal(tt.slots[0].line, 2);
	timetable_free(&tt);
	free(b);
	b = to_utf16(csv, 1, &len);
	assert_int_equal(timetable_parse_buf("be.csv", b, len, &tt, &e), 0);
	assert_int_equal(tt.n, 1);
	assert_string_equal(tt.slots[0].teacher_id, "T1");
	timetable_free(&tt);
	free(b);
	/* errors keep their line numbers */
	b = to_utf16(tt_short, 0, &len);
	assert_int_equal(timetable_parse_buf("s16.csv", b, len, &tt, &e), -1);
	assert_non_null(strstr(e.msg, "s16.csv:3: 4 columns, expected 8"));
	free(b);
}

static void expect_not_csv(const char *bytes, size_t len, const char *want)
{
	struct timetable tt;
	struct schedule sc;
	struct bbt_error e;

	assert_int_equal(timetable_parse_buf("x.csv", bytes, len, &tt, &e), -1);
	if (strstr(e.msg, want) == NULL || strstr(e.msg, "CSV UTF-8 (逗号分隔)") == NULL)
		fail_msg("timetable: '%s' lacks '%s' and what to do", e.msg, want);
	assert_int_equal(schedule_parse_buf("x.csv", bytes, len, 2026, &sc, &e), -1);
	if (strstr(e.msg, want) == NULL || strstr(e.msg, "CSV UTF-8 (逗号分隔)") == NULL)
		fail_msg("schedule: '%s' lacks '%s' and what to do", e.msg, want);
}

static void test_not_csv_named(void **state)
{
	static const char xlsx[] = "PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0[Content_Types].xml";
	static const char xls[] = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0\0\0\0\0\0\0";
	size_t len;
	char *b = to_utf16(tt_short, 0, &len);

	expect_not_csv(xlsx, sizeof(xlsx) - 1, "x.csv: this is an Excel workbook (.xlsx)");
	expect_not_csv(xls, sizeof(xls) - 1, "x.csv: this is an old Excel/WPS workbook (.xls");
	/* UTF-16 whose BOM was lost */
	expect_not_csv(b + 2, len - 2, "x.csv: this is UTF-16 text without a byte order mark");
	free(b);
}

static void test_fullwidth_times_both_importers(void **state)
{
	const char *tt_text = "school,room,weekday,start,end,teacher_id\n"
	    "S1,R1,１,８：００,０８：４５,T1\nS1,R1,周５,　9：05 ,10:00,T1\n";
	const char *sc_text = "序号,单位,开课时间\n1,S1,12月10日 ８：００-０８：４５\n";
	char folded[64];
	struct timetable tt;
	struct schedule sc;
	struct bbt_error e;

	assert_int_equal(csvin_fold_width("８：００＠Ａｚ　!", folded, sizeof(folded)), 0);
	assert_string_equal(folded, "8:00@Az !");
	assert_int_equal(csvin_fold_width("12345", folded, 5), -1);
	assert_int_equal(timetable_time_parse("８：００"), 480);
	assert_int_equal(timetable_weekday_parse("７"), 7);
	assert_int_equal(timetable_parse_buf("fw.csv", tt_text, strlen(tt_text), &tt, &e), 0);
	assert_int_equal(tt.n, 2);
	assert_int_equal(tt.slots[0].weekday, 1);
	assert_int_equal(tt.slots[0].start_min, 480);
	assert_int_equal(tt.slots[0].end_min, 525);
	assert_int_equal(tt.slots[1].weekday, 5);
	assert_int_equal(tt.slots[1].start_min, 545);
	timetable_free(&tt);
	assert_int_equal(schedule_parse_buf("fw.csv", sc_text, strlen(sc_text), 2026, &sc, &e),
	    0);
	assert_int_equal(sc.n, 1);
	assert_int_equal(sc.v[0].start_min, 480);
	assert_int_equal(sc.v[0].end_min, 525);
	schedule_free(&sc);
}

static void test_short_rows(void **state)
{
	const char *sc_text = "序号,授课类型,学科,单位,开课时间\n1,示范课,语文\n";
	const char *ok_text = "school,room,weekday,start,end,teacher_id,teacher_name,subject\n"
	    "S1,R1,1,08:00,08:45,T1\n";
	struct timetable tt;
	struct schedule sc;
	struct bbt_error e;

	assert_int_equal(timetable_parse_buf("s.csv", tt_short, strlen(tt_short), &tt, &e), -1);
	assert_non_null(strstr(e.msg, "s.csv:3: 4 columns, expected 8 (no end, teacher_id, "
	    "teacher_name, subject;"));
	assert_null(strstr(e.msg, "empty"));
	/* optional cells left off the end are fine */
	assert_int_equal(timetable_parse_buf("ok.csv", ok_text, strlen(ok_text), &tt, &e), 0);
	assert_int_equal(tt.n, 1);
	timetable_free(&tt);
	assert_int_equal(schedule_parse_buf("s.csv", sc_text, strlen(sc_text), 2026, &sc, &e),
	    -1);
	assert_non_null(strstr(e.msg, "s.csv:2: 3 columns, expected 5 (no 单位, 开课时间;"));
}

static void test_header_and_width(void **state)
{
	static const struct csvin_column cols[3] = {
		{ "school", "学校代码", 1 }, { "room", NULL, 1 }, { "note", NULL, 0 },
	};
	char a[] = " Room ", b[] = "学校代码", c[] = "note", d[] = "extra";
	char *hdr[] = { a, b, c, d }, *twice[] = { b, b }, *lack[] = { c };
	long idx[3];
	size_t ncols = 0;
	struct bbt_error e;

	assert_int_equal(csvin_map_header(cols, 3, 4, hdr, idx, &ncols, &e), 0);
	assert_int_equal(ncols, 4);
	assert_int_equal(idx[0], 1);		/* by its other name */
	assert_int_equal(idx[1], 0);		/* trimmed, ASCII case folded */
	assert_int_equal(idx[2], 2);
	ncols = 0;
	assert_int_equal(csvin_map_header(cols, 3, 2, twice, idx, &ncols, &e), -1);
	assert_string_equal(e.msg, "column '学校代码' appears twice");
	assert_int_equal(ncols, 0);
	assert_int_equal(csvin_map_header(cols, 3, 1, lack, idx, &ncols, &e), -1);
	assert_string_equal(e.msg, "header lacks the column 'school' (学校代码)");
	/* Widths under the 4-cell header: a row without the trailing optional
	 * note (and the unknown column) is fine; one without school is not. */
	idx[0] = 1; idx[1] = 0; idx[2] = 2;
	assert_int_equal(csvin_check_width(cols, 3, idx, 4, 4, &e), 0);
	assert_int_equal(csvin_check_width(cols, 3, idx, 4, 5, &e), 0);
	assert_int_equal(csvin_check_width(cols, 3, idx, 4, 2, &e), 0);
	assert_int_equal(csvin_check_width(cols, 3, idx, 4, 1, &e), -1);
	/* Every column it lacks is named, optional ones too. */
	assert_string_equal(e.msg, "1 columns, expected 4 (no school, note; a row cut short, "
	    "or a cell missing its comma)");
	idx[0] = 3;
	assert_int_equal(csvin_check_width(cols, 3, idx, 4, 3, &e), -1);
	assert_string_equal(e.msg, "3 columns, expected 4 (no school; a row cut short, or a "
	    "cell missing its comma)");
}

static void test_cells(void **state)
{
	static const struct csvin_column cols[2] = { { "school", NULL, 1 }, { "note", NULL, 0 } };
	static const int need[] = { 0 };
	char a[] = "  S1 ", b[] = "", *row[] = { a, b };
	const long idx[2] = { 0, 5 };
	const char *v[2], *blank[2] = { "", "" };
	char dst[4];
	struct bbt_error e;

	v[0] = csvin_cell(idx, 0, 2, row);
	v[1] = csvin_cell(idx, 1, 2, row);	/* past the row: "" */
	assert_string_equal(v[0], "S1");
	assert_string_equal(v[1], "");
	assert_int_equal(csvin_row_empty(v, 2), 0);
	assert_int_equal(csvin_row_empty(blank, 2), 1);
	assert_int_equal(csvin_require(cols, v, need, 1, &e), 0);
	assert_int_equal(csvin_require(cols, blank, need, 1, &e), -1);
	assert_string_equal(e.msg, "empty school");
	assert_int_equal(csvin_copy(dst, sizeof(dst), "abc", &cols[1], &e), 0);
	assert_string_equal(dst, "abc");
	assert_int_equal(csvin_copy(dst, sizeof(dst), "abcd", &cols[1], &e), -1);
	assert_string_equal(e.msg, "note longer than 3 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_and_width),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_gb18030_and_bom_decode_alike),
		cmocka_unit_test(test_line_numbers),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_timetable_chinese_gbk),
		cmocka_unit_test(test_timetable_english_any_order),
		cmocka_unit_test(test_timetable_bad_rows),
		cmocka_unit_test(test_weekday_and_time),
		cmocka_unit_test(test_utf16_accepted),
		cmocka_unit_test(test_not_csv_named),
		cmocka_unit_test(test_fullwidth_times_both_importers),
		cmocka_unit_test(test_short_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
