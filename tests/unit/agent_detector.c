/*
 * Unit tests of agent/detector.c: every rule of CONTRACT 4.2 at its boundary,
 * with hand-built event sequences (settings: idle_gap 600, min_session 900,
 * stuck_contact 120 unless a test says otherwise).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "detector.h"

#define S 1000000LL
#define EV_SYN 0
#define EV_KEY 1
#define EV_REL 2
#define EV_ABS 3
#define EV_MSC 4
#define KEY_A 30
#define BTN_LEFT 0x110
#define BTN_TOOL_PEN 0x140
#define BTN_TOUCH 0x14a
#define REL_X 0
#define ABS_X 0
#define ABS_PRESSURE 0x18
#define MT_SLOT 0x2f
#define MT_X 0x35
#define MT_ID 0x39

static const struct detector_settings defaults = { 600, 900, 120 };

static void setup(struct detector *d, int has_mt)
{
	struct bbt_input_id id = { "IRTOUCH Infrared Touch", "6615", "0070" };
	struct bbt_input_id kb = { "USB Keyboard", "413c", "2003" };

	detector_init(d, &defaults);
	assert_int_equal(detector_device_add(d, 0, &id, has_mt), 0);
	assert_int_equal(detector_device_add(d, 1, &kb, 0), 0);
}

static void key(struct detector *d, int dev, int64_t t, int code, int value)
{
	detector_feed(d, dev, t, EV_KEY, (uint16_t)code, value);
	detector_feed(d, dev, t, EV_SYN, 0, 0);
}

static void mouse(struct detector *d, int64_t t)
{
	detector_feed(d, 0, t, EV_REL, REL_X, 3);
	detector_feed(d, 0, t, EV_SYN, 0, 0);
}

/* One MT contact in the current slot: down at t, moves, up at t+len. */
static void mt_tap(struct detector *d, int slot, int64_t t, int64_t len)
{
	detector_feed(d, 0, t, EV_ABS, MT_SLOT, slot);
	detector_feed(d, 0, t, EV_ABS, MT_ID, 100 + slot);
	detector_feed(d, 0, t, EV_ABS, MT_X, 10);
	detector_feed(d, 0, t + len, EV_ABS, MT_SLOT, slot);
	detector_feed(d, 0, t + len, EV_ABS, MT_ID, -1);
}

static int take(struct detector *d, struct detector_session *s)
{
	return detector_take_closed(d, s);
}

static void gap_exactly_idle_gap_ends_session(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	mouse(&d, 0);
	mouse(&d, 500 * S);
	mouse(&d, 1000 * S);
	mouse(&d, 1600 * S);	/* exactly idle_gap later: a new session */
	mouse(&d, 2100 * S);
	mouse(&d, 2600 * S);
	detector_stop(&d);
	assert_true(take(&d, &s));
	assert_int_equal(s.start_us, 0);
	assert_int_equal(s.end_us, 1000 * S);
	assert_true(take(&d, &s));
	assert_int_equal(s.start_us, 1600 * S);
	assert_false(take(&d, &s));
}

static void gap_just_under_idle_gap_continues(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	mouse(&d, 0);
	mouse(&d, 600 * S - 1);
	mouse(&d, 1200 * S - 2);
	detector_stop(&d);
	assert_true(take(&d, &s));
	assert_int_equal(s.start_us, 0);
	assert_int_equal(s.end_us, 1200 * S - 2);
	assert_false(take(&d, &s));
}

static void duration_exactly_min_session_logged(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	for (int64_t t = 0; t <= 900; t += 300)
		mouse(&d, t * S);
	detector_tick(&d, 900 * S + 600 * S);	/* closes by idleness */
	assert_true(take(&d, &s));
	assert_int_equal(s.end_us - s.start_us, 900 * S);
}

static void duration_one_second_short_dropped(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	mouse(&d, 0);
	mouse(&d, 300 * S);
	mouse(&d, 899 * S);
	detector_tick(&d, 899 * S + 600 * S);
	assert_false(take(&d, &s));
	assert_false(detector_open_session(&d, &s));
}

/* A contact held from 100 s; the teacher writes with another finger until
 * 1100 s. The contact lifts at 100 + stuck_contact +/- 1 s. */
static unsigned flags_with_hold(int64_t hold)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 1);
	mt_tap(&d, 0, 0, S);
	detector_feed(&d, 0, 100 * S, EV_ABS, MT_SLOT, 5);
	detector_feed(&d, 0, 100 * S, EV_ABS, MT_ID, 7);
	detector_feed(&d, 0, (100 + hold) * S, EV_ABS, MT_SLOT, 5);
	detector_feed(&d, 0, (100 + hold) * S, EV_ABS, MT_ID, -1);
	for (int64_t t = 300; t <= 1100; t += 200)
		mt_tap(&d, 1, t * S, S);
	detector_stop(&d);
	assert_true(take(&d, &s));
	assert_int_equal(s.touches, 7);
	return s.flags;
}

