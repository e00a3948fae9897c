/*
 * sync_loop: cadence, backoff and the daemon's sync thread (see
 * sync_loop.h, docs/sync.md). Each pass is sync_pass (sync.c); this file
 * only decides when, and keeps the backoff state in the buffer.
 */
#include "sync_loop.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "bbt_log.h"
#include "bbt_time.h"
#include "clock.h"
#include "enroll.h"
#include "http_client.h"
#include "link.h"

#define SYNC_BACKOFF_BASE_S 5
#define SYNC_BACKOFF_KEY "sync_backoff"

/* ---- cadence and backoff ---- */

int64_t sync_backoff_s(int failures, int cap_s)
{
	uint64_t r = 0;
	int64_t ceil_s = SYNC_BACKOFF_BASE_S;

	for (int i = 1; i < failures && ceil_s < cap_s; i++)
		ceil_s *= 2;
	if (ceil_s > cap_s)
		ceil_s = cap_s;
	if (ceil_s < 1)
		ceil_s = 1;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (uint64_t)bbt_clock_monotonic_us();
	/* Full jitter, but at least a second: never a busy loop. */
	return 1 + (int64_t)(r % (uint64_t)ceil_s);
}

int64_t sync_next_wait_s(const struct sync_result *res,
    const struct agent_config *cfg, int *failures)
{
	int64_t w;

	/* Anything acknowledged is progress: back off from the floor again,
	 * or a flaky link that fails every pass after a batch counts its way
	 * up to the cap while the backlog drains (CONTRACT 4.4). */
	if (res->accepted + res->duplicate + res->rejected > 0)
		*failures = 0;
	switch (res->status) {
	case SYNC_OK:
		*failures = 0;
		return cfg->sync.interval;
	case SYNC_REVOKED:
	case SYNC_NOT_ENROLLED:
		return INT32_MAX;
	case SYNC_RETRY_AFTER:
		++*failures;
		if (res->retry_after_s >= 0) {
			w = res->retry_after_s < 1 ? 1 : res->retry_after_s;
			return w > cfg->sync.backoff_cap ? cfg->sync.backoff_cap : w;
		}
		return sync_backoff_s(*failures, cfg->sync.backoff_cap);
	default:
		return sync_backoff_s(++*failures, cfg->sync.backoff_cap);
	}
}

void sync_backoff_load(struct store *st, struct sync_backoff *out)
{
	char v[128];
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (store_meta_get(st, SYNC_BACKOFF_KEY, v, sizeof(v)) <= 0)
		return;
	/* "FAILURES DUE_BOOT_US BOOT_ID" */
	if (sscanf(v, "%d %" SCNd64 " %36s%n", &out->failures, &out->due_boot_us,
	    out->boot_id, &n) != 3 || n == 0 || out->failures < 0)
		memset(out, 0, sizeof(*out));
}

int64_t sync_backoff_after_pass(struct store *st, const struct sync_result *res,
    const struct agent_config *cfg, struct bbt_error *e)
{
	struct sync_backoff b;
	char v[128];
	int64_t wait_s;

	sync_backoff_load(st, &b);
	wait_s = sync_next_wait_s(res, cfg, &b.failures);
	if (clock_boot_id(b.boot_id, NULL) < 0)
		b.boot_id[0] = '\0';
	b.due_boot_us = bbt_clock_boottime_us() + (wait_s >= INT32_MAX ? 0 :
	    wait_s * 1000000);
	snprintf(v, sizeof(v), "%d %" PRId64 " %s", b.failures, b.due_boot_us,
	    b.boot_id[0] ? b.boot_id : "-");
	/* Not being able to remember the backoff must not stop syncing. */
	if (store_meta_set(st, SYNC_BACKOFF_KEY, v, e) < 0)
		log_warn("sync: cannot keep the backoff state: %s", bbt_error_msg(e));
	return wait_s;
}

int64_t sync_backoff_due_s(struct store *st)
{
	struct sync_backoff b;
	char boot[BBT_BOOT_ID_LEN];
	int64_t left;

	sync_backoff_load(st, &b);
	if (!b.boot_id[0] || clock_boot_id(boot, NULL) < 0 ||
	    strcmp(boot, b.boot_id) != 0)
		return 0;	/* another boot (or none known): due now */
	left = b.due_boot_us - bbt_clock_boottime_us();
	return left <= 0 ? 0 : (left + 999999) / 1000000;
}

/* ---- the daemon's thread ---- */

struct sync_thread {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct agent_config cfg;	/* under mu */
	atomic_int cfg_changed;
	atomic_int stop;		/* also read by transfers in flight, unlocked */
	atomic_int kick;
	int have_settings;
	struct detector_settings settings;
	struct detector_settings last_settings;
	void (*on_settings)(void *);	/* wakes the run loop; under mu */
	void *on_settings_arg;
};

/* Sleep until stop, a kick (if kick_ok), a new config, or `secs`. */
static void thread_wait(struct sync_thread *t, int64_t secs, int kick_ok)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)secs;
	pthread_mutex_lock(&t->mu);
	while (!atomic_load(&t->stop) && !atomic_load(&t->cfg_changed) &&
	    !(kick_ok && atomic_load(&t->kick))) {
		if (pthread_cond_timedwait(&t->cv, &t->mu, &ts) == ETIMEDOUT)
			break;
	}
	atomic_store(&t->kick, 0);
	pthread_mutex_unlock(&t->mu);
}

