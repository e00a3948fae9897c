/*
 * win_platform: the Windows-only platform code (platform_win.c,
 * wincompat_win.c, winutil_win.c), cross-built and run under wine by
 * tests/windows/run.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>

#include "bbt_session.h"
#include "bbt_time.h"
#include "config.h"
#include "platform.h"
#include "platform_win.h"
#include "usbdb.h"
#include "win_util.h"

/* An SMBIOS table: type 0 (with strings), type 1 with the UUID, type 127. */
static size_t smbios_blob(unsigned char *b, unsigned major, unsigned minor,
    const unsigned char uuid[16])
{
	unsigned char *t = b + 8;
	uint32_t len;

	memset(b, 0, 8);
	b[1] = (unsigned char)major;
	b[2] = (unsigned char)minor;
	/* type 0, length 0x18, one string "LENOVO" */
	*t++ = 0; *t++ = 0x18; *t++ = 0; *t++ = 0;
	memset(t, 1, 0x18 - 4); t += 0x18 - 4;
	memcpy(t, "LENOVO\0\0", 8); t += 8;
	/* type 1, length 0x1b, UUID at offset 8, no strings */
	*t++ = 1; *t++ = 0x1b; *t++ = 1; *t++ = 0;
	memset(t, 0, 4); t += 4;
	memcpy(t, uuid, 16); t += 16;
	memset(t, 0, 0x1b - 8 - 16); t += 0x1b - 8 - 16;
	*t++ = 0; *t++ = 0;
	*t++ = 127; *t++ = 4; *t++ = 2; *t++ = 0; *t++ = 0; *t++ = 0;
	len = (uint32_t)(t - (b + 8));
	memcpy(b + 4, &len, 4);
	return (size_t)(t - b);
}

/* A Dell's table bytes; Linux shows its product_uuid as 4c4c4544-0033-... */
static const unsigned char raw_uuid[16] = { 0x44, 0x45, 0x4c, 0x4c, 0x33, 0x00,
	0x10, 0x58, 0x80, 0x48, 0xb2, 0xc0, 0x4f, 0x53, 0x4a, 0x31 };

static void test_smbios_uuid_like_linux(void **state)
{
	unsigned char b[256];
	char out[37];
	size_t n = smbios_blob(b, 3, 0, raw_uuid);

	/* SMBIOS >= 2.6: first three fields little-endian, as the kernel's %pUl. */
	assert_int_equal(platform_win_smbios_uuid(b, n, out), 0);
	assert_string_equal(out, "4c4c4544-0033-5810-8048-b2c04f534a31");
	/* Before 2.6 the kernel prints the bytes in order (%pUb). */
	n = smbios_blob(b, 2, 4, raw_uuid);
	assert_int_equal(platform_win_smbios_uuid(b, n, out), 0);
	assert_string_equal(out, "44454c4c-3300-1058-8048-b2c04f534a31");
}

static void test_smbios_uuid_absent(void **state)
{
	unsigned char b[256], ff[16], zero[16] = { 0 };
	char out[37];
	size_t n;

	memset(ff, 0xff, sizeof(ff));
	n = smbios_blob(b, 3, 0, ff);
	assert_int_equal(platform_win_smbios_uuid(b, n, out), -1);
	n = smbios_blob(b, 3, 0, zero);
	assert_int_equal(platform_win_smbios_uuid(b, n, out), -1);
	assert_int_equal(platform_win_smbios_uuid(b, 5, out), -1);
	b[4] = 0xff;	/* length beyond the blob */
	assert_int_equal(platform_win_smbios_uuid(b, n, out), -1);
}