static void contact_lifted_before_stuck_no_flag(void **state)
{
	assert_int_equal(flags_with_hold(119), 0);
	assert_int_equal(flags_with_hold(120), 0);	/* exactly: not longer */
}

static void contact_lifted_after_stuck_flags(void **state)
{
	assert_int_equal(flags_with_hold(121), BBT_FLAG_STUCK_CONTACT);
}

/* A ghost contact alone in an empty room: its first 120 s are activity,
 * its jitter after that is not, so no 15-minute session appears. */
static void stuck_contact_motion_not_activity(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 1);
	detector_feed(&d, 0, 0, EV_ABS, MT_ID, 1);
	for (int64_t t = 10; t <= 3600; t += 10) {
		detector_feed(&d, 0, t * S, EV_ABS, MT_X, (int32_t)(t & 1));
		detector_feed(&d, 0, t * S, EV_SYN, 0, 0);
	}
	assert_true(detector_open_session(&d, &s) == 0);
	detector_feed(&d, 0, 3600 * S, EV_ABS, MT_ID, -1);
	detector_stop(&d);
	assert_false(take(&d, &s));
}

/* The same for a single-touch frame (BTN_TOUCH + ABS_X, no MT). */
static void stuck_single_touch_flags_open_session(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	key(&d, 0, 0, BTN_TOUCH, 1);
	detector_feed(&d, 0, 100 * S, EV_ABS, ABS_X, 5);	/* activity */
	detector_feed(&d, 0, 121 * S, EV_ABS, ABS_X, 6);	/* stuck: not */
	mouse(&d, 500 * S);
	assert_true(detector_open_session(&d, &s));
	assert_int_equal(s.flags, BBT_FLAG_STUCK_CONTACT);
	detector_feed(&d, 0, 600 * S, EV_ABS, ABS_X, 7);	/* still stuck */
	key(&d, 0, 700 * S, BTN_TOUCH, 0);
	key(&d, 0, 1000 * S, BTN_TOUCH, 1);
	detector_stop(&d);
	assert_true(take(&d, &s));
	assert_int_equal(s.end_us, 1000 * S);
	assert_int_equal(s.touches, 2);
	assert_int_equal(s.active_minutes, 4);	/* minutes 0, 1, 8, 16 */
}

static void tick_marks_stuck_and_flags(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 1);
	detector_feed(&d, 0, 0, EV_ABS, MT_ID, 1);
	assert_int_equal(detector_next_deadline(&d), 120 * S + 1);
	detector_tick(&d, 120 * S + 1);
	assert_true(detector_open_session(&d, &s));
	assert_int_equal(s.flags, BBT_FLAG_STUCK_CONTACT);
	/* Stuck contacts no longer have a deadline; the idle close remains. */
	assert_int_equal(detector_next_deadline(&d), 600 * S);
}

static void multitouch_two_fingers_count_touches(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 1);
	detector_feed(&d, 0, 0, EV_ABS, MT_SLOT, 0);
	detector_feed(&d, 0, 0, EV_ABS, MT_ID, 10);
	detector_feed(&d, 0, 0, EV_KEY, BTN_TOUCH, 1);	/* MT device: not a touch */
	detector_feed(&d, 0, 0, EV_ABS, MT_SLOT, 1);
	detector_feed(&d, 0, 0, EV_ABS, MT_ID, 11);
	detector_feed(&d, 0, 0, EV_SYN, 0, 0);
	/* Slot 0 lifts; moves in slot 1 are still activity. */
	detector_feed(&d, 0, 1 * S, EV_ABS, MT_SLOT, 0);
	detector_feed(&d, 0, 1 * S, EV_ABS, MT_ID, -1);
	detector_feed(&d, 0, 1 * S, EV_ABS, MT_SLOT, 1);
	detector_feed(&d, 0, 100 * S, EV_ABS, MT_X, 3);
	detector_feed(&d, 0, 101 * S, EV_ABS, MT_ID, -1);
	detector_feed(&d, 0, 101 * S, EV_KEY, BTN_TOUCH, 0);
	/* A new finger in slot 0, then one moving in slot 0. */
	detector_feed(&d, 0, 600 * S, EV_ABS, MT_SLOT, 0);
	detector_feed(&d, 0, 600 * S, EV_ABS, MT_ID, 12);
	detector_feed(&d, 0, 700 * S, EV_ABS, MT_ID, -1);
	detector_feed(&d, 0, 900 * S, EV_ABS, MT_ID, 13);
	detector_feed(&d, 0, 950 * S, EV_ABS, MT_X, 3);
	/* Out-of-range slot values are ignored, not a crash. */
	detector_feed(&d, 0, 951 * S, EV_ABS, MT_SLOT, 5000);
	detector_feed(&d, 0, 951 * S, EV_ABS, MT_ID, 12);
	detector_feed(&d, 0, 951 * S, EV_ABS, MT_SLOT, -3);
	detector_feed(&d, 0, 952 * S, EV_ABS, MT_X, 3);
	detector_stop(&d);
	assert_true(take(&d, &s));
	assert_int_equal(s.touches, 4);
	assert_int_equal(s.end_us, 950 * S);
	assert_string_equal(s.input.vid, "6615");
}

