/*
 * http: the collector's HTTP server (libmicrohttpd): listening, TLS, body
 * collection with limits, gzip, routing, authentication, JSON errors.
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
 * A handler is called once per request, after the whole body has arrived
 * (at most max_body bytes, after gzip inflation) and after authentication
 * passed: it sees a struct http_request and fills a struct http_response
 * with http_reply_json / http_reply_error / http_reply_raw. It runs on one
 * of the server's worker threads and owns req->db (this thread's own
 * database connection) for the call; it must not keep pointers into req.
 *
 * Authentication kinds (the route's `auth`):
 *   HTTP_AUTH_NONE    no credential (healthz, the dashboard's static files)
 *   HTTP_AUTH_DEVICE  "Authorization: Bearer <device token>": req->auth.device
 *   HTTP_AUTH_ADMIN   "Authorization: Bearer <admin token>": req->auth.admin;
 *                     admin.school "" is a bureau admin (every school), else
 *                     the admin sees only that school: use
 *                     http_admin_may_see(req, school) / http_admin_scope.
 *   HTTP_AUTH_METRICS an admin token, or none from a loopback address (so a
 *                     Prometheus on the same host scrapes without a secret)
 * A missing or unknown token, or a token of the wrong kind, is 401 with a
 * JSON error before the handler runs.
 *
 * Errors are JSON {"error":"..."}; a handler answers 4xx for anything the
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
/* Sessions per upload; past it 413, which makes the agent split the batch. */
#define HTTP_MAX_BATCH 1000

enum http_auth_kind {
	HTTP_AUTH_NONE,
	HTTP_AUTH_DEVICE,
	HTTP_AUTH_ADMIN,
	HTTP_AUTH_METRICS,
};

/* Detector settings the server hands out in heartbeat replies (SPEC 4.1). */
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
};

struct http_auth {
	enum http_auth_kind kind;	/* what the credential was: NONE, DEVICE or ADMIN */
	struct db_device device;	/* kind == HTTP_AUTH_DEVICE */
	struct db_admin admin;		/* kind == HTTP_AUTH_ADMIN */
};

struct http_conn;	/* libmicrohttpd's connection, kept out of this header */

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
	struct http_conn *conn;
};

struct http_response {
	int status;
	char *body;			/* malloc'd; freed by http.c */
	size_t body_len;
	const char *content_type;	/* static string; NULL = application/json */
	const char *content_disposition;	/* static or NULL, e.g. for CSV files */
	const char *csp;		/* Content-Security-Policy (static) for pages */
	const char *allow;		/* set by http.c on 405 */
};

typedef void (*http_handler)(struct http_request *req, struct http_response *res);

struct http_route {
	const char *method;
	const char *path;
	enum http_auth_kind auth;
	http_handler fn;
};

/* The route table (server/api_routes.c). */
extern const struct http_route http_routes[];
extern const size_t http_nroutes;

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
/* Answer {"error": "..."}. */
void http_reply_error(struct http_response *res, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
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

/* Strict UTF-8 (no overlongs, surrogates, or NUL bytes). */
int http_utf8_valid(const char *s, size_t len);

#endif
