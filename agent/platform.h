/*
 * platform: everything operating-system specific the agent needs, behind
 * one interface, so that a Windows port adds platform_windows.c and leaves
 * the daemon core (daemon.c), the detector and the store untouched.
 *
 * Three parts:
 *  - Probing input devices (platform_input_probe/list): classify an input
 *    device from what it reports (on Linux the sysfs capability bitmaps),
 *    never from a vendor list. Shared by `run` and `devices`.
 *  - The event source (platform_watch_*): opens the input devices worth
 *    watching read-only (never grabbed, no driver detached), follows
 *    devices appearing and leaving, turns stop/reload requests (SIGTERM,
 *    SIGINT, SIGHUP on Linux) into events, and sleeps until one of those or
 *    a deadline. Input events carry the linux/input.h type/code/value
 *    numbers (a port translates to them) and the time they were read on the
 *    clock of bbt_clock_boottime_us(), which counts suspend.
 *  - A lock file shared between processes (platform_lock_*): the buffer's
 *    heal lock (store.c), flock(2) on Linux, LockFileEx on Windows.
 *
 * Invariants: platform_watch_wait() never returns early without an event
 * unless its deadline passed, so a caller loop with no deadline sleeps for
 * as long as nothing happens (no polling). SYN_DROPPED is handled here: the
 * events up to the next SYN_REPORT are discarded and one
 * PLATFORM_EV_DEVICE_RESET is delivered instead.
 */
#ifndef PLATFORM_H
#define PLATFORM_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"
#include "bbt_session.h"

/* What an input device is; a device may be several (a keyboard with a
 * touchpad). Bits, so that callers can test membership. */
enum platform_input_kind {
	PLATFORM_INPUT_TOUCHSCREEN = 1 << 0,	/* direct touch: frame, panel */
	PLATFORM_INPUT_PEN = 1 << 1,		/* BTN_TOOL_PEN: tablet, stylus */
	PLATFORM_INPUT_MOUSE = 1 << 2,		/* relative pointer */
	PLATFORM_INPUT_KEYBOARD = 1 << 3,	/* letter keys */
	PLATFORM_INPUT_TOUCHPAD = 1 << 4,	/* indirect touch (laptops) */
	PLATFORM_INPUT_OTHER = 1 << 5,		/* buttons, switches, sensors */
};
#define PLATFORM_INPUT_KIND_COUNT 6

/* Kinds that are a teacher's input and that `run` therefore watches. */
#define PLATFORM_INPUT_WATCHED (PLATFORM_INPUT_TOUCHSCREEN | PLATFORM_INPUT_PEN | \
	PLATFORM_INPUT_MOUSE | PLATFORM_INPUT_KEYBOARD | PLATFORM_INPUT_TOUCHPAD)

struct platform_input {
	char event_name[32];		/* "event3" */
	char devnode[64];		/* "/dev/input/event3" */
	char sysfs_path[PATH_MAX];	/* the input device's sysfs dir, resolved */
	struct bbt_input_id id;		/* name, vid, pid (4 lowercase hex) */
	unsigned kinds;			/* enum platform_input_kind bits */
	int direct;			/* INPUT_PROP_DIRECT */
	int multitouch;			/* ABS_MT_POSITION_X or ABS_MT_SLOT */
};

/* Probe one event node by name ("event3"). */
int platform_input_probe(const char *event_name, struct platform_input *out,
    struct bbt_error *e);
/* All event nodes present, in numeric order; *out is malloc'ed (free()),
 * NULL when *n is 0. Nodes that cannot be probed are skipped (logged). */
int platform_input_list(struct platform_input **out, size_t *n,
    struct bbt_error *e);
/* "touchscreen", "pen", "mouse", "keyboard", "touchpad", "other" for one
 * bit; NULL for anything else. */
const char *platform_input_kind_name(unsigned kind);
/* Space-separated names of all bits set, e.g. "touchscreen keyboard". */
void platform_input_kinds_str(unsigned kinds, char *buf, size_t len);

/* This boot's id (Linux: /proc/sys/kernel/random/boot_id), lowercase. */
int platform_boot_id(char out[BBT_BOOT_ID_LEN], struct bbt_error *e);

/* ---- The event source of `run`. ---- */

enum platform_event_type {
	PLATFORM_EV_INPUT,		/* one input event of device `dev` */
	PLATFORM_EV_DEVICE_ADD,		/* device `dev` opened: id, kinds say what */
	PLATFORM_EV_DEVICE_REMOVE,	/* device `dev` went away */
	PLATFORM_EV_DEVICE_RESET,	/* events of `dev` were lost (SYN_DROPPED) */
	PLATFORM_EV_STOP,		/* stop requested (SIGTERM, SIGINT) */
	PLATFORM_EV_RELOAD,		/* reload requested (SIGHUP) */
	PLATFORM_EV_WAKE,		/* platform_watch_wake() was called */
};

struct platform_event {
	enum platform_event_type type;
	int dev;			/* device slot, 0..PLATFORM_MAX_DEVICES-1 */
	int64_t time_us;		/* bbt_clock_boottime_us() when read */
	uint16_t ev_type, ev_code;	/* PLATFORM_EV_INPUT */
	int32_t ev_value;
	/* PLATFORM_EV_DEVICE_ADD (and the node name for every device event). */
	char node[32];			/* "event3" */
	struct bbt_input_id id;
	unsigned kinds;
	int multitouch;
};

/* Same bound as the detector's device table. */
#define PLATFORM_MAX_DEVICES 32

struct platform_watch;

/*
 * Set up the event source: take stop/reload requests (on Linux the signals
 * are blocked in the calling thread, so call this before starting other
 * threads, which inherit the mask), start following device arrivals, and
 * queue a PLATFORM_EV_DEVICE_ADD for every watched device present.
 */
int platform_watch_open(struct platform_watch **w, struct bbt_error *e);
/*
 * Fill ev[0..max) with what happened, *n >= 1, sleeping until something
 * does; or return with *n == 0 once bbt_clock_boottime_us() >= deadline_us
 * (INT64_MAX: no deadline). -1 only for errors the loop cannot go on from.
 */
int platform_watch_wait(struct platform_watch *w, int64_t deadline_us,
    struct platform_event *ev, size_t max, size_t *n, struct bbt_error *e);
/* From any thread: make a waiting platform_watch_wait return a
 * PLATFORM_EV_WAKE (used when the sync thread has news for the loop). */
void platform_watch_wake(struct platform_watch *w);
/* Number of devices currently open. */
int platform_watch_ndevices(const struct platform_watch *w);
void platform_watch_close(struct platform_watch *w);

/* ---- A lock between processes (and between two handles in one). ---- */

/*
 * A lock file opened (created 0600 if missing, with the owner of the file
 * `like` when run as root on Linux; never removed: removing a lock file
 * while another process waits on it would let two holders in).
 * Shared holders exclude an exclusive one; taking it waits as long as it
 * takes. Each handle is its own holder, also within one process, and it is
 * never converted from one kind to the other (flock would drop it first).
 */
struct platform_lock;

int platform_lock_open(const char *path, const char *like,
    struct platform_lock **out, struct bbt_error *e);
/* Wait for the lock: shared if exclusive == 0. Not held already by l. */
int platform_lock_take(struct platform_lock *l, int exclusive, struct bbt_error *e);
void platform_lock_drop(struct platform_lock *l);
/* Drops the lock if held; NULL is a no-op. */
void platform_lock_close(struct platform_lock *l);

#endif
