/* Unit tests of the whole-file reader (bbt_file_read): contents come back
 * NUL-terminated with their length, an empty file is an empty string, a
 * file one byte past the bound is refused with nothing returned, and a
 * missing path is named in the message. Files under a mkdtemp directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bbt_file.h"

static char dir[] = "/tmp/bbt-file-test.XXXXXX";

static const char *put(const char *name, const char *data, size_t n)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	return path;
}

static void test_reads_all(void **state)
{
	struct bbt_error e;
	char *buf, *big = malloc(200000);
	size_t len;

	assert_int_equal(bbt_file_read(put("a", "a\0b\n", 4), 100, &buf, &len, &e), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(buf, "a\0b\n", 5);
	free(buf);
	/* Larger than one read chunk. */
	for (size_t i = 0; i < 200000; i++)
		big[i] = (char)('a' + i % 26);
	assert_int_equal(bbt_file_read(put("big", big, 200000), 200000, &buf, &len, &e), 0);
	assert_int_equal(len, 200000);
	assert_memory_equal(buf, big, 200000);
	assert_int_equal(buf[len], '\0');
	free(buf);
	free(big);
}

static void test_empty(void **state)
{
	struct bbt_error e;
	char *buf;
	size_t len = 7;

	assert_int_equal(bbt_file_read(put("empty", "", 0), 10, &buf, &len, &e), 0);
	assert_int_equal(len, 0);
	assert_non_null(buf);
	assert_string_equal(buf, "");
	free(buf);
}

static void test_bound(void **state)
{
	struct bbt_error e;
	char *buf = (char *)1;
	size_t len = 1;

	assert_int_equal(bbt_file_read(put("b", "12345", 5), 5, &buf, &len, &e), 0);
	free(buf);
	assert_int_equal(bbt_file_read(put("b", "123456", 6), 5, &buf, &len, &e), -1);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_non_null(strstr(e.msg, "larger than 5 bytes"));
}

static void test_missing(void **state)
{
	struct bbt_error e;
	char path[128], *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/nothing-here", dir);
	assert_int_equal(bbt_file_read(path, 10, &buf, &len, &e), -1);
	assert_null(buf);
	assert_non_null(strstr(e.msg, "nothing-here"));
	assert_int_equal(bbt_file_read(dir, 10, &buf, &len, &e), -1);	/* a directory */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_all),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_missing),
	};
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	for (const char *n = "a\0big\0empty\0b\0"; *n; n += strlen(n) + 1) {
		char p[128];

		snprintf(p, sizeof(p), "%s/%s", dir, n);
		unlink(p);
	}
	rmdir(dir);
	return rc;
}
