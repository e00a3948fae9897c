/*
 * Unit tests of the log file (bbt_log_to_file), the Windows service's log:
 * it rotates exactly before the line that would take it past the bound,
 * PATH.1 then holds the lines just before, so the two files together are
 * every line since PATH.1 began, in order, with no gap at any rotation;
 * only the copy before that is gone. A line longer than the bound gets a
 * file of its own; a PATH.1 that cannot be replaced empties PATH instead,
 * with a line saying so; NULL goes back to stderr and a reopen appends.
 * Files under a mkdtemp directory; cross-built, the same run under wine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bbt_file.h"
#include "bbt_log.h"

#define MAX 1000

static char dir[] = "/tmp/bbt-log-test.XXXXXX";
static char path[128], old[132];

/* The file's contents ("" if it does not exist); free(). */
static char *slurp(const char *p, size_t *len)
{
	struct bbt_error e;
	char *buf;

	if (access(p, F_OK) < 0) {
		*len = 0;
		return strdup("");
	}
	assert_int_equal(bbt_file_read(p, 1 << 20, &buf, len, &e), 0);
	return buf;
}

/* The numbers of the "n=%06d" lines of text, in order, into seq. */
static size_t numbers(const char *text, int *seq, size_t max)
{
	size_t n = 0;

	for (const char *s = text; (s = strstr(s, "n=")) != NULL && n < max; s += 2)
		seq[n++] = atoi(s + 2);
	return n;
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/agent.log", dir);
	snprintf(old, sizeof(old), "%s.1", path);
	bbt_log_init("bbt-test", BBT_LOG_INFO);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	bbt_log_to_file(NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void reset(void)
{
	bbt_log_to_file(NULL, 0);
	remove(path);
	remove(old);
	rmdir(old);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(old, F_OK), -1);
}

static void test_rotates_at_the_bound(void **state)
{
	size_t len, len1, line, per_file;
	char *a, *b;
	int seq[400];
	size_t n;

	reset();
	assert_int_equal(bbt_log_to_file(path, MAX), 0);
	log_info("n=%06d", 0);
	a = slurp(path, &line);
	free(a);
	/* "2026-12-03T14:20:05+08:00 bbt-test: info: n=000000\n" */
	assert_true(line > 40 && line < 80);
	per_file = MAX / line;
	for (size_t i = 1; i < per_file; i++)
		log_info("n=%06zu", i);
	a = slurp(path, &len);
	assert_int_equal(len, per_file * line);	/* full, at most MAX */
	assert_true(len <= MAX && len + line > MAX);
	assert_int_equal(access(old, F_OK), -1);	/* not rotated yet */
	free(a);
	log_info("n=%06zu", per_file);		/* would pass MAX: rotates first */
	a = slurp(old, &len1);
	b = slurp(path, &len);
	assert_int_equal(len1, per_file * line);
	assert_int_equal(len, line);
	assert_int_equal(numbers(a, seq, 400), per_file);
	for (size_t i = 0; i < per_file; i++)
		assert_int_equal(seq[i], (int)i);
	assert_int_equal(numbers(b, seq, 400), 1);
	assert_int_equal(seq[0], (int)per_file);
	free(a);
	free(b);

	/* Many rotations later: .1 then PATH are one run of consecutive
	 * lines ending at the last one, .1 starting at a file boundary. */
	for (size_t i = per_file + 1; i < 7 * per_file + 3; i++)
		log_info("n=%06zu", i);
	a = slurp(old, &len1);
	b = slurp(path, &len);
	assert_true(len1 <= MAX && len <= MAX);
	n = numbers(a, seq, 400);
	assert_int_equal(n, per_file);
	n += numbers(b, seq + n, 400 - n);
	assert_int_equal(n, per_file + 3);
	assert_int_equal(seq[0], (int)(6 * per_file));
	for (size_t i = 1; i < n; i++)
		assert_int_equal(seq[i], seq[i - 1] + 1);
	assert_int_equal(seq[n - 1], (int)(7 * per_file + 2));
	free(a);
	free(b);
}

static void test_reopen_appends_and_null_is_stderr(void **state)
{
	size_t len, len2;
	char *a;
	int seq[8];

	reset();
	assert_int_equal(bbt_log_to_file(path, MAX), 0);
	log_warn("n=%06d", 1);
	assert_int_equal(bbt_log_to_file(NULL, 0), 0);
	log_warn("n=%06d to stderr", 2);
	a = slurp(path, &len);
	free(a);
	assert_int_equal(bbt_log_to_file(path, MAX), 0);
	log_err("n=%06d", 3);
	a = slurp(path, &len2);
	assert_int_equal(numbers(a, seq, 8), 2);
	assert_int_equal(seq[0], 1);
	assert_int_equal(seq[1], 3);
	assert_non_null(strstr(a, "bbt-test: error: n=000003\n"));
	assert_true(len2 > len);
	free(a);
	/* A path that cannot be opened: -1, and the lines stay on stderr. */
	assert_int_equal(bbt_log_to_file("/nonexistent-dir/x/agent.log", MAX), -1);
	log_warn("n=%06d to stderr", 4);
}

static void test_long_line_and_unrenamable(void **state)
{
	char big[1500], *a, *b;
	size_t len, len1;
	int seq[8];

	reset();
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(bbt_log_to_file(path, MAX), 0);
	log_info("n=%06d", 1);
	log_info("n=%06d %s", 2, big);		/* longer than MAX: its own file */
	a = slurp(old, &len1);
	b = slurp(path, &len);
	assert_int_equal(numbers(a, seq, 8), 1);
	assert_int_equal(seq[0], 1);
	assert_true(len > MAX);
	assert_non_null(strstr(b, "n=000002 xxx"));
	free(a);
	free(b);
	log_info("n=%06d", 3);
	a = slurp(old, &len1);
	assert_non_null(strstr(a, "n=000002 xxx"));
	free(a);

	/* PATH.1 cannot be replaced (a directory): PATH is emptied, says so,
	 * and stays within the bound. */
	reset();
	assert_int_equal(mkdir(old, 0700), 0);
	assert_int_equal(bbt_log_to_file(path, 200), 0);
	log_info("n=%06d", 1);
	log_info("n=%06d", 2);
	log_info("n=%06d", 3);
	log_info("n=%06d", 4);
	b = slurp(path, &len);
	assert_non_null(strstr(b, "could not rename the log"));
	assert_true(len <= 200);
	assert_true(numbers(b, seq, 8) >= 1);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotates_at_the_bound),
		cmocka_unit_test(test_reopen_appends_and_null_is_stderr),
		cmocka_unit_test(test_long_line_and_unrenamable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
