/*
 * syncd: `sync --auto` (see syncd.h). The pass itself is sync_pass(); this
 * file only decides whether one is due and keeps the backoff state.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bbt_log.h"
#include "bbt_time.h"
#include "enroll.h"
#include "kick.h"
#include "store.h"
#include "syncd.h"

struct state {
	int failures;
	int64_t next_s, last_us;
};

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

static int is_due(const struct state *s, const struct agent_config *cfg, int64_t now_us,
    int64_t kick_us)
{
	int64_t now_s = now_us / 1000000;
	int64_t longest = cfg->sync.interval > cfg->sync.backoff_cap ?
	    cfg->sync.interval : cfg->sync.backoff_cap;

	if (now_s >= s->next_s || s->next_s - now_s > longest + 60)
		return 1;	/* due, or the wall clock stepped back */
	if (now_us < s->last_us)
		return 1;
	return s->failures == 0 && kick_us >= s->last_us;
}

/* The thread's enrollment rule (sync.c): 1 enrolled, 0 wait *wait_s. */
static int enroll_if_needed(struct store *st, const struct agent_config *cfg,
    struct state *s, int64_t *wait_s)
{
	struct enroll_params ep = { cfg->server.url, cfg->server.enroll_token,
	    cfg->server.school, cfg->server.room };
	struct bbt_error err;
	long status;

	if (enroll_is_enrolled(st))
		return 1;
	if (enroll_is_revoked(st) || !cfg->server.enroll_token[0] || !cfg->server.url[0]) {
		*wait_s = cfg->sync.backoff_cap;	/* look again for a new config */
		return 0;
	}
	if (enroll_run(st, cfg, &ep, &status, &err) == 0) {
		s->failures = 0;
		return 1;
	}
	if (status == 0 || status >= 500 || status == 429) {
		*wait_s = sync_backoff_s(++s->failures, cfg->sync.backoff_cap);
		log_warn("enrollment: %s; retrying in %" PRId64 " s", err.msg, *wait_s);
	} else {
		log_err("enrollment refused: %s", err.msg);
		*wait_s = cfg->sync.backoff_cap;
	}
	return 0;
}

void syncd_share_settings(const struct agent_config *cfg, const struct sync_result *res)
{
	struct bbt_error e;

	if (res->have_settings && kick_settings_write(cfg->state_dir, &res->settings, &e) < 0)
		log_warn("detector settings not shared with the capture process: %s", e.msg);
}

static int pass(struct store *st, const struct agent_config *cfg, struct state *s,
    int64_t *wait_s)
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
	*wait_s = sync_next_wait_s(&res, cfg, &s->failures);
	if (*wait_s > cfg->sync.backoff_cap && *wait_s > cfg->sync.interval)
		*wait_s = cfg->sync.backoff_cap;	/* not enrolled, revoked */
	return ok;
}

int syncd_auto(const struct agent_config *cfg)
{
	struct store *st = NULL;
	struct bbt_error err;
	struct state s;
	int64_t now_us = bbt_clock_realtime_us(), wait_s = 0;
	int ok = 0;

	if (store_open(&st, cfg->state_dir, &err) < 0) {
		log_err("%s", err.msg);
		return 1;
	}
	s.failures = (int)meta_i64(st, SYNCD_META_FAILURES);
	s.next_s = meta_i64(st, SYNCD_META_NEXT);
	s.last_us = meta_i64(st, SYNCD_META_LAST);
	if (!is_due(&s, cfg, now_us, kick_time_us(cfg->state_dir))) {
		log_debug("sync: not due (%d failure(s), next at %" PRId64 ")", s.failures,
		    s.next_s);
		store_close(st);
		return 0;
	}
	if (http_client_global_init(&err) < 0) {
		log_err("%s", err.msg);
		store_close(st);
		return 1;
	}
	meta_put(st, SYNCD_META_LAST, now_us);
	if (enroll_if_needed(st, cfg, &s, &wait_s))
		ok = pass(st, cfg, &s, &wait_s);
	meta_put(st, SYNCD_META_FAILURES, s.failures);
	meta_put(st, SYNCD_META_NEXT, now_us / 1000000 + wait_s);
	store_close(st);
	return ok ? 0 : 1;
}