/* Motion of a slot whose contact is up is not activity. */
static void mt_motion_without_contact_ignored(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 1);
	detector_feed(&d, 0, 0, EV_ABS, MT_X, 3);
	detector_feed(&d, 0, 0, EV_ABS, ABS_X, 3);
	detector_feed(&d, 0, 0, EV_ABS, ABS_PRESSURE, 3);
	assert_false(detector_open_session(&d, &s));
}

static void mouse_only_session(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	for (int64_t t = 0; t <= 1200; t += 30)
		mouse(&d, t * S);
	key(&d, 0, 1300 * S, BTN_LEFT, 1);
	key(&d, 0, 1301 * S, BTN_LEFT, 0);	/* release: not activity */
	detector_stop(&d);
	assert_true(take(&d, &s));
	assert_int_equal(s.end_us, 1300 * S);
	assert_int_equal(s.touches, 0);
	assert_int_equal(s.active_minutes, 22);	/* minutes 0..20 and 21 */
	assert_string_equal(s.input.name, "IRTOUCH Infrared Touch");
}

static void keyboard_only_session(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	for (int64_t t = 0; t <= 960; t += 120)
		key(&d, 1, t * S, KEY_A, 1);
	detector_stop(&d);
	assert_true(take(&d, &s));
	assert_int_equal(s.end_us, 960 * S);
	assert_string_equal(s.input.name, "USB Keyboard");
	assert_int_equal(s.touches, 0);
}

static void key_repeat_not_activity(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	key(&d, 1, 0, KEY_A, 1);
	for (int64_t t = 1; t < 3600; t += 1)
		key(&d, 1, t * S, KEY_A, 2);
	key(&d, 1, 3600 * S, KEY_A, 0);
	detector_stop(&d);
	assert_false(take(&d, &s));
}

static void syn_msc_noise_no_session(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	for (int64_t t = 0; t < 2000; t += 5) {
		detector_feed(&d, 0, t * S, EV_MSC, 4, 0x90001);
		detector_feed(&d, 0, t * S, EV_SYN, 0, 0);
	}
	assert_false(detector_open_session(&d, &s));
	detector_stop(&d);
	assert_false(take(&d, &s));
}

static void pen_tool_is_activity_not_touch(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	for (int64_t t = 0; t <= 950; t += 475) {
		key(&d, 0, t * S, BTN_TOOL_PEN, 1);
		key(&d, 0, t * S + 1, BTN_TOOL_PEN, 0);
	}
	detector_stop(&d);
	assert_true(take(&d, &s));
	assert_int_equal(s.touches, 0);
	assert_int_equal(s.end_us, 950 * S);
}

static void active_minutes_counted_from_start(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	mouse(&d, 30 * S);		/* start: minute 0 */
	mouse(&d, 89 * S);		/* still minute 0 */
	mouse(&d, 90 * S);		/* minute 1 (60 s after start) */
	mouse(&d, 500 * S);		/* minute 7 */
	mouse(&d, 510 * S);		/* minute 8 */
	mouse(&d, 1000 * S);		/* minute 16 */
	detector_stop(&d);
	assert_true(take(&d, &s));
	assert_int_equal(s.active_minutes, 5);
}

static void device_removal_ends_session(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	mouse(&d, 0);
	mouse(&d, 500 * S);
	mouse(&d, 1000 * S);
	/* A device that gave nothing to the session: no effect. */
	detector_device_remove(&d, 1, 1001 * S);
	assert_true(detector_open_session(&d, &s));
	detector_device_remove(&d, 0, 1002 * S);
	assert_false(detector_open_session(&d, &s));
	assert_true(take(&d, &s));
	assert_int_equal(s.end_us, 1000 * S);
}

static void stop_closes_open_session(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	mouse(&d, 0);
	mouse(&d, 450 * S);
	mouse(&d, 901 * S);
	assert_false(take(&d, &s));
	detector_stop(&d);
	assert_true(take(&d, &s));
	assert_int_equal(s.end_us, 901 * S);
	assert_false(detector_open_session(&d, &s));
}