static void test_classify(void **state)
{
	assert_int_equal(platform_win_classify(0, 0, 0), PLATFORM_INPUT_MOUSE);
	assert_int_equal(platform_win_classify(1, 0, 0), PLATFORM_INPUT_KEYBOARD);
	assert_int_equal(platform_win_classify(2, 0x0d, 0x04), PLATFORM_INPUT_TOUCHSCREEN);
	assert_int_equal(platform_win_classify(2, 0x0d, 0x02), PLATFORM_INPUT_PEN);
	assert_int_equal(platform_win_classify(2, 0x0d, 0x05), PLATFORM_INPUT_TOUCHPAD);
	assert_int_equal(platform_win_classify(2, 0x01, 0x05), PLATFORM_INPUT_OTHER);
}

/* Device paths as Raw Input and SetupAPI give them -> ids -> the same
 * vendor table (firmware-notes/touch-devices.tsv) as `devices` on Linux. */
static void test_ids_from_path(void **state)
{
	static const struct { const char *path, *vid, *pid; } t[] = {
		{ "\\\\?\\HID#VID_1FF7&PID_0013&Col02#7&2e5b1a3c&0&0001#"
		    "{4d1e55b2-f16f-11cf-88cb-001111000030}", "1ff7", "0013" },
		{ "USB\\VID_2101&PID_1011&REV_0100", "2101", "1011" },
		{ "\\\\?\\hid#vid_03eb&pid_211c#6&1&0&0000#{4d1e55b2}", "03eb", "211c" },
		{ "\\\\?\\HID#{00001124-0000-1000-8000-00805f9b34fb}_VID&0002046d_PID&b342"
		    "&Col01#9&1&0000#{378de44c}", "046d", "b342" },
		{ "\\\\?\\HID#ELAN2514&Col01#5&2a0e0c3c&0&0000#{4d1e55b2}", "", "" },
		{ "\\\\?\\HID#VID_12", "", "" },		/* cut short: no partial id */
		{ "HID#VID_ZZZZ&PID_0013", "", "0013" },
		{ "", "", "" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct bbt_input_id id = { .name = "" };

		platform_win_ids_from_path(t[i].path, &id);
		assert_string_equal(id.vid, t[i].vid);
		assert_string_equal(id.pid, t[i].pid);
	}
	/* The CVTouch frame is in the vendor table, as on Linux. */
	{
		struct bbt_input_id id = { .name = "" };
		const struct usbdb_entry *u;

		platform_win_ids_from_path(t[0].path, &id);
		u = usbdb_lookup_str(id.vid, id.pid);
		assert_non_null(u);
		assert_string_equal(usbdb_kind_name(u->kind), "ir_frame");
	}
}

/* What wine enumerates: its one virtual mouse and keyboard, classified. */
static void test_devices_listed(void **state)
{
	struct platform_input *v = NULL;
	struct bbt_error e = { 0 };
	unsigned kinds = 0;
	size_t n = 0;

	assert_int_equal(platform_input_list(&v, &n, &e), 0);
	assert_true(n >= 2);
	for (size_t i = 0; i < n; i++) {
		kinds |= v[i].kinds;
		assert_true(strncmp(v[i].event_name, "raw", 3) == 0);
		assert_true(v[i].kinds != 0);
	}
	assert_true(kinds & PLATFORM_INPUT_MOUSE);
	assert_true(kinds & PLATFORM_INPUT_KEYBOARD);
	free(v);
}

static void test_boot_id_stable(void **state)
{
	char a[BBT_BOOT_ID_LEN], b[BBT_BOOT_ID_LEN];
	struct bbt_error e = { 0 };

	assert_int_equal(platform_boot_id(a, &e), 0);
	assert_true(bbt_uuid_valid(a));
	assert_int_equal(platform_boot_id(b, &e), 0);
	assert_string_equal(a, b);
}

static void test_boottime_counts(void **state)
{
	int64_t a = bbt_clock_boottime_us(), b;

	assert_true(a > 0);
	for (volatile long i = 0; i < 20000000; i++)
		;
	b = bbt_clock_boottime_us();
	assert_true(b >= a);
	assert_true(bbt_clock_realtime_us() > 1700000000LL * 1000000);
}

/* Chinese names through the POSIX wrappers: UTF-8 in, UTF-16 to Windows. */
static void test_utf8_paths(void **state)
{
	char dir[] = "bbt-测试-XXXXXX", f1[128], f2[128], line[64];
	struct stat st;
	FILE *f;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(f1, sizeof(f1), "%s\\三年级二班.txt", dir);
	snprintf(f2, sizeof(f2), "%s\\张老师.txt", dir);
	f = fopen(f1, "we");
	assert_non_null(f);
	fputs("班班通\n", f);
	fclose(f);
	assert_int_equal(stat(f1, &st), 0);
	assert_int_equal((int)st.st_size, (int)strlen("班班通\n"));
	/* rename over an existing file replaces it, as on POSIX */
	f = fopen(f2, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(rename(f1, f2), 0);
	assert_int_equal(access(f1, 0), -1);
	f = fopen(f2, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(line, "班班通\n");
	assert_int_equal(unlink(f2), 0);
	/* mkstemp in a Chinese dir (the device key's temporary file) */
	snprintf(f1, sizeof(f1), "%s\\状态.tmp-XXXXXX", dir);
	fd = mkstemp(f1);
	assert_true(fd >= 0);
	assert_int_equal((int)write(fd, "k", 1), 1);
	close(fd);
	assert_int_equal(stat(f1, &st), 0);
	assert_int_equal((int)st.st_size, 1);
	assert_int_equal(unlink(f1), 0);
	snprintf(f1, sizeof(f1), "%s\\no-template", dir);
	assert_int_equal(mkstemp(f1), -1);
	assert_int_equal(rmdir(dir), 0);
}

/* A timed wait on a CLOCK_MONOTONIC deadline (sync.c's interval and
 * backoff) waits until that deadline, not at once. */
static void test_cond_timedwait_monotonic(void **state)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c;
	pthread_condattr_t ca;
	struct timespec ts;
	int64_t t0 = bbt_clock_boottime_us(), waited;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c, &ca);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += 300000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&m);
	assert_int_equal(pthread_cond_timedwait(&c, &m, &ts), ETIMEDOUT);
	pthread_mutex_unlock(&m);
	waited = bbt_clock_boottime_us() - t0;
	assert_true(waited >= 250000);
	assert_true(waited < 3000000);
	pthread_cond_destroy(&c);
	pthread_condattr_destroy(&ca);
}

