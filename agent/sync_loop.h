/*
 * sync_loop: when sync passes (sync.h) run: the [sync] interval, backoff
 * with full jitter after failures, Retry-After, and the daemon's thread
 * that runs passes so a slow network never delays reading input events.
 *
 * Invariants:
 *  - Backoff restarts from its floor whenever a pass made progress
 *    (anything acknowledged), not only after a fully clean pass (CONTRACT 4.4).
 *  - The backoff state (consecutive failures, when the next attempt is
 *    due) lives in the buffer (store meta "sync_backoff"), so a process
 *    started afresh for one pass knows whether it is due
 *    (sync_backoff_due_s) and the count goes on growing across processes.
 *    "Due" is kept on CLOCK_BOOTTIME with the boot id: a wall-clock step
 *    cannot postpone it, and after a reboot an attempt is due at once.
 *  - The thread opens its own store connection (SQLite WAL allows a reader
 *    and a writer at once), enrolls first if an enroll_token is configured
 *    and the agent is not enrolled, and never retries a revoked or refused
 *    enrollment by itself (no enrollment loops).
 *  - Flags set from other threads (stop, kick, new config) are C11 atomics.
 */
#ifndef SYNC_LOOP_H
#define SYNC_LOOP_H

#include <stdint.h>

#include "bbt_error.h"
#include "config.h"
#include "detector.h"
#include "store.h"
#include "sync.h"

/* Full-jitter backoff after `failures` consecutive failures, seconds:
 * uniform in [1, min(cap, 5 * 2^(failures-1))]. */
int64_t sync_backoff_s(int failures, int cap_s);
/*
 * Seconds to wait after a pass: [sync] interval after success (and
 * *failures reset), Retry-After (capped at backoff_cap) after 429/503,
 * full-jitter backoff after other failures, counted from the floor again
 * if the pass acknowledged anything; "forever" (INT32_MAX: until a new
 * config or stop) when not enrolled or revoked.
 */
int64_t sync_next_wait_s(const struct sync_result *res,
    const struct agent_config *cfg, int *failures);

/* The backoff state kept in the buffer (see above). */
struct sync_backoff {
	int failures;			/* consecutive failed passes */
	int64_t due_boot_us;		/* CLOCK_BOOTTIME of the next attempt */
	char boot_id[BBT_BOOT_ID_LEN];	/* the boot due_boot_us belongs to */
};
/* The stored state; a missing or unreadable one reads as "due now". */
void sync_backoff_load(struct store *st, struct sync_backoff *out);
/* After a pass: the wait (sync_next_wait_s), stored as the next due time. */
int64_t sync_backoff_after_pass(struct store *st, const struct sync_result *res,
    const struct agent_config *cfg, struct bbt_error *e);
/* Seconds until the next attempt is due by the stored state; 0: now. */
int64_t sync_backoff_due_s(struct store *st);

struct sync_thread;

/* Start the thread (a copy of cfg is taken). With no server url in the
 * config and none enrolled with (`enroll --server`), starts nothing and
 * returns 0 with *out NULL: every call below accepts NULL. */
int sync_thread_start(struct sync_thread **out, const struct agent_config *cfg,
    struct bbt_error *e);
/* A session was logged: upload soon rather than at the next interval. */
void sync_thread_kick(struct sync_thread *st);
/* New config after SIGHUP. */
void sync_thread_reconfigure(struct sync_thread *st, const struct agent_config *cfg);
/* 1 and the settings if the server sent new detector settings since the
 * last call, else 0. */
int sync_thread_settings(struct sync_thread *st, struct detector_settings *out);
/* Call fn(arg) from the sync thread whenever new detector settings are
 * ready for sync_thread_settings, so the run loop applies them at once
 * instead of at its next input event. */
void sync_thread_on_settings(struct sync_thread *st, void (*fn)(void *), void *arg);
/* Stop and join (an upload in flight is abandoned; nothing is lost because
 * the outbox is emptied only by acknowledgements). */
void sync_thread_stop(struct sync_thread *st);

#endif
