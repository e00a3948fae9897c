/*
 * Unit tests of agent/enroll.c's hw_id (CONTRACT 4.4 identity): the order of
 * its sources (state-dir file the postinst wrote, DMI product UUID, board
 * serial, machine-id), the firmware placeholders each one skips, and that
 * the state file hashes like the product UUID it holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "enroll.h"

static char dir[] = "/tmp/bbt-hwid-test.XXXXXX";
static char f_state[300], f_uuid[300], f_serial[300], f_mid[300];

static void put(const char *path, const char *text)
{
	FILE *f;

	if (text == NULL) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* What hw_id must be for source name and value. */
static void expected(const char *name, const char *value, char out[ENROLL_HW_ID_LEN])
{
	unsigned char md[32];
	unsigned int n = 0;
	char in[320];

	snprintf(in, sizeof(in), "bbt-hw-id/1 %s %s", name, value);
	assert_int_equal(EVP_Digest(in, strlen(in), md, &n, EVP_sha256(), NULL), 1);
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void setup_files(const char *state, const char *uuid, const char *serial,
    const char *mid)
{
	put(f_state, state);
	put(f_uuid, uuid);
	put(f_serial, serial);
	put(f_mid, mid);
}

static const char *hw(char out[ENROLL_HW_ID_LEN])
{
	struct enroll_hw_paths p = { f_state, f_uuid, f_serial, f_mid };
	struct bbt_error e;
	const char *src = NULL;

	if (enroll_hw_id_from(&p, out, &src, &e) < 0)
		return NULL;
	return src;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(f_state, sizeof(f_state), "%s/hw_id", dir);
	snprintf(f_uuid, sizeof(f_uuid), "%s/product_uuid", dir);
	snprintf(f_serial, sizeof(f_serial), "%s/board_serial", dir);
	snprintf(f_mid, sizeof(f_mid), "%s/machine-id", dir);
	unsetenv("BBT_HW_ID");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	setup_files(NULL, NULL, NULL, NULL);
	rmdir(dir);
	return 0;
}

#define UUID "4C4C4544-0042-3510-8052-B4C04F4E3132"
#define UUID_LOW "4c4c4544-0042-3510-8052-b4c04f4e3132"

static void test_state_file_first(void **state)
{
	char got[ENROLL_HW_ID_LEN], want[ENROLL_HW_ID_LEN];

	(void)state;
	setup_files(UUID "\n", "11111111-2222-3333-4444-555555555555\n", "SN123\n",
	    "0123456789abcdef0123456789abcdef\n");
	assert_string_equal(hw(got), "dmi-product-uuid (state dir)");
	expected("dmi-product-uuid", UUID_LOW, want);
	assert_string_equal(got, want);
	/* The same UUID read from sysfs (the agent run as root) is the same id. */
	setup_files(NULL, UUID_LOW "\n", NULL, NULL);
	assert_string_equal(hw(got), "dmi-product-uuid");
	assert_string_equal(got, want);
}

static void test_placeholders_fall_back(void **state)
{
	static const char *const bad[] = {
		"00000000-0000-0000-0000-000000000000\n",
		"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF\n",
		"Not Settable\n", "03000200-0400-0500-0006-000700080009\n",
		"not-a-uuid\n", "\n",
	};
	char got[ENROLL_HW_ID_LEN], want[ENROLL_HW_ID_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* A bad state file: the product UUID read directly. */
		setup_files(bad[i], UUID "\n", "SN123\n", "abc\n");
		assert_string_equal(hw(got), "dmi-product-uuid");
		/* Bad both: the board serial; bad too: the machine id. */
		setup_files(bad[i], bad[i], "SN123\n", "abc\n");
		assert_string_equal(hw(got), "dmi-board-serial");
		expected("dmi-board-serial", "sn123", want);
		assert_string_equal(got, want);
		setup_files(bad[i], bad[i], "To be filled by O.E.M.\n", "ABC\n");
		assert_string_equal(hw(got), "machine-id");
		expected("machine-id", "abc", want);
		assert_string_equal(got, want);
	}
	/* Missing (or unreadable, as for the unprivileged agent): the same order. */
	setup_files(NULL, NULL, NULL, "abc\n");
	assert_string_equal(hw(got), "machine-id");
	setup_files(NULL, NULL, NULL, NULL);
	assert_null(hw(got));
}

static void test_env_overrides(void **state)
{
	char got[ENROLL_HW_ID_LEN], want[ENROLL_HW_ID_LEN];

	(void)state;
	setup_files(UUID "\n", NULL, NULL, NULL);
	setenv("BBT_HW_ID", "Test-Machine", 1);
	assert_string_equal(hw(got), "env");
	unsetenv("BBT_HW_ID");
	expected("env", "test-machine", want);
	assert_string_equal(got, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_file_first),
		cmocka_unit_test(test_placeholders_fall_back),
		cmocka_unit_test(test_env_overrides),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
