/*
 * link: what every exchange with the collector shares (CONTRACT 4.4), for
 * enrollment (enroll.c) and sync (sync.c) alike: the true-time evidence a
 * reply carries, the time probe, the HTTP/TLS options that follow from it,
 * and what a reply's status and error body mean.
 *
 * Invariants:
 *  - Evidence of the true time is kept per boot in store meta
 *    (clock.h's key), from a server_time or a probed Date no earlier than
 *    LINK_TIME_FLOOR_S; "clock_last_server_time" only ever grows, so a
 *    clock stepped back cannot make an expired certificate look valid.
 *  - Certificate dates are judged by the local clock unless it is known
 *    to be untrustworthy (clock.h); then by the trusted time. Chain and
 *    host name are always checked. Only the time probe runs with no date
 *    check at all, carries no credential, and its Date is believed only
 *    inside the certificate's validity (OpenBSD ntpd's constraints).
 *  - Nothing here sleeps or decides about retries: it says what a reply
 *    means (link_fault), the caller decides what to do.
 * Depends on store, clock, http_client and reply only: enroll and sync
 * both use it, it uses neither.
 */
#ifndef LINK_H
#define LINK_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "http_client.h"
#include "store.h"

/* A server_time before this cannot be true (a day of slack on the build). */
#define LINK_TIME_FLOOR_S (BBT_BUILD_EPOCH - 86400)

/*
 * HTTP options for talking to base_url: [server] ca_file and proxy, and
 * the time certificate dates are judged by (clock.h). Over HTTPS with no
 * clock evidence for this boot, first runs the time probe (a GET of
 * /healthz without credentials and without date checks, whose Date is
 * accepted only inside the certificate's validity; see docs/sync.md).
 * o points into cfg: keep cfg alive while o is used.
 */
void link_http_opts(struct store *st, const struct agent_config *cfg,
    const char *base_url, struct http_client_opts *o);
/*
 * Record server_us (Unix us, the server's time) as clock evidence for this
 * boot, and clock_offset_s. boot_mid_us: CLOCK_BOOTTIME halfway through
 * the request, or 0 for "now".
 */
void link_note_time(struct store *st, int64_t server_us, int64_t boot_mid_us);
/* The same from the "server_time" of a JSON reply, if it has a believable one. */
void link_note_server_time(struct store *st, const struct http_response *r,
    int64_t boot_mid_us);
/* The evidence kept for boot_id: 0 and *ev, or -1 if there is none. */
int link_evidence(struct store *st, const char *boot_id, struct clock_evidence *ev);

/* What a reply's status means for the exchange. */
enum link_fault {
	LINK_OK,		/* 2xx */
	LINK_NET,		/* no reply at all (status 0) */
	LINK_REVOKED,		/* 401: our credential was refused */
	LINK_RETRY_AFTER,	/* 429, 503: the server asks us to wait */
	LINK_SERVER,		/* other 5xx: the server failed, try later */
	LINK_REFUSED,		/* other 4xx: asking again will not help */
};
enum link_fault link_fault_of(long status);
/* 1 if the same request may succeed later (no reply, 5xx, 429). */
int link_fault_transient(enum link_fault f);
/* The reply's "error" text, sanitized (reply.h), in buf; returns buf. */
const char *link_error_text(const struct http_response *r, char *buf, size_t n);

#endif
