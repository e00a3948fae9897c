/*
 * usb_hotplug: agent/usb.c following a touch frame that is plugged in and
 * pulled out, on a libumockdev testbed (the device appears in the mocked
 * sysfs and /dev/bus/usb and udev announces it, as the kernel would).
 *
 * Must run under umockdev-wrapper (LD_PRELOAD of libumockdev-preload), which
 * tests/integration/usb_hotplug.sh does; argv[1] is the directory of the
 * .umockdev files. Waits are bounded by a generous deadline that only stops
 * a hang: no assertion depends on speed.
 *
 * umockdev issue #173: add_from_file sends the "add" uevent before the
 * binary "descriptors" attribute is written, so libusb may fail to read the
 * new device and drop that event. The test then announces the device once
 * more, exactly what a second uevent from a settling device looks like;
 * usb.c must report the arrival once, whichever of the two got through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <umockdev.h>

#include "hwinfo.h"
#include "usb.h"

#define FRAME_PATH "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2"
#define FRAME_EVENT FRAME_PATH "/1-2:1.0/0003:6615:0070.0001/input/input5/event5"
#define DEADLINE_S 20

static const char *data_dir;

struct seen {
	int arrived, left;
	struct usb_info last;
};

static void on_event(enum usb_event ev, const struct usb_info *info, void *arg)
{
	struct seen *s = arg;

	if (info->vid != 0x6615 || info->pid != 0x0070)
		return;
	if (ev == USB_ARRIVED)
		s->arrived++;
	else
		s->left++;
	s->last = *info;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run libusb events (hotplug mode) or rescans (fallback) until *count >= want. */
