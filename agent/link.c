/*
 * link: clock evidence, the time probe, TLS options and reply faults shared
 * by enrollment and sync (see link.h, docs/sync.md).
 */
#include "link.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_log.h"
#include "bbt_time.h"
#include "reply.h"

static int64_t meta_int(struct store *st, const char *key)
{
	char v[32];

	if (store_meta_get(st, key, v, sizeof(v)) <= 0)
		return 0;
	return strtoll(v, NULL, 10);
}

int link_evidence(struct store *st, const char *boot_id, struct clock_evidence *ev)
{
	char key[CLOCK_META_KEY_LEN], v[64];

	clock_meta_key(boot_id, key);
	if (store_meta_get(st, key, v, sizeof(v)) <= 0 ||
	    clock_evidence_parse(v, ev) < 0)
		return -1;
	return 0;
}

/* The true time now by this boot's evidence, Unix s; 0 without evidence. */
static int64_t evidence_now_s(struct store *st, const char *boot_id)
{
	struct clock_evidence ev;

	if (link_evidence(st, boot_id, &ev) < 0)
		return 0;
	return clock_true_us(&ev, bbt_clock_boottime_us()) / 1000000;
}

static void record_evidence(struct store *st, int64_t boot_mid_us,
    int64_t server_us)
{
	struct clock_evidence ev = { boot_mid_us, server_us };
	char boot[BBT_BOOT_ID_LEN], key[CLOCK_META_KEY_LEN], v[64];
	int64_t real_mid_us = bbt_clock_realtime_us() -
	    (bbt_clock_boottime_us() - boot_mid_us);
	int64_t off = (server_us - real_mid_us) / 1000000;

	if (clock_boot_id(boot, NULL) < 0)
		return;
	clock_meta_key(boot, key);
	clock_evidence_format(&ev, v, sizeof(v));
	store_meta_set(st, key, v, NULL);
	snprintf(v, sizeof(v), "%" PRId64, off);
	store_meta_set(st, "clock_offset_s", v, NULL);
	if (server_us / 1000000 > meta_int(st, "clock_last_server_time")) {
		snprintf(v, sizeof(v), "%" PRId64, server_us / 1000000);
		store_meta_set(st, "clock_last_server_time", v, NULL);
	}
	if (off > CLOCK_UNTRUSTED_S || off < -CLOCK_UNTRUSTED_S)
		log_warn("local clock is %" PRId64 " s %s the server's",
		    off > 0 ? off : -off, off > 0 ? "behind" : "ahead of");
}

void link_note_time(struct store *st, int64_t server_us, int64_t boot_mid_us)
{
	record_evidence(st, boot_mid_us ? boot_mid_us : bbt_clock_boottime_us(),
	    server_us);
}

void link_note_server_time(struct store *st, const struct http_response *r,
    int64_t boot_mid_us)
{
	int64_t us;

	if (reply_server_time(r->body, r->len, LINK_TIME_FLOOR_S, &us))
		link_note_time(st, us, boot_mid_us);
}

/*
 * The ntpd "constraint": with no evidence for this boot, fetch /healthz
 * with certificate dates unchecked (chain and name still are), and believe
 * the reply's Date only if it lies inside that certificate's validity and
 * after our own build. No credential travels on this request.
 */
static void time_probe(struct store *st, const struct agent_config *cfg,
    const char *base_url)
{
	struct http_client_opts o = {
		.ca_file = cfg->server.ca_file, .proxy = cfg->server.proxy,
		.no_time_check = 1,
	};
	struct http_response r;
	char url[600];
	int64_t b0, b1;

	if (http_client_url_join(base_url, "healthz", url, sizeof(url)) < 0)
		return;
	b0 = bbt_clock_boottime_us();
	if (http_client_get(&o, url, &r, NULL) < 0)
		return;
	b1 = bbt_clock_boottime_us();
	if (clock_probe_acceptable(r.date, r.cert_not_before, r.cert_not_after,
	    BBT_BUILD_EPOCH)) {
		/* Date is truncated to the second: take the middle of it. */
		record_evidence(st, b0 + (b1 - b0) / 2, r.date * 1000000 + 500000);
		log_info("time probe: server time %" PRId64 " accepted", r.date);
	} else {
		log_warn("time probe: server date %" PRId64 " not within its "
		    "certificate's validity; not used", r.date);
	}
	http_client_response_free(&r);
}

void link_http_opts(struct store *st, const struct agent_config *cfg,
    const char *base_url, struct http_client_opts *o)
{
	char boot[BBT_BOOT_ID_LEN] = "";
	int64_t ev = 0, local = bbt_clock_realtime_us() / 1000000;
	int64_t floor_s, trusted;

	memset(o, 0, sizeof(*o));
	o->ca_file = cfg->server.ca_file;
	o->proxy = cfg->server.proxy;
	if (strncmp(base_url, "https://", 8) != 0)
		return;
	if (clock_boot_id(boot, NULL) == 0)
		ev = evidence_now_s(st, boot);
	if (ev == 0 && boot[0]) {
		time_probe(st, cfg, base_url);
		ev = evidence_now_s(st, boot);
	}
	floor_s = meta_int(st, "clock_last_server_time");
	if (!clock_local_untrusted(BBT_BUILD_EPOCH, local, ev) && local >= floor_s)
		return;
	trusted = clock_trusted_time(BBT_BUILD_EPOCH, local, ev, floor_s);
	o->trusted_time = trusted;
	log_debug("certificate dates judged at %" PRId64 " (local clock %" PRId64
	    ")", trusted, local);
}

enum link_fault link_fault_of(long status)
{
	if (status == 0)
		return LINK_NET;
	if (status >= 200 && status < 300)
		return LINK_OK;
	if (status == 401)
		return LINK_REVOKED;
	if (status == 429 || status == 503)
		return LINK_RETRY_AFTER;
	if (status >= 500)
		return LINK_SERVER;
	return LINK_REFUSED;
}

int link_fault_transient(enum link_fault f)
{
	return f == LINK_NET || f == LINK_SERVER || f == LINK_RETRY_AFTER;
}

const char *link_error_text(const struct http_response *r, char *buf, size_t n)
{
	reply_error_text(r->body, r->len, buf, n);
	return buf;
}