static void thread_config(struct sync_thread *t, struct agent_config *cfg)
{
	pthread_mutex_lock(&t->mu);
	*cfg = t->cfg;
	atomic_store(&t->cfg_changed, 0);
	pthread_mutex_unlock(&t->mu);
}

/* 1 when enrolled; 0 to wait `*wait_s` and try again. */
static int thread_enroll(struct sync_thread *t, struct store *st,
    const struct agent_config *cfg, int *failures, int64_t *wait_s)
{
	struct bbt_error err;

	switch (enroll_attempt(st, cfg, &err)) {
	case ENROLL_ATTEMPT_ALREADY:
		return 1;
	case ENROLL_ATTEMPT_CANNOT:
		*wait_s = INT32_MAX;	/* until a new config or stop */
		return 0;
	case ENROLL_ATTEMPT_DONE:
		*failures = 0;
		return 1;
	case ENROLL_ATTEMPT_RETRY:
		*wait_s = sync_backoff_s(++*failures, cfg->sync.backoff_cap);
		log_warn("enrollment: %s; retrying in %" PRId64 " s", err.msg,
		    *wait_s);
		return 0;
	case ENROLL_ATTEMPT_REFUSED:
		break;
	}
	log_err("enrollment refused: %s; not retrying until the config "
	    "changes", err.msg);
	*wait_s = INT32_MAX;
	return 0;
}

static void thread_settings(struct sync_thread *t, const struct sync_result *res)
{
	if (!res->have_settings)
		return;
	pthread_mutex_lock(&t->mu);
	if (memcmp(&res->settings, &t->last_settings, sizeof(res->settings))) {
		t->settings = res->settings;
		t->last_settings = res->settings;
		t->have_settings = 1;
		if (t->on_settings)
			t->on_settings(t->on_settings_arg);
	}
	pthread_mutex_unlock(&t->mu);
}

static void *thread_main(void *arg)
{
	struct sync_thread *t = arg;
	struct agent_config cfg;
	struct store *st = NULL;
	struct sync_result res;
	struct bbt_error err;
	int failures = 0;
	int64_t wait_s = 0;

	thread_config(t, &cfg);
	if (store_open(&st, cfg.state_dir, &err) < 0) {
		log_err("sync: %s; sync disabled", err.msg);
		return NULL;
	}
	while (!atomic_load(&t->stop)) {
		if (!thread_enroll(t, st, &cfg, &failures, &wait_s)) {
			thread_wait(t, wait_s, 0);
			thread_config(t, &cfg);
			continue;
		}
		if (sync_pass(st, &cfg, &t->stop, &res, &err) < 0 && !atomic_load(&t->stop))
			log_warn("sync: %s", err.msg);
		else if (res.accepted + res.duplicate + res.rejected > 0)
			log_info("sync: %" PRId64 " sessions acknowledged, %" PRId64
			    " left", res.accepted + res.duplicate + res.rejected,
			    res.left);
		thread_settings(t, &res);
		wait_s = sync_backoff_after_pass(st, &res, &cfg, &err);
		thread_wait(t, wait_s, res.status == SYNC_OK);
		thread_config(t, &cfg);
	}
	store_close(st);
	return NULL;
}

/* Enrolled with `enroll --server` although the config names no server. */
static int enrolled_elsewhere(const struct agent_config *cfg)
{
	struct store *st = NULL;
	struct enroll_state es = { .status = ENROLL_NONE };

	if (store_open(&st, cfg->state_dir, NULL) < 0)
		return 0;
	enroll_state_load(st, &es, NULL);
	store_close(st);
	return es.url[0] != '\0';
}

int sync_thread_start(struct sync_thread **out, const struct agent_config *cfg,
    struct bbt_error *e)
{
	struct sync_thread *t;
	pthread_condattr_t ca;

	*out = NULL;
	if (!cfg->server.url[0] && !enrolled_elsewhere(cfg))
		return 0;
	t = calloc(1, sizeof(*t));
	if (!t)
		return bbt_error_set(e, "out of memory");
	t->cfg = *cfg;
	t->last_settings = cfg->detector;
	pthread_mutex_init(&t->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (http_client_global_init(e) < 0 ||
	    pthread_create(&t->th, NULL, thread_main, t) != 0) {
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->mu);
		free(t);
		return bbt_error_set(e, "cannot start the sync thread");
	}
	*out = t;
	return 0;
}

void sync_thread_kick(struct sync_thread *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&st->mu);
	atomic_store(&st->kick, 1);
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

void sync_thread_reconfigure(struct sync_thread *st, const struct agent_config *cfg)
{
	if (!st)
		return;
	pthread_mutex_lock(&st->mu);
	st->cfg = *cfg;
	atomic_store(&st->cfg_changed, 1);
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

void sync_thread_on_settings(struct sync_thread *st, void (*fn)(void *), void *arg)
{
	if (!st)
		return;
	pthread_mutex_lock(&st->mu);
	st->on_settings = fn;
	st->on_settings_arg = arg;
	pthread_mutex_unlock(&st->mu);
}

int sync_thread_settings(struct sync_thread *st, struct detector_settings *out)
{
	int have;

	if (!st)
		return 0;
	pthread_mutex_lock(&st->mu);
	have = st->have_settings;
	if (have)
		*out = st->settings;
	st->have_settings = 0;
	pthread_mutex_unlock(&st->mu);
	return have;
}

void sync_thread_stop(struct sync_thread *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&st->mu);
	atomic_store(&st->stop, 1);
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
	pthread_join(st->th, NULL);
	pthread_cond_destroy(&st->cv);
	pthread_mutex_destroy(&st->mu);
	free(st);
}
