/*
 * syncd: `sync --auto` (see syncd.h). The pass itself is sync_pass(); this
 * file only decides whether one is due and keeps the backoff state.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_log.h"
#include "bbt_time.h"
#include "enroll.h"
#include "http_client.h"
#include "kick.h"
#include "store.h"
#include "syncd.h"

static int64_t meta_i64(struct store *st, const char *key)
{
	char v[32];

	if (store_meta_get(st, key, v, sizeof(v)) <= 0)
		return 0;
	return strtoll(v, NULL, 10);
}

static void meta_put(struct store *st, const char *key, int64_t n)
{
	char v[32];
	struct bbt_error e;

	snprintf(v, sizeof(v), "%" PRId64, n);
	if (store_meta_set(st, key, v, &e) < 0)
		log_warn("sync state: %s", e.msg);
}

/* Due by the stored backoff, or (after a good pass) by a kick since the
 * last pass began. A last pass "in the future" is a clock step: due. */
static int is_due(struct store *st, int64_t now_us, int64_t kick_us)
{
	struct sync_backoff b;
	int64_t last_us = meta_i64(st, SYNCD_META_LAST);

	if (sync_backoff_due_s(st) == 0 || now_us < last_us)
		return 1;
	sync_backoff_load(st, &b);
	return b.failures == 0 && kick_us >= last_us;
}

/* Store an enrollment that did not happen as a failed pass of `status`. */
static void enroll_failed(struct store *st, const struct agent_config *cfg,
    enum sync_status status)
{
	struct sync_result res;
	struct bbt_error e;

	memset(&res, 0, sizeof(res));
	res.status = status;
	res.retry_after_s = -1;
	sync_backoff_after_pass(st, &res, cfg, &e);
}

/* The thread's enrollment rule (sync_loop.c): 1 when enrolled. */
static int enroll_if_needed(struct store *st, const struct agent_config *cfg)
{
	struct bbt_error err;

	/* This process does not try without a URL (the sync thread does). */
	if (!enroll_is_enrolled(st) && !cfg->server.url[0]) {
		enroll_failed(st, cfg, SYNC_NOT_ENROLLED);
		return 0;
	}
	switch (enroll_attempt(st, cfg, &err)) {
	case ENROLL_ATTEMPT_ALREADY:
	case ENROLL_ATTEMPT_DONE:
		return 1;
	case ENROLL_ATTEMPT_CANNOT:
		enroll_failed(st, cfg, SYNC_NOT_ENROLLED);
		return 0;
	case ENROLL_ATTEMPT_RETRY:
		log_warn("enrollment: %s; retrying under backoff", err.msg);
		enroll_failed(st, cfg, SYNC_NET);
		return 0;
	case ENROLL_ATTEMPT_REFUSED:
		break;
	}
	log_err("enrollment refused: %s", err.msg);
	enroll_failed(st, cfg, SYNC_NOT_ENROLLED);
	return 0;
}

void syncd_share_settings(const struct agent_config *cfg, const struct sync_result *res)
{
	struct bbt_error e;

	if (res->have_settings && kick_settings_write(cfg->state_dir, &res->settings, &e) < 0)
		log_warn("detector settings not shared with the capture process: %s", e.msg);
}

static int pass(struct store *st, const struct agent_config *cfg)
{
	struct sync_result res;
	struct bbt_error err;
	int ok = sync_pass(st, cfg, NULL, &res, &err) == 0;

	if (!ok)
		log_warn("sync: %s", err.msg);
	else if (res.accepted + res.duplicate + res.rejected > 0)
		log_info("sync: %" PRId64 " sessions acknowledged, %" PRId64 " left",
		    res.accepted + res.duplicate + res.rejected, res.left);
	syncd_share_settings(cfg, &res);
	sync_backoff_after_pass(st, &res, cfg, &err);
	return ok;
}

int syncd_auto(const struct agent_config *cfg)
{
	struct store *st = NULL;
	struct bbt_error err;
	int64_t now_us = bbt_clock_realtime_us();
	int ok = 0;

	if (store_open(&st, cfg->state_dir, &err) < 0) {
		log_err("%s", err.msg);
		return 1;
	}
	if (!is_due(st, now_us, kick_time_us(cfg->state_dir))) {
		log_debug("sync: not due (%" PRId64 " s to go)", sync_backoff_due_s(st));
		store_close(st);
		return 0;
	}
	if (http_client_global_init(&err) < 0) {
		log_err("%s", err.msg);
		store_close(st);
		return 1;
	}
	meta_put(st, SYNCD_META_LAST, now_us);
	if (enroll_if_needed(st, cfg))
		ok = pass(st, cfg);
	store_close(st);
	return ok ? 0 : 1;
}
