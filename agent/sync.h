/*
 * sync: one pass of the agent's exchange with the collector (CONTRACT 4.4):
 * a heartbeat, then the outbox in batches. A pass needs only a store and a
 * config: `bbt-agent sync`, the daemon's thread and a one-shot sync
 * process (sync_loop.h says when to run one) all call sync_pass.
 */
#ifndef SYNC_H
#define SYNC_H

#include <stdatomic.h>
#include <stdint.h>

#include "bbt_error.h"
#include "config.h"
#include "detector.h"
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

#endif
