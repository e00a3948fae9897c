/* Unit tests of csvin (charsets, line numbers, quoting) and timetable
 * (headers in English and Chinese, row validation, all-or-nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iconv.h>
#include <cmocka.h>

#include "csvin.h"
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
	assert_false(csvin_utf8_valid((const unsigned char *)"\xc0\xaf", 2));
	assert_false(csvin_utf8_valid((const unsigned char *)"\xed\xa0\x80", 3));
	assert_false(csvin_utf8_valid((const unsigned char *)"\xe6\x95", 2));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_gb18030_and_bom_decode_alike),
		cmocka_unit_test(test_line_numbers),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_timetable_chinese_gbk),
		cmocka_unit_test(test_timetable_english_any_order),
		cmocka_unit_test(test_timetable_bad_rows),
		cmocka_unit_test(test_weekday_and_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
