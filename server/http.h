/*
 * http: the collector's HTTP server: routing, authentication, body
 * collection with limits, gzip, JSON errors (http.c, independent of the
 * network), and the libmicrohttpd glue with listening, TLS and connection
 * limits (http_mhd.c).
 *
 * Adding an endpoint = one line in server/api_routes.c plus a handler in
 * your own api_<topic>.c:
 *
 *     { "GET", "/api/v1/points", HTTP_AUTH_ADMIN, api_points_get },
 *
 * A path ending in a star matches every path with that prefix.
 * The same path may be listed once per method; a known path with another
 * method gets 405, an unknown path 404.
 *
 * Routing and authentication happen on the request's headers, before any
 * body is read (CONTRACT 5.2): an unknown path, a wrong method or a missing or
 * wrong credential is answered at once and the body is never buffered.
 * A handler is called once per request, after the whole body has arrived
 * (at most max_body bytes after gzip inflation; HTTP_UNAUTH_MAX_BODY on a
 * route without a credential) and after authentication passed (once, at
 * the headers; checked again at the body's end only when the body took a
 * second or more, so a token revoked mid-upload stores nothing):
 * it sees a struct http_request and fills a struct http_response
 * with http_reply_json / http_reply_error / http_reply_raw. It runs on one
 * of the server's worker threads and owns req->db (this thread's own
 * database connection) for the call; it must not keep pointers into req.
 *
 * Authentication kinds (the route's `auth`):
 *   HTTP_AUTH_NONE    no credential (healthz, the dashboard's static files)
 *   HTTP_AUTH_DEVICE  "Authorization: Bearer <device token>": req->auth.device
 *                     (its credential only, maybe from server/credcache.h)
 *   HTTP_AUTH_ADMIN   "Authorization: Bearer <admin token>", or the sign-in
 *                     session cookie (http_session.c): req->auth.admin;
 *                     admin.school "" is a bureau admin (every school), else
 *                     the admin sees only that school: use
 *                     http_admin_may_see(req, school) / http_admin_scope.
 *                     A write (not GET/HEAD) authenticated by the cookie also
 *                     needs X-CSRF-Token and a same-origin request, else 403.
 *   HTTP_AUTH_METRICS an admin token, or none from a loopback address (so a
 *                     Prometheus on the same host scrapes without a secret)
 *   HTTP_AUTH_ANY     an admin or a device token (req->auth.kind says which),
 *                     for a route whose handler decides what each may do
 * A missing or unknown token, or a token of the wrong kind, is 401 with a
 * JSON error before the handler runs.
 *
 * Errors are JSON {"error":"...","code":"..."}: code is a stable word the
 * console translates (http_reply_error derives it from the status,
 * http_reply_error_code names a more precise one); a handler answers 4xx for anything the
 * client did wrong and 500 only for the server's own failures (database).
 */
#ifndef SERVER_HTTP_H
#define SERVER_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "db.h"

#define HTTP_DEFAULT_LISTEN "127.0.0.1:8470"
#define HTTP_DEFAULT_THREADS 4
#define HTTP_DEFAULT_MAX_BODY (4L * 1024 * 1024)
/*
 * Body limit of a route without a credential (enrollment): a real one is
 * under 1 KiB. Such bodies do not draw on the shared budget of
 * authenticated bodies; at most one per connection, they cost at most
 * max_connections x this (twice with gzip). Why: docs/server.md.
 */
#define HTTP_UNAUTH_MAX_BODY (16L * 1024)
/* Connection defaults; why these values: docs/server.md ("Connection limits"). */
#define HTTP_DEFAULT_MAX_CONNECTIONS 1000
#define HTTP_DEFAULT_MAX_PER_ADDRESS 200
#define HTTP_DEFAULT_HEADER_TIMEOUT 10		/* s from connect to the end of the headers */
#define HTTP_DEFAULT_MIN_BODY_RATE 1024		/* bytes/s, over each window */
#define HTTP_DEFAULT_BODY_RATE_WINDOW 10	/* s; the first window is the grace */
#define HTTP_MAX_TRUSTED_PROXIES 64
/* Sessions per upload; past it 413, which makes the agent split the batch. */
#define HTTP_MAX_BATCH 1000

