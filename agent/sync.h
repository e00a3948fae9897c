/*
 * sync: the daemon's link to the collector (SPEC 4.4), on its own thread so
 * that a slow network never delays reading input events.
 *
 * The thread opens its own store connection (SQLite WAL allows a reader and
 * a writer at once), heartbeats and uploads every [sync] interval, backs off
 * on failure, enrolls first if an enroll_token is configured and the agent
 * is not enrolled. The run loop kicks it when a session closes and picks up
 * detector settings the server sent.
 */
#ifndef SYNC_H
#define SYNC_H

#include "bbt_error.h"
#include "config.h"
#include "detector.h"

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

/* ---- One pass, for `bbt-agent sync` and the thread above. ---- */

#include <stdatomic.h>
#include <stdint.h>

#include "http_client.h"
#include "store.h"

/* Upload batches are bounded by both. */
#define SYNC_BATCH_MAX 200
#define SYNC_BATCH_BYTES (1024 * 1024)
/* A pass offers a quarantined session again once it was last rejected this
 * long ago (`bbt-agent sync` offers them all: store_quarantine_reoffer). */
#define SYNC_REOFFER_S 86400

enum sync_status {
	SYNC_OK,
	SYNC_NOT_ENROLLED,	/* never enrolled, or no server url */
	SYNC_REVOKED,		/* the server refused our token (401) */
	SYNC_NET,		/* no HTTP reply: back off */
	SYNC_SERVER,		/* 5xx or an unexpected reply: back off */
	SYNC_RETRY_AFTER,	/* 429/503: wait retry_after_s if >= 0 */
	SYNC_LOCAL,		/* the store failed */
};

struct sync_result {
	enum sync_status status;
	int64_t accepted, duplicate, rejected;	/* ids acknowledged this pass */
	int64_t quarantined;		/* in the quarantine after the pass; -1 unknown */
	int64_t too_big;		/* sessions refused (413) even alone */
	int64_t left;			/* outbox after the pass; -1 unknown */
	int64_t retry_after_s;		/* -1 if none was sent */
	int have_settings;		/* the heartbeat carried these: */
	struct detector_settings settings;
};

/*
 * Heartbeat, then upload the whole outbox in batches (clock-corrected,
 * gzip), quarantined sessions due again (SYNC_REOFFER_S) included; a
 * rejected session goes to the quarantine. Never waits on backoff. 0 if
 * every step succeeded (res->left may still be > 0 for sessions too big to
 * send; res->rejected > 0 for sessions refused), else -1 with res->status.
 * Writes "last_sync" (on success) and "last_sync_error" in store meta.
 */
int sync_pass(struct store *st, const struct agent_config *cfg,
    const atomic_int *cancel, struct sync_result *res, struct bbt_error *e);

/* Full-jitter backoff after `failures` consecutive failures, seconds:
 * uniform in [1, min(cap, 5 * 2^(failures-1))]. */
int64_t sync_backoff_s(int failures, int cap_s);
/*
 * Seconds the thread waits after a pass: [sync] interval after success
 * (and *failures reset), Retry-After (capped at backoff_cap) after
 * 429/503, full-jitter backoff after other failures, "forever" (until a
 * new config or stop) when not enrolled or revoked.
 */
int64_t sync_next_wait_s(const struct sync_result *res,
    const struct agent_config *cfg, int *failures);

#endif
