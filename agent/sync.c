/*
 * sync: one pass of heartbeat and upload to the collector (see sync.h,
 * docs/sync.md); sync_loop.c decides when passes run.
 *
 * Invariants:
 *  - A session leaves the outbox only through store_outbox_settle() with
 *    ids of the very batch the server named in accepted/duplicate/rejected
 *    (reply.c); a rejected one goes to the quarantine with its reason and
 *    is offered again later (SYNC_REOFFER_S); no failure of any kind
 *    deletes anything.
 *  - A pass heartbeats before it uploads, so a session of the current boot
 *    gets clock evidence from this very contact before it is sent.
 *  - A pass never sleeps: waiting (interval, backoff, Retry-After) is
 *    sync_loop.c's, so `bbt-agent sync` returns as soon as the network does.
 *  - 401 marks the device revoked and nothing retries it automatically
 *    (no enrollment loops); `bbt-agent enroll` is the way back.
 *  - A collector that moved (CONTRACT 4.4 collector_url) is followed only
 *    from https to https (certificates always verified), and only once
 *    the new address has answered this device's own heartbeat with a 200;
 *    the old address is kept as the fallback and tried when the new one
 *    gives no reply at all. A probe of either is never taken as a
 *    revocation: only the collector in use can revoke.
 */
#include "sync.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bbt_array.h"
#include "bbt_log.h"
#include "bbt_time.h"
#include "clock.h"
#include "enroll.h"
#include "hwinfo.h"
#include "link.h"
#include "reply.h"

#define SYNC_MAX_ROUNDS 100000

static int warned_http;

/* ---- one pass ---- */

struct pass {
	struct store *st;
	const struct agent_config *cfg;
	struct http_client_opts http;
	struct sync_result *res;
	const atomic_int *cancel;
	char base[512];
	char moved_to[REPLY_URL_LEN];	/* the heartbeat reply's collector_url */
	char token[REPLY_TOKEN_LEN];
	char boot[BBT_BOOT_ID_LEN];
	char (*skip)[BBT_UUID_LEN];	/* sessions too big even alone */
	size_t nskip, cap_skip;
};

/* A reply that is not 2xx: set the status and the error; always -1. */
static int classify(struct pass *p, const char *what,
    const struct http_response *r, struct bbt_error *e)
{
	char msg[REPLY_TEXT_LEN];
	enum link_fault f = link_fault_of(r->status);

	link_error_text(r, msg, sizeof(msg));
	if (f == LINK_REVOKED) {
		p->res->status = SYNC_REVOKED;
		enroll_mark_revoked(p->st, NULL);
		return bbt_error_set(e, "%s: HTTP 401 %s: device token refused, "
		    "not enrolled (run bbt-agent enroll)", what, msg);
	}
	if (f == LINK_RETRY_AFTER) {
		p->res->status = SYNC_RETRY_AFTER;
		p->res->retry_after_s = r->retry_after_s;
		return bbt_error_set(e, "%s: HTTP %ld %s (retry after %" PRId64
		    " s)", what, r->status, msg, r->retry_after_s);
	}
	p->res->status = SYNC_SERVER;
	return bbt_error_set(e, "%s: HTTP %ld %s", what, r->status, msg);
}

static int post(struct pass *p, const char *path, const char *body,
    struct http_response *r, int64_t *boot_mid, struct bbt_error *e)
{
	char url[600];
	int64_t b0;

	if (http_client_url_join(p->base, path, url, sizeof(url)) < 0) {
		p->res->status = SYNC_NOT_ENROLLED;
		return bbt_error_set(e, "server url too long");
	}
	b0 = bbt_clock_boottime_us();
	if (http_client_post_json(&p->http, url, p->token, body, strlen(body), 1, r,
	    e) < 0) {
		p->res->status = SYNC_NET;
		return bbt_error_prefix(e, "%s", url);
	}
	*boot_mid = b0 + (bbt_clock_boottime_us() - b0) / 2;
	return 0;
}

static void agent_time(char out[BBT_ISO8601_LEN])
{
	int64_t now = bbt_clock_realtime_us() / 1000000;

	bbt_time_format(now, bbt_tz_local_offset(now), out);
}

/* The input hardware found (hwinfo); an empty list if it cannot be read. */
static int add_devices(cJSON *o)
{
	struct bbt_error err;
	cJSON *d = hwinfo_json(&err);

	if (!d) {
		log_debug("heartbeat without devices: %s", err.msg);
		return cJSON_AddArrayToObject(o, "devices") != NULL;
	}
	return cJSON_AddItemToObject(o, "devices", d);
}

