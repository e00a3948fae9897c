/* Unit tests of the one UTF-8 decoder (bbt_utf8_char, bbt_utf8_valid): each
 * length at its least and greatest code point, and every invalid form:
 * overlong, surrogate, past U+10FFFF, stray continuation, bad lead byte,
 * a sequence cut short, and NUL where text is wanted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bbt_utf8.h"

static size_t one(const char *s, size_t len, uint32_t *cp)
{
	return bbt_utf8_char((const unsigned char *)s, len, cp);
}

static void test_each_length(void **state)
{
	uint32_t cp = 0;

	assert_int_equal(one("A", 1, &cp), 1);
	assert_int_equal(cp, 0x41);
	assert_int_equal(one("\0", 1, &cp), 1);
	assert_int_equal(cp, 0);
	assert_int_equal(one("\xc2\x80", 2, &cp), 2);
	assert_int_equal(cp, 0x80);
	assert_int_equal(one("\xdf\xbf", 2, &cp), 2);
	assert_int_equal(cp, 0x7ff);
	assert_int_equal(one("\xe0\xa0\x80", 3, &cp), 3);
	assert_int_equal(cp, 0x800);
	assert_int_equal(one("\xe4\xb8\x89", 3, &cp), 3);	/* 三 */
	assert_int_equal(cp, 0x4e09);
	assert_int_equal(one("\xef\xbf\xbf", 3, &cp), 3);
	assert_int_equal(cp, 0xffff);
	assert_int_equal(one("\xf0\x90\x80\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x10000);
	assert_int_equal(one("\xf4\x8f\xbf\xbf", 4, &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	assert_int_equal(one("\xe4\xb8\x89", 3, NULL), 3);
}

static void test_overlong(void **state)
{
	assert_int_equal(one("\xc0\xaf", 2, NULL), 0);
	assert_int_equal(one("\xc1\xbf", 2, NULL), 0);
	assert_int_equal(one("\xe0\x80\xaf", 3, NULL), 0);
	assert_int_equal(one("\xe0\x9f\xbf", 3, NULL), 0);
	assert_int_equal(one("\xf0\x80\x80\xaf", 4, NULL), 0);
	assert_int_equal(one("\xf0\x8f\xbf\xbf", 4, NULL), 0);
}

static void test_surrogates_and_range(void **state)
{
	assert_int_equal(one("\xed\xa0\x80", 3, NULL), 0);	/* U+D800 */
	assert_int_equal(one("\xed\xbf\xbf", 3, NULL), 0);	/* U+DFFF */
	assert_int_equal(one("\xed\x9f\xbf", 3, NULL), 3);	/* U+D7FF */
	assert_int_equal(one("\xee\x80\x80", 3, NULL), 3);	/* U+E000 */
	assert_int_equal(one("\xf4\x90\x80\x80", 4, NULL), 0);	/* U+110000 */
	assert_int_equal(one("\xf5\x80\x80\x80", 4, NULL), 0);
	assert_int_equal(one("\xf7\xbf\xbf\xbf", 4, NULL), 0);
	assert_int_equal(one("\xff", 1, NULL), 0);
	assert_int_equal(one("\xfe", 1, NULL), 0);
}

static void test_truncated_and_stray(void **state)
{
	assert_int_equal(one("\xe4\xb8\x89", 2, NULL), 0);	/* cut by the length */
	assert_int_equal(one("\xe4\xb8", 2, NULL), 0);
	assert_int_equal(one("\xf0\x9f\x98", 3, NULL), 0);
	assert_int_equal(one("\xc2", 1, NULL), 0);
	assert_int_equal(one("\xe4\x00\x89", 3, NULL), 0);	/* NUL in the middle */
	assert_int_equal(one("\xe4\xb8" "A", 3, NULL), 0);	/* ASCII in the middle */
	assert_int_equal(one("\x80", 1, NULL), 0);		/* stray continuation */
	assert_int_equal(one("\xbf\xbf", 2, NULL), 0);
}

static void test_valid(void **state)
{
	assert_true(bbt_utf8_valid("", 0, 0));
	assert_true(bbt_utf8_valid("plain", 5, 0));
	assert_true(bbt_utf8_valid("三年级二班", strlen("三年级二班"), 0));
	assert_true(bbt_utf8_valid("\xf0\x9f\x98\x80 ok", 7, 0));
	assert_false(bbt_utf8_valid("a\0b", 3, 0));
	assert_true(bbt_utf8_valid("a\0b", 3, 1));
	assert_false(bbt_utf8_valid("ok\xc0\xaf", 4, 1));
	assert_false(bbt_utf8_valid("ok\xed\xa0\x80", 5, 1));
	assert_false(bbt_utf8_valid("ok\xe4\xb8", 4, 1));	/* truncated at the end */
	assert_false(bbt_utf8_valid("\xf4\x90\x80\x80", 4, 1));
	/* The length, not a NUL, ends the input. */
	assert_true(bbt_utf8_valid("\xe4\xb8\x89zzz", 3, 0));
	assert_false(bbt_utf8_valid("\xe4\xb8\x89zzz", 2, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_length),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_surrogates_and_range),
		cmocka_unit_test(test_truncated_and_stray),
		cmocka_unit_test(test_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