static void next_deadline_values(void **state)
{
	struct detector d;

	setup(&d, 1);
	assert_true(detector_next_deadline(&d) == INT64_MAX);
	mouse(&d, 10 * S);
	assert_int_equal(detector_next_deadline(&d), 610 * S);
	detector_feed(&d, 0, 20 * S, EV_ABS, MT_ID, 3);	/* contact down at 20 s */
	assert_int_equal(detector_next_deadline(&d), 140 * S + 1);
	detector_feed(&d, 0, 30 * S, EV_ABS, MT_ID, -1);
	assert_int_equal(detector_next_deadline(&d), 620 * S);
	detector_tick(&d, 620 * S);
	assert_true(detector_next_deadline(&d) == INT64_MAX);
}

static void time_going_back_is_clamped(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	mouse(&d, 1000 * S);
	mouse(&d, 10 * S);		/* clamped to 1000 s */
	mouse(&d, 1500 * S);
	mouse(&d, 1900 * S);
	detector_stop(&d);
	assert_true(take(&d, &s));
	assert_int_equal(s.start_us, 1000 * S);
	assert_int_equal(s.end_us, 1900 * S);
}

static void input_is_device_with_most_activity(void **state)
{
	struct detector d;
	struct detector_session s;

	setup(&d, 0);
	key(&d, 1, 0, KEY_A, 1);
	for (int64_t t = 1; t <= 5; t++)
		mouse(&d, t * S);
	key(&d, 1, 500 * S, KEY_A, 1);
	key(&d, 1, 950 * S, KEY_A, 1);
	detector_stop(&d);
	assert_true(take(&d, &s));
	assert_string_equal(s.input.name, "IRTOUCH Infrared Touch");
}

static int offset_8h(int64_t unix_s)
{
	return unix_s < 0 ? -1 : 8 * 3600;
}

/* run and replay log a detector session through the one conversion. */
static void session_record(void **state)
{
	struct detector_session ds = { 2500000, 2402500000LL, 7, 3, BBT_FLAG_STUCK_CONTACT,
	    { "Touch", "222a", "0001" } };
	struct detector_clock run = { 1700000000LL * 1000000 - 500000, 0, offset_8h, "b-1" };
	struct detector_clock replay = { -3000000, 3600, NULL, NULL };
	struct bbt_session s;

	detector_session_record(&ds, &run, "id-1", &s);
	assert_string_equal(s.id, "id-1");
	assert_int_equal(s.start, 1700000002LL);
	assert_int_equal(s.duration_s, 2400);
	assert_int_equal(s.end, s.start + 2400);
	assert_int_equal(s.utc_offset, 8 * 3600);
	assert_int_equal(s.touches, 7);
	assert_int_equal(s.active_minutes, 3);
	assert_int_equal(s.flags, BBT_FLAG_STUCK_CONTACT);
	assert_string_equal(s.input.vid, "222a");
	assert_string_equal(s.boot_id, "b-1");
	assert_int_equal(s.boot_start_us, 2500000);
	assert_int_equal(s.boot_end_us, 2402500000LL);
	/* Before 1970 the start rounds down, not toward zero; no boot id. */
	detector_session_record(&ds, &replay, "id-2", &s);
	assert_int_equal(s.start, -1);
	assert_int_equal(s.utc_offset, 3600);
	assert_string_equal(s.boot_id, "");
	assert_int_equal(s.boot_start_us, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gap_exactly_idle_gap_ends_session),
		cmocka_unit_test(gap_just_under_idle_gap_continues),
		cmocka_unit_test(duration_exactly_min_session_logged),
		cmocka_unit_test(duration_one_second_short_dropped),
		cmocka_unit_test(contact_lifted_before_stuck_no_flag),
		cmocka_unit_test(contact_lifted_after_stuck_flags),
		cmocka_unit_test(stuck_contact_motion_not_activity),
		cmocka_unit_test(stuck_single_touch_flags_open_session),
		cmocka_unit_test(tick_marks_stuck_and_flags),
		cmocka_unit_test(multitouch_two_fingers_count_touches),
		cmocka_unit_test(mt_motion_without_contact_ignored),
		cmocka_unit_test(mouse_only_session),
		cmocka_unit_test(keyboard_only_session),
		cmocka_unit_test(key_repeat_not_activity),
		cmocka_unit_test(syn_msc_noise_no_session),
		cmocka_unit_test(pen_tool_is_activity_not_touch),
		cmocka_unit_test(active_minutes_counted_from_start),
		cmocka_unit_test(device_removal_ends_session),
		cmocka_unit_test(stop_closes_open_session),
		cmocka_unit_test(next_deadline_values),
		cmocka_unit_test(time_going_back_is_clamped),
		cmocka_unit_test(input_is_device_with_most_activity),
		cmocka_unit_test(session_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