/* Talk to url from now on in this pass. */
static void use_base(struct pass *p, const char *url)
{
	snprintf(p->base, sizeof(p->base), "%s", url);
	link_http_opts(p->st, p->cfg, p->base, &p->http);
	p->http.cancel = p->cancel;
}

/* probe: a collector not (yet, or no longer) in use; its non-200 is only
 * an error, never a revocation or a Retry-After to honour. */
static int heartbeat(struct pass *p, int probe, struct bbt_error *e)
{
	char t[BBT_ISO8601_LEN];
	struct http_response r;
	struct reply_heartbeat hb;
	int64_t depth = 0, mid;
	cJSON *o = cJSON_CreateObject();
	char *body = NULL;
	int ret = -1;

	store_outbox_count(p->st, &depth, NULL);
	agent_time(t);
	if (!o || !cJSON_AddStringToObject(o, "agent_time", t) ||
	    !cJSON_AddNumberToObject(o, "buffer_depth", (double)depth) ||
	    !cJSON_AddStringToObject(o, "version", BBT_VERSION) ||
	    /* The collector's online window is three of this device's intervals. */
	    !cJSON_AddNumberToObject(o, "sync_interval_s", (double)p->cfg->sync.interval) ||
	    !cJSON_AddStringToObject(o, "boot_id", p->boot) ||
	    !add_devices(o) || !(body = cJSON_PrintUnformatted(o))) {
		p->res->status = SYNC_LOCAL;
		bbt_error_set(e, "out of memory");
		goto out;
	}
	if (post(p, "api/v1/heartbeat", body, &r, &mid, e) < 0)
		goto out;
	if (r.status != 200) {
		if (probe) {
			p->res->status = SYNC_SERVER;
			bbt_error_set(e, "heartbeat: HTTP %ld", r.status);
		} else {
			classify(p, "heartbeat", &r, e);
		}
		http_client_response_free(&r);
		goto out;
	}
	p->res->settings = p->cfg->detector;
	if (reply_heartbeat_parse(r.body, r.len, LINK_TIME_FLOOR_S, &p->cfg->detector,
	    &hb, NULL) == 0) {
		if (hb.has_server_time)
			link_note_time(p->st, hb.server_us, mid);
		if (hb.refused)
			log_warn("heartbeat: %d detector setting%s from the server out of "
			    "range or not an integer; kept the current value%s",
			    hb.refused, hb.refused == 1 ? "" : "s", hb.refused == 1 ?
			    "" : "s");
		p->res->have_settings = hb.has_settings;
		p->res->settings = hb.settings;
		if (hb.bad_url)
			log_warn("heartbeat: the server's collector_url is not an https:// "
			    "URL; ignored");
		snprintf(p->moved_to, sizeof(p->moved_to), "%s", hb.collector_url);
	}
	http_client_response_free(&r);
	ret = 0;
out:
	cJSON_Delete(o);
	free(body);
	return ret;
}

/* Equal but for trailing slashes. */
static int same_url(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 0 && a[la - 1] == '/')
		la--;
	while (lb > 0 && b[lb - 1] == '/')
		lb--;
	return la == lb && strncmp(a, b, la) == 0;
}

/*
 * The collector in use said it moved to p->moved_to: follow if the rules
 * at the top allow, else stay. 0 either way; -1 only if the move was made
 * but could not be saved (then the pass goes on with the old address).
 */
static int follow_move(struct pass *p, struct enroll_state *es, struct bbt_error *e)
{
	char from[sizeof(p->base)];
	struct bbt_error pe;
	struct enroll_state moved = *es;

	if (!p->moved_to[0] || same_url(p->moved_to, p->base))
		return 0;
	if (strncmp(p->base, "https://", 8) != 0) {
		log_warn("%s says the collector moved to %s; not followed: only a "
		    "collector reached over https can move its agents", p->base, p->moved_to);
		return 0;
	}
	snprintf(from, sizeof(from), "%s", p->base);
	use_base(p, p->moved_to);
	if (heartbeat(p, 1, &pe) < 0) {
		log_warn("%s says the collector moved to %s, which does not answer (%s); "
		    "staying with %s", from, p->moved_to, bbt_error_msg(&pe), from);
		p->res->status = SYNC_OK;
		use_base(p, from);
		return 0;
	}
	snprintf(moved.url, sizeof(moved.url), "%s", p->base);
	snprintf(moved.prev_url, sizeof(moved.prev_url), "%s", from);
	if (enroll_state_save(p->st, &moved, e) < 0) {
		p->res->status = SYNC_LOCAL;
		use_base(p, from);
		return bbt_error_prefix(e, "saving the collector's new address");
	}
	*es = moved;
	log_info("the collector moved: now %s (was %s, kept as the fallback)", p->base,
	    from);
	return 0;
}

