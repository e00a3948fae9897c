/*
 * win_input: what the helper (bbt-agent-helper.exe, one per signed-in
 * user's session) sends the service over the named pipe, and the
 * linux/input.h numbers it translates Raw Input into, so the service's
 * detector sees the same events as evdev gives it on Linux.
 *
 * The pipe is \\.\pipe\bbt-agent-input, message mode, one fixed-size
 * struct win_input_msg per message, helper -> service only (the service
 * never answers: the helper needs nothing back and holds no secret).
 * Its ACL (set by the service, which creates it) lets SYSTEM and
 * administrators do anything and interactive users only connect and write.
 *
 * Invariants: times are GetTickCount64 microseconds of the helper's
 * machine, the same clock as the service's bbt_clock_boottime_us(); dev is
 * the helper's own device number, which the service maps to one of its
 * slots per connection.
 */
#ifndef WIN_INPUT_H
#define WIN_INPUT_H

#include <stdint.h>

#define WIN_INPUT_PIPE L"\\\\.\\pipe\\bbt-agent-input"
/* SYSTEM and Administrators: all; interactive users: read/write, no create. */
#define WIN_INPUT_PIPE_SDDL L"D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GRGW;;;IU)"
#define WIN_INPUT_MAGIC 0x42425449u	/* "ITBB": a version bump changes it */

enum win_input_kind {
	WIN_INPUT_DEVICE_ADD = 1,
	WIN_INPUT_DEVICE_REMOVE = 2,
	WIN_INPUT_EVENT = 3,
};

struct win_input_msg {
	uint32_t magic;
	uint32_t kind;			/* enum win_input_kind */
	uint32_t dev;			/* the helper's device number */
	uint32_t kinds;			/* DEVICE_ADD: platform_input_kind bits */
	int64_t time_us;
	uint16_t type, code;		/* EVENT: linux/input.h numbers */
	int32_t value;
	int32_t multitouch;		/* DEVICE_ADD */
	char vid[5], pid[5];		/* DEVICE_ADD: 4 lowercase hex */
	char name[80];			/* DEVICE_ADD: UTF-8 */
	char reserved[2];
};

/* linux/input.h numbers (a stable kernel ABI) the helper emits. */
#define WIN_EV_SYN 0x00
#define WIN_EV_KEY 0x01
#define WIN_EV_REL 0x02
#define WIN_EV_ABS 0x03
#define WIN_SYN_REPORT 0
#define WIN_REL_X 0x00
#define WIN_REL_Y 0x01
#define WIN_REL_WHEEL 0x08
#define WIN_BTN_LEFT 0x110
#define WIN_BTN_RIGHT 0x111
#define WIN_BTN_MIDDLE 0x112
#define WIN_BTN_TOOL_PEN 0x140
#define WIN_BTN_TOUCH 0x14a
#define WIN_ABS_X 0x00
#define WIN_ABS_Y 0x01
#define WIN_ABS_MT_SLOT 0x2f
#define WIN_ABS_MT_POSITION_X 0x35
#define WIN_ABS_MT_POSITION_Y 0x36
#define WIN_ABS_MT_TRACKING_ID 0x39

#endif