enum http_auth_kind {
	HTTP_AUTH_NONE,
	HTTP_AUTH_DEVICE,
	HTTP_AUTH_ADMIN,
	HTTP_AUTH_METRICS,
	HTTP_AUTH_ANY,
};

/*
 * An address block (--trusted-proxy). IPv4 is kept as IPv4-mapped IPv6
 * (::ffff:a.b.c.d, bits + 96), so one comparison serves both families.
 */
struct http_cidr {
	unsigned char addr[16];
	int bits;		/* 0..128 */
};

/* Detector settings the server hands out in heartbeat replies (CONTRACT 4.1). */
struct http_detector {
	int idle_gap;		/* 600 */
	int min_session;	/* 900 */
	int stuck_contact;	/* 120 */
};

struct http_config {
	const char *db;			/* what db_open takes */
	const char *listen;		/* "ADDR:PORT" or "[ADDR6]:PORT"; port 0 = any */
	int threads;			/* worker threads (and database connections) */
	long max_body;			/* bytes, after inflation */
	const char *tls_cert;		/* PEM files; both or neither */
	const char *tls_key;
	struct http_detector detector;
	const char *tz;			/* server zone for reports */
	const char *rules;		/* points rule file, NULL = default */
	int max_connections;		/* all at once (libmicrohttpd's limit) */
	int max_per_address;		/* per client address (IPv6: per /64) */
	int header_timeout;		/* s: connect (or last answer) to end of headers */
	long min_body_rate;		/* bytes/s a body must keep up ... */
	int body_rate_window;		/* ... over each window of this many s */
	const struct http_cidr *trusted;	/* peers whose X-Forwarded-For counts */
	size_t ntrusted;
	int session_idle;		/* s a sign-in session lasts unused; 0 = 8 h */
	int session_max;		/* s a sign-in session lasts at most; 0 = 12 h */
};

struct http_auth {
	enum http_auth_kind kind;	/* what the credential was: NONE, DEVICE or ADMIN */
	struct db_device_cred device;	/* kind == HTTP_AUTH_DEVICE */
	struct db_admin admin;		/* kind == HTTP_AUTH_ADMIN */
	int session;			/* ADMIN by the sign-in cookie, not a Bearer token */
	char session_hash[DB_HASH_LEN];	/* session: SHA-256 of the cookie value */
	char csrf[DB_HASH_LEN];		/* session: its CSRF token */
};

/*
 * Where a request's headers and query arguments come from: libmicrohttpd in
 * the server (http_mhd.c), the fuzzer's own tables in tests/fuzz. Values
 * are decoded, NUL-terminated and live until the request is answered.
 */
struct http_source {
	const char *(*header)(void *ctx, const char *name);
	const char *(*query)(void *ctx, const char *name);
	void *ctx;
};

/* Who sent a request: the peer, or the forwarded client behind a trusted proxy. */
struct http_client {
	char addr[48];			/* text, for logs */
	unsigned char key[16];		/* IPv6 or IPv4-mapped; per-address limit key */
	int loopback;
};

struct http_request {
	const char *method;
	const char *path;		/* without the query string */
	const char *body;		/* NUL-terminated (extra NUL not counted); "" if none */
	size_t body_len;
	struct http_auth auth;
	struct db *db;			/* this worker's connection */
	const struct http_config *cfg;
	int64_t now;			/* server time, Unix seconds, at the body's end */
	int loopback;			/* the client address is a loopback address */
	const char *client;		/* the client address (text), for logs */
	const struct http_source *src;
};

struct http_response {
	int status;
	char *body;			/* malloc'd; freed by http.c */
	size_t body_len;
	const char *content_type;	/* static string; NULL = application/json */
	const char *content_disposition;	/* static or NULL, e.g. for CSV files */
	const char *csp;		/* Content-Security-Policy (static) for pages */
	const char *allow;		/* set by http.c on 405 */
	char cookie[192];		/* a Set-Cookie value, "" = none */
	int retry_after;		/* s for Retry-After on 429/503; 0 = the default */
};

typedef void (*http_handler)(struct http_request *req, struct http_response *res);

struct http_route {
	const char *method;
	const char *path;
	enum http_auth_kind auth;
	http_handler fn;
};