/*
 * The heartbeat of a pass: to the collector in use; if that gives no reply
 * at all and the collector moved here from another address, to that one
 * (a move whose new address went away must not strand the agent).
 */
static int contact(struct pass *p, struct enroll_state *es, struct bbt_error *e)
{
	char from[sizeof(p->base)];

	if (heartbeat(p, 0, e) == 0)
		return follow_move(p, es, e);
	if (p->res->status != SYNC_NET || !es->prev_url[0] ||
	    same_url(es->prev_url, p->base))
		return -1;
	snprintf(from, sizeof(from), "%s", p->base);
	log_warn("%s: %s; trying %s, the address the collector moved from", from,
	    bbt_error_msg(e), es->prev_url);
	use_base(p, es->prev_url);
	if (heartbeat(p, 1, e) < 0)
		return bbt_error_prefix(e, "%s gives no reply, and %s", from, es->prev_url);
	p->moved_to[0] = '\0';	/* it said so already: the new one is what fails */
	return 0;
}

/* Correct s in memory; upload() writes a batch's corrections at once. */
static int correct_clock(struct pass *p, struct bbt_session *s,
    struct bbt_error *e)
{
	struct clock_evidence ev;
	const struct clock_evidence *have;
	int64_t old_start = s->start;

	if (!s->boot_id[0])
		return 0;
	have = link_evidence(p->st, s->boot_id, &ev) == 0 ? &ev : NULL;
	if (!clock_correct_session(s, have))
		return 0;
	if (s->flags & BBT_FLAG_CLOCK_ADJUSTED && s->start != old_start)
		log_info("session %s: start moved by %" PRId64 " s to the "
		    "server's time", s->id, s->start - old_start);
	return 0;
}

static int skipped(const struct pass *p, const char *id)
{
	for (size_t i = 0; i < p->nskip; i++)
		if (strcmp(p->skip[i], id) == 0)
			return 1;
	return 0;
}

static int add_skip(struct pass *p, const char *id)
{
	if (bbt_grow(&p->skip, &p->cap_skip, p->nskip + 1, sizeof(*p->skip)) < 0)
		return -1;
	memcpy(p->skip[p->nskip++], id, BBT_UUID_LEN);
	return 0;
}

/*
 * Settle the batch s[0, n) by the reply: ids the server named leave the
 * outbox, rejected ones into the quarantine (reply.c only ever names ids
 * of this batch).
 */
