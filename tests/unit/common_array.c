/* Unit tests of the array grower (bbt_grow): growth from NULL keeps the
 * elements, capacity doubles, a need the array already holds does nothing,
 * and a count whose byte size would wrap SIZE_MAX fails with EOVERFLOW and
 * leaves the array and its capacity as they were. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "bbt_array.h"

struct item {
	int64_t a, b;
};

static void test_grow_keeps_items(void **state)
{
	struct item *v = NULL;
	size_t cap = 0, n;

	for (n = 0; n < 1000; n++) {
		assert_int_equal(bbt_grow(&v, &cap, n + 1, sizeof(*v)), 0);
		assert_true(cap >= n + 1);
		v[n].a = (int64_t)n;
		v[n].b = -(int64_t)n;
	}
	assert_int_equal(cap, 1024);		/* 8, 16, ... doubling */
	for (n = 0; n < 1000; n++)
		assert_true(v[n].a == (int64_t)n && v[n].b == -(int64_t)n);
	free(v);
}

static void test_no_op_and_first(void **state)
{
	char *p = NULL;
	size_t cap = 0;

	assert_int_equal(bbt_grow(&p, &cap, 0, 1), 0);
	assert_null(p);
	assert_int_equal(bbt_grow(&p, &cap, 100, 1), 0);
	assert_int_equal(cap, 128);
	p[99] = 'x';
	assert_int_equal(bbt_grow(&p, &cap, 50, 1), 0);	/* already holds it */
	assert_int_equal(cap, 128);
	assert_int_equal(p[99], 'x');
	free(p);
}

static void test_overflow(void **state)
{
	struct item *v = NULL;
	size_t cap = 0;

	assert_int_equal(bbt_grow(&v, &cap, 4, sizeof(*v)), 0);
	v[3].a = 42;
	errno = 0;
	/* need * 16 wraps to a small number: it must not be allocated. */
	assert_int_equal(bbt_grow(&v, &cap, SIZE_MAX / 8, sizeof(*v)), -1);
	assert_int_equal(errno, EOVERFLOW);
	assert_int_equal(bbt_grow(&v, &cap, (SIZE_MAX / sizeof(*v)) + 1, sizeof(*v)), -1);
	assert_int_equal(errno, EOVERFLOW);
	assert_int_equal(cap, 8);
	assert_int_equal(v[3].a, 42);
	assert_int_equal(bbt_grow(&v, &cap, 1, 0), 0);	/* held already */
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_keeps_items),
		cmocka_unit_test(test_no_op_and_first),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
