/* Unit tests of the byte buffer (bbt_buf): appends stay NUL-terminated,
 * a bound refuses the byte past it with E2BIG and leaves the buffer as it
 * was, a bounded buffer never allocates past max + 1, formatted appends,
 * and bbt_buf_need agrees with what an append then does. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bbt_buf.h"

static void test_add(void **state)
{
	struct bbt_buf b = { 0 };
	char big[10000];

	assert_int_equal(bbt_buf_add(&b, "ab", 2), 0);
	assert_int_equal(bbt_buf_add(&b, "", 0), 0);
	assert_int_equal(bbt_buf_add(&b, "c\0d", 3), 0);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.p, "abc\0d", 6);
	memset(big, 'x', sizeof(big));
	assert_int_equal(bbt_buf_add(&b, big, sizeof(big)), 0);
	assert_int_equal(b.len, 10005);
	assert_int_equal(b.p[b.len], '\0');
	assert_true(b.cap >= b.len + 1);
	bbt_buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
}

static void test_bound(void **state)
{
	struct bbt_buf b = { .max = 10 };

	assert_int_equal(bbt_buf_add(&b, "0123456", 7), 0);
	assert_true(b.cap <= 11);		/* never more than max + 1 */
	errno = 0;
	assert_int_equal(bbt_buf_add(&b, "789a", 4), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(b.len, 7);		/* unchanged */
	assert_string_equal(b.p, "0123456");
	assert_int_equal(bbt_buf_add(&b, "789", 3), 0);	/* exactly max */
	assert_string_equal(b.p, "0123456789");
	assert_int_equal(bbt_buf_add(&b, "x", 1), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(bbt_buf_add(&b, "", 0), 0);
	bbt_buf_free(&b);
	assert_int_equal(b.max, 10);		/* the bound outlives the bytes */
	assert_int_equal(bbt_buf_add(&b, "0123456789a", 11), -1);
	assert_null(b.p);
	/* A length that would wrap size_t is refused too. */
	assert_int_equal(bbt_buf_add(&b, "x", SIZE_MAX), -1);
}

static void test_need(void **state)
{
	struct bbt_buf b = { .max = 100000 };

	assert_int_equal(bbt_buf_need(&b, 1), 16384);
	assert_int_equal(bbt_buf_need(&b, 20000), 32768);
	assert_int_equal(bbt_buf_need(&b, 100000), 100001);	/* clamped to max + 1 */
	assert_int_equal(bbt_buf_need(&b, 100001), 0);
	assert_int_equal(bbt_buf_add(&b, "abc", 3), 0);
	assert_int_equal(bbt_buf_need(&b, 10), b.cap);		/* fits as is */
	assert_int_equal(bbt_buf_need(&b, 20000), 32768);
	bbt_buf_free(&b);
	b.max = 4096;		/* a body at its limit takes max + 1, no more */
	assert_int_equal(bbt_buf_need(&b, 4000), 4097);
	b.max = 0;
	assert_int_equal(bbt_buf_need(&b, 1), 4096);
	assert_int_equal(bbt_buf_need(&b, 5000), 8192);
	assert_int_equal(bbt_buf_need(&b, 1 << 20), (1 << 20) * 2);
	assert_int_equal(bbt_buf_need(&b, SIZE_MAX / 2 + 1), 0);
}

static void test_printf(void **state)
{
	struct bbt_buf b = { 0 }, small = { .max = 8 };
	char big[6000];

	assert_int_equal(bbt_buf_printf(&b, "%s=%d;", "a", 42), 0);
	assert_int_equal(bbt_buf_printf(&b, "%lld", -7LL), 0);
	assert_string_equal(b.p, "a=42;-7");
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(bbt_buf_printf(&b, "[%s]", big), 0);	/* grows past 4 KiB */
	assert_int_equal(b.len, 7 + 2 + sizeof(big) - 1);
	assert_int_equal(b.p[b.len - 1], ']');
	bbt_buf_free(&b);
	assert_int_equal(bbt_buf_printf(&small, "%s", "1234"), 0);
	assert_int_equal(bbt_buf_printf(&small, "%d", 12345), -1);
	assert_int_equal(errno, E2BIG);
	assert_string_equal(small.p, "1234");		/* nothing half-written */
	assert_int_equal(small.len, 4);
	bbt_buf_free(&small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_need),
		cmocka_unit_test(test_printf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