static int wait_for(struct usb_ctx *ctx, int hotplug, const int *count, int want)
{
	double end = now_s() + DEADLINE_S;
	struct bbt_error e;

	while (*count < want && now_s() < end) {
		if (hotplug)
			assert_int_equal(usb_handle_events(ctx, 100, &e), 0);
		else
			assert_int_equal(usb_rescan(ctx, &e), 0);
		if (!hotplug && *count < want) {
			struct timespec ts = { 0, 50 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	return *count >= want;
}

/* Let pending events run for a moment, for "nothing more happened" checks. */
static void drain(struct usb_ctx *ctx, int hotplug)
{
	struct bbt_error e;

	for (int i = 0; i < 5; i++) {
		if (hotplug)
			usb_handle_events(ctx, 100, &e);
		else
			usb_rescan(ctx, &e);
	}
}

static void plug_and_pull(int use_hotplug)
{
	UMockdevTestbed *tb = umockdev_testbed_new();
	struct usb_ctx *ctx = NULL;
	struct bbt_error e;
	struct seen s = { 0 };
	char file[1024];
	GError *gerr = NULL;
	int mode;

	snprintf(file, sizeof(file), "%s/irtouch-frame.umockdev", data_dir);
	assert_int_equal(usb_open(&ctx, &e), 0);
	mode = usb_watch(ctx, use_hotplug, on_event, &s, &e);
	assert_int_equal(mode, use_hotplug ? 1 : 0);
	drain(ctx, mode);
	assert_int_equal(s.arrived, 0);		/* empty testbed: nothing there */

	assert_true(umockdev_testbed_add_from_file(tb, file, &gerr));
	umockdev_testbed_uevent(tb, FRAME_PATH, "add");	/* issue #173, see top */
	assert_true(wait_for(ctx, mode, &s.arrived, 1));
	drain(ctx, mode);
	assert_int_equal(s.arrived, 1);		/* once, despite two "add" events */
	assert_int_equal(s.left, 0);
	assert_int_equal(s.last.busnum, 1);
	assert_int_equal(s.last.devnum, 3);
	assert_string_equal(s.last.port_path, "1-2");
	assert_int_equal(s.last.n_hid, 1);
	assert_string_equal(usb_class_name(&s.last), "hid");

	umockdev_testbed_uevent(tb, FRAME_PATH, "remove");
	umockdev_testbed_remove_device(tb, FRAME_PATH);
	assert_true(wait_for(ctx, mode, &s.left, 1));
	drain(ctx, mode);
	assert_int_equal(s.left, 1);
	assert_int_equal(s.arrived, 1);

	usb_close(ctx);
	g_object_unref(tb);
}

static void test_hotplug_callback(void **state)
{
	plug_and_pull(1);
}

static void test_rescan_fallback(void **state)
{
	plug_and_pull(0);
}

/* Devices already present when watching starts arrive at once, exactly once. */
static void test_present_at_start(void **state)
{
	UMockdevTestbed *tb = umockdev_testbed_new();
	struct usb_ctx *ctx = NULL;
	struct bbt_error e;
	struct seen s = { 0 };
	char file[1024];
	GError *gerr = NULL;

	snprintf(file, sizeof(file), "%s/irtouch-frame.umockdev", data_dir);
	assert_true(umockdev_testbed_add_from_file(tb, file, &gerr));
	assert_int_equal(usb_open(&ctx, &e), 0);
	assert_int_equal(usb_watch(ctx, 1, on_event, &s, &e), 1);
	assert_true(wait_for(ctx, 1, &s.arrived, 1));
	assert_int_equal(usb_rescan(ctx, &e), 0);	/* a rescan must not repeat it */
	drain(ctx, 1);
	assert_int_equal(s.arrived, 1);
	usb_close(ctx);
	g_object_unref(tb);
}

static const struct hwinfo_device *find_node(const struct hwinfo_device *d, size_t n,
    const char *node)
{
	for (size_t i = 0; i < n; i++)
		if (d[i].has_input && strcmp(d[i].in.devnode, node) == 0)
			return &d[i];
	return NULL;
}

/* The joined view (what `devices` and the heartbeat report) follows too. */
static void test_joined_view_follows_frame(void **state)
{
	UMockdevTestbed *tb = umockdev_testbed_new();
	struct hwinfo_device *devs;
	const struct hwinfo_device *f;
	struct bbt_error e;
	char file[1024];
	GError *gerr = NULL;
	size_t n;

	assert_int_equal(hwinfo_collect(&devs, &n, &e), 0);
	assert_null(find_node(devs, n, "/dev/input/event5"));
	free(devs);

	snprintf(file, sizeof(file), "%s/irtouch-frame.umockdev", data_dir);
	assert_true(umockdev_testbed_add_from_file(tb, file, &gerr));
	assert_int_equal(hwinfo_collect(&devs, &n, &e), 0);
	f = find_node(devs, n, "/dev/input/event5");
	assert_non_null(f);
	assert_non_null(f->db);
	assert_string_equal(f->db->maker, "IRTOUCH Systems");
	assert_true(f->has_usb);
	assert_int_equal(f->devnum, 3);
	assert_true(f->watched);
	free(devs);

	umockdev_testbed_remove_device(tb, FRAME_EVENT);
	umockdev_testbed_remove_device(tb, FRAME_PATH);
	assert_int_equal(hwinfo_collect(&devs, &n, &e), 0);
	assert_null(find_node(devs, n, "/dev/input/event5"));
	for (size_t i = 0; i < n; i++)
		assert_false(devs[i].has_usb && devs[i].devnum == 3);
	free(devs);
	g_object_unref(tb);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hotplug_callback),
		cmocka_unit_test(test_rescan_fallback),
		cmocka_unit_test(test_present_at_start),
		cmocka_unit_test(test_joined_view_follows_frame),
	};

	const char *preload = getenv("LD_PRELOAD");

	if (argc < 2 || !preload || !strstr(preload, "libumockdev-preload")) {
		fprintf(stderr, "usage: umockdev-wrapper %s DATA_DIR\n", argv[0]);
		return 2;
	}
	data_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