static int take_reply(struct pass *p, const struct http_response *r,
    const struct bbt_session *s, size_t n, int64_t *acked, struct bbt_error *e)
{
	struct reply_item *items = calloc(n ? n : 1, sizeof(*items));
	struct store_outcome *out = calloc(n ? n : 1, sizeof(*out));
	const char **ids = calloc(n ? n : 1, sizeof(*ids));
	struct reply_upload u;
	size_t k = 0;
	int ret = -1;

	if (!items || !out || !ids) {
		p->res->status = SYNC_LOCAL;
		bbt_error_set(e, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = s[i].id;
	if (reply_upload_parse(r->body, r->len, ids, n, LINK_TIME_FLOOR_S, items, &u,
	    e) < 0) {
		p->res->status = SYNC_SERVER;
		goto out;
	}
	if (u.foreign)
		log_warn("sessions: the reply named %zu id%s not in the batch sent; "
		    "ignored", u.foreign, u.foreign == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		if (items[i].outcome == REPLY_NONE)
			continue;
		out[k].id = s[i].id;
		out[k].rejected = items[i].outcome == REPLY_REJECTED;
		out[k].error = items[i].error;
		if (out[k].rejected)
			log_warn("session %s rejected by the server: %s; kept in "
			    "quarantine (bbt-agent sessions --rejected)", s[i].id,
			    items[i].error);
		k++;
	}
	if (store_outbox_settle(p->st, out, k, e) < 0) {
		p->res->status = SYNC_LOCAL;
		goto out;
	}
	p->res->accepted += (int64_t)u.accepted;
	p->res->duplicate += (int64_t)u.duplicate;
	p->res->rejected += (int64_t)u.rejected;
	*acked += (int64_t)k;
	ret = 0;
out:
	free(items);
	free(out);
	free(ids);
	return ret;
}

/* Body for sessions [0, n): the JSON lines are already made. */
static char *batch_body(char **lines, size_t n)
{
	char t[BBT_ISO8601_LEN];
	size_t len = 64 + BBT_ISO8601_LEN, off;
	char *b;

	for (size_t i = 0; i < n; i++)
		len += strlen(lines[i]) + 1;
	b = malloc(len);
	if (!b)
		return NULL;
	agent_time(t);
	off = (size_t)snprintf(b, len, "{\"agent_time\":\"%s\",\"sessions\":[", t);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(lines[i]);

		if (i)
			b[off++] = ',';
		memcpy(b + off, lines[i], l);
		off += l;
	}
	memcpy(b + off, "]}", 3);
	return b;
}

/* POST sessions [0, n); on 413 split in halves, down to one. */
static int send_batch(struct pass *p, struct bbt_session *s, char **lines,
    size_t n, int64_t *acked, struct bbt_error *e)
{
	struct http_response r;
	char *body = batch_body(lines, n);
	int64_t mid;
	int ret = -1;

	if (!body) {
		p->res->status = SYNC_LOCAL;
		return bbt_error_set(e, "out of memory");
	}
	if (post(p, "api/v1/sessions", body, &r, &mid, e) < 0)
		goto out;
	if (r.status == 413 && n > 1) {
		size_t h = n / 2;

		log_info("413 for %zu sessions: splitting the batch", n);
		ret = send_batch(p, s, lines, h, acked, e);
		if (ret == 0)
			ret = send_batch(p, s + h, lines + h, n - h, acked, e);
	} else if (r.status == 413) {
		log_err("session %s is too large for the server even alone; "
		    "kept in the outbox", s->id);
		p->res->too_big++;
		ret = add_skip(p, s->id);
	} else if (r.status == 200) {
		link_note_server_time(p->st, &r, mid);
		ret = take_reply(p, &r, s, n, acked, e);
	} else {
		classify(p, "sessions", &r, e);
	}
	http_client_response_free(&r);
out:
	free(body);
	return ret;
}

/* Send sessions [0, n) in batches bounded by SYNC_BATCH_BYTES. */
static int send_all(struct pass *p, struct bbt_session *s, size_t n,
    int64_t *acked, struct bbt_error *e)
{
	char **lines = calloc(n ? n : 1, sizeof(*lines));
	size_t i, first = 0, bytes = 0;
	int ret = -1;

	if (!lines) {
		p->res->status = SYNC_LOCAL;
		return bbt_error_set(e, "out of memory");
	}
	for (i = 0; i < n; i++) {
		lines[i] = bbt_session_to_json_line(&s[i]);
		if (!lines[i]) {
			p->res->status = SYNC_LOCAL;
			bbt_error_set(e, "out of memory");
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		size_t l = strlen(lines[i]) + 1;

		if (i > first && bytes + l > SYNC_BATCH_BYTES) {
			if (send_batch(p, s + first, lines + first, i - first,
			    acked, e) < 0)
				goto out;
			first = i;
			bytes = 0;
		}
		bytes += l;
	}
	if (n > first && send_batch(p, s + first, lines + first, n - first,
	    acked, e) < 0)
		goto out;
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	return ret;
}

/* Quarantined sessions last rejected over SYNC_REOFFER_S ago: offer again. */
static void reoffer(struct pass *p)
{
	struct bbt_error err;
	int64_t n = 0;

	if (store_quarantine_reoffer(p->st, bbt_clock_realtime_us() / 1000000 -
	    SYNC_REOFFER_S, &n, &err) < 0)
		log_warn("quarantine: %s", err.msg);
	else if (n > 0)
		log_info("offering %" PRId64 " rejected session%s to the server again",
		    n, n == 1 ? "" : "s");
}

static int upload(struct pass *p, struct bbt_error *e)
{
	struct bbt_session *s = NULL;
	size_t cap = 0;
	int ret = -1;

	reoffer(p);
	for (int round = 0; round < SYNC_MAX_ROUNDS; round++) {
		size_t want = SYNC_BATCH_MAX + p->nskip, got = 0, k = 0;
		int64_t acked = 0;

		if (bbt_grow(&s, &cap, want, sizeof(*s)) < 0) {
			p->res->status = SYNC_LOCAL;
			bbt_error_set(e, "out of memory");
			goto out;
		}
		if (store_outbox_list(p->st, s, want, &got, e) < 0) {
			p->res->status = SYNC_LOCAL;
			goto out;
		}
		for (size_t i = 0; i < got; i++) {
			if (skipped(p, s[i].id))
				continue;
			if (correct_clock(p, &s[i], e) < 0)
				goto out;
			s[k++] = s[i];
		}
		if (k == 0)
			break;
		/* One transaction for the batch's corrections (one fsync). */
		if (store_sessions_update_times(p->st, s, k, e) < 0) {
			p->res->status = SYNC_LOCAL;
			goto out;
		}
		if (send_all(p, s, k, &acked, e) < 0)
			goto out;
		if (acked == 0 && p->res->too_big == 0) {
			/* A 200 that names none of ours: do not spin. */
			p->res->status = SYNC_SERVER;
			bbt_error_set(e, "sessions: the server acknowledged none "
			    "of %zu sessions", k);
			goto out;
		}
	}
	ret = 0;
out:
	free(s);
	return ret;
}

static void finish(struct pass *p, int ok, struct bbt_error *e)
{
	char t[BBT_ISO8601_LEN];

	if (store_outbox_count(p->st, &p->res->left, NULL) < 0)
		p->res->left = -1;
	if (store_quarantine_count(p->st, &p->res->quarantined, NULL) < 0)
		p->res->quarantined = -1;
	if (ok) {
		agent_time(t);
		store_meta_set(p->st, "last_sync", t, NULL);
		store_meta_set(p->st, "last_sync_error", p->res->too_big ?
		    "sessions too large for the server are kept" : "", NULL);
	} else {
		store_meta_set(p->st, "last_sync_error", bbt_error_msg(e), NULL);
	}
}

int sync_pass(struct store *st, const struct agent_config *cfg,
    const atomic_int *cancel, struct sync_result *res, struct bbt_error *e)
{
	struct pass p = { .st = st, .cfg = cfg, .res = res, .cancel = cancel };
	struct enroll_state es;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	res->retry_after_s = -1;
	res->left = -1;
	res->quarantined = -1;
	if (store_outbox_count(st, &res->left, NULL) < 0)
		res->left = -1;
	if (enroll_state_load(st, &es, e) < 0) {
		res->status = SYNC_LOCAL;
		return -1;
	}
	if (es.status != ENROLL_ACTIVE) {
		res->status = es.status == ENROLL_REVOKED ? SYNC_REVOKED : SYNC_NOT_ENROLLED;
		return bbt_error_set(e, "not enrolled%s", res->status ==
		    SYNC_REVOKED ? " (the server refused our token; run "
		    "bbt-agent enroll)" : " (run bbt-agent enroll)");
	}
	snprintf(p.token, sizeof(p.token), "%s", es.device_token);
	if (!p.token[0] || !(es.url[0] || cfg->server.url[0])) {
		res->status = SYNC_NOT_ENROLLED;
		return bbt_error_set(e, "not enrolled: no device token or url");
	}
	use_base(&p, es.url[0] ? es.url : cfg->server.url);
	if (cfg->server.url[0] && !same_url(cfg->server.url, p.base) &&
	    !same_url(cfg->server.url, es.prev_url))
		log_warn("[server] url %s differs from the server enrolled with (%s); "
		    "using the latter: run bbt-agent enroll to move", cfg->server.url,
		    p.base);
	if (strncmp(p.base, "http://", 7) == 0 && !warned_http &&
	    !same_url(cfg->server.url, p.base)) {
		/* config.c warns about [server] url itself. */
		warned_http = 1;	/* once per process, not every interval */
		log_warn("%s: plain HTTP, sessions travel unencrypted", p.base);
	}
	if (clock_boot_id(p.boot, NULL) < 0)
		p.boot[0] = '\0';
	if (contact(&p, &es, e) == 0 && upload(&p, e) == 0)
		ret = 0;
	if (ret == 0)
		res->status = SYNC_OK;
	finish(&p, ret == 0, e);
	free(p.skip);
	return ret;
}