static void test_env_utf8(void **state)
{
	assert_int_equal(setenv("BBT_WIN_TEST", "三年级二班", 1), 0);
	assert_string_equal(getenv("BBT_WIN_TEST"), "三年级二班");
	assert_int_equal(unsetenv("BBT_WIN_TEST"), 0);
	assert_null(getenv("BBT_WIN_TEST"));
}

static void test_config_defaults(void **state)
{
	struct agent_config c;
	struct bbt_error e = { 0 };
	const char *pd = getenv("ProgramData");

	assert_non_null(pd);
	unsetenv("BBT_AGENT_CONFIG");
	assert_int_equal(config_load(&c, NULL, NULL, &e), 0);
	assert_true(strncmp(c.state_dir, pd, strlen(pd)) == 0);
	assert_string_equal(c.state_dir + strlen(pd), "\\bbt-agent");
	assert_string_equal(CONFIG_DEFAULT_PATH, "%ProgramData%\\bbt-agent\\agent.conf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smbios_uuid_like_linux),
		cmocka_unit_test(test_smbios_uuid_absent),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_ids_from_path),
		cmocka_unit_test(test_devices_listed),
		cmocka_unit_test(test_boot_id_stable),
		cmocka_unit_test(test_boottime_counts),
		cmocka_unit_test(test_utf8_paths),
		cmocka_unit_test(test_cond_timedwait_monotonic),
		cmocka_unit_test(test_env_utf8),
		cmocka_unit_test(test_config_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