/* The route table is the api module's: api_routes in server/api.h. */

/* A query-string argument (decoded), NULL if absent. */
const char *http_query(const struct http_request *req, const char *name);
/* A request header, NULL if absent. */
const char *http_header(const struct http_request *req, const char *name);

/*
 * The body as a JSON object (caller deletes *out): -1 after answering 400
 * when it is not UTF-8, not JSON, has trailing bytes or is not an object.
 */
int http_body_object(const struct http_request *req, struct http_response *res,
    cJSON **out);

/* Answer with a JSON value (takes ownership of v, deletes it). */
void http_reply_json(struct http_response *res, int status, cJSON *v);
/* Answer {"error": "...", "code": ...} with the code of the status. */
void http_reply_error(struct http_response *res, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Answer {"error": "...", "code": code}. */
void http_reply_error_code(struct http_response *res, int status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Answer with bytes the handler malloc'd (ownership passes to http.c). */
void http_reply_raw(struct http_response *res, int status, const char *content_type,
    char *body, size_t len);

/* 1 if the authenticated admin may see data of `school`. */
int http_admin_may_see(const struct http_request *req, const char *school);
/*
 * The school an admin request is limited to: the `school` query argument
 * checked against the admin's scope. *school = NULL means every school (a
 * bureau admin asking for all). Returns -1 after answering 403 when a school
 * admin asks for another school.
 */
int http_admin_scope(const struct http_request *req, struct http_response *res,
    const char **school);

/*
 * Run the server until SIGTERM or SIGINT: prints "listening on ADDR:PORT"
 * to stderr once ready. Returns 0 after a clean stop, -1 if it cannot start.
 */
int http_serve(const struct http_config *cfg, struct bbt_error *e);

/*
 * The request path without the network, for the libmicrohttpd glue
 * (http_mhd.c) and the fuzzer (tests/fuzz/fuzz_server_http.c):
 *
 *   http_init(cfg)                      once, before any request
 *   http_exchange_begin(...)            headers: route, authenticate, limits
 *   http_exchange_body(x, data, n)...   body bytes as they arrive
 *   http_exchange_end(x, res)           inflate, handler (a slow body: re-auth)
 *   http_exchange_free(x)               after the answer went out
 *   http_fini()                         closes the worker database connections
 *
 * Every call of one exchange runs on the same thread (its database
 * connection is that thread's own).
 */
struct http_exchange;

void http_init(const struct http_config *cfg);
void http_fini(void);
/*
 * content_length: the declared body length, -1 if none. src and the method
 * and path strings must outlive the exchange. Returns 1 with *x and res
 * filled when the request is answered now (send res; read no body), 0 when
 * the body should be read, -1 when out of memory (hang up; *x NULL).
 */
int http_exchange_begin(struct http_exchange **x, const char *method, const char *path,
    const struct http_source *src, const struct http_client *client,
    long long content_length, struct http_response *res);
/* n more body bytes; -1 when the client should be cut off (an endless oversized body). */
int http_exchange_body(struct http_exchange *x, const char *data, size_t n);
/* The body is complete: res gets the answer. */
void http_exchange_end(struct http_exchange *x, struct http_response *res);
void http_exchange_free(struct http_exchange *x);
/* Free what a response holds (its body). */
void http_response_clear(struct http_response *res);

/* "ADDR" or "ADDR/BITS", IPv4 or IPv6; -1 with e set if it is not one. */
int http_cidr_parse(const char *s, struct http_cidr *out, struct bbt_error *e);
/* 1 if the 16-byte address (IPv6 or IPv4-mapped) lies in one of the blocks. */
int http_cidr_match(const struct http_cidr *list, size_t n, const unsigned char addr[16]);
/*
 * The client of a request from peer (a sockaddr_in or sockaddr_in6): the
 * peer itself, unless the peer is a trusted proxy (cfg->trusted) and xff
 * (the X-Forwarded-For values, comma-joined; NULL if none) names one: then
 * the rightmost address that is not itself a trusted proxy. -1 if peer is
 * not an IP address.
 */
int http_client_resolve(const struct http_config *cfg, const void *peer, const char *xff,
    struct http_client *out);

#endif
