/*
 * http_client: the agent's one way to talk HTTP(S) to the collector, on
 * libcurl (OpenSSL flavour).
 *
 * Invariants:
 *  - TLS peer and host name verification are always on. [server] ca_file
 *    is an extra CA bundle: it is added to the system store
 *    (/etc/ssl/certs), it never replaces it.
 *  - Every request is bounded: connect 10 s, total 60 s (the environment
 *    variable BBT_HTTP_TIMEOUT lowers the total, for tests), and a stalled
 *    transfer (under 1 byte/s for 20 s) is abandoned.
 *  - Only the validity dates of certificates may be judged against a time
 *    other than the local clock (trusted_time): for a machine whose wall
 *    clock is known to be wrong (see clock.h). no_time_check turns the date
 *    check off entirely; it is used only for the credential-free time probe
 *    (link.c), whose answer is then checked against the server's
 *    own Date (OpenBSD ntpd's constraint idea).
 *  - A set *cancel aborts a transfer in flight within about a second.
 *  - A reply of any HTTP status is a success of this layer (status set); -1
 *    means no HTTP reply at all (network, TLS, timeout).
 */
#ifndef HTTP_CLIENT_H
#define HTTP_CLIENT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"

#define HTTP_CONNECT_TIMEOUT_S 10
#define HTTP_TOTAL_TIMEOUT_S 60
#define HTTP_MAX_REPLY (4 * 1024 * 1024)

struct http_client_opts {
	const char *ca_file;		/* extra CA bundle, "" or NULL for none */
	const char *proxy;		/* "" or NULL: libcurl's default (env) */
	int64_t trusted_time;		/* Unix s to judge cert dates by; 0 = local clock */
	int no_time_check;		/* only for the time probe (link.c) */
	const atomic_int *cancel;	/* non-zero aborts a transfer; may be NULL; set
					 * from another thread, hence atomic */
};

struct http_response {
	long status;			/* HTTP status; 0 if no reply */
	char *body;			/* NUL-terminated, may be NULL */
	size_t len;
	int64_t retry_after_s;		/* -1 if no (valid) Retry-After */
	int64_t date;			/* server's Date header (Unix s), 0 if none */
	/* Peer certificate validity (Unix s), 0 if not known (plain HTTP). */
	int64_t cert_not_before, cert_not_after;
};

/* Once per process, before any thread starts. */
int http_client_global_init(struct bbt_error *e);

/*
 * POST a JSON body to url. bearer may be NULL. gzip compresses the body
 * (Content-Encoding: gzip). Fills *r (free with http_client_response_free).
 */
int http_client_post_json(const struct http_client_opts *o, const char *url,
    const char *bearer, const char *json, size_t len, int gzip,
    struct http_response *r, struct bbt_error *e);
/* GET url without credentials (the time probe); fills *r. */
int http_client_get(const struct http_client_opts *o, const char *url,
    struct http_response *r, struct bbt_error *e);
void http_client_response_free(struct http_response *r);

/*
 * Retry-After value: delay-seconds or an HTTP date (RFC 9110), judged
 * against now (Unix s). 0 and *secs >= 0 on success, -1 if unparsable.
 */
int http_client_retry_after_parse(const char *value, int64_t now, int64_t *secs);
/* An HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT") to Unix s; -1 if bad. */
int http_client_date_parse(const char *value, int64_t *epoch);
/* gzip (RFC 1952) of in; *out malloc'd. */
int http_client_gzip(const void *in, size_t len, unsigned char **out, size_t *outlen,
    struct bbt_error *e);
/* url joined with path ("https://h/" + "api/v1/x"); out of size n. */
int http_client_url_join(const char *base, const char *path, char *out, size_t n);

#endif
