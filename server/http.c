/*
 * http: the request path, independent of the network. A request's life:
 * headers (http_exchange_begin) — route (404/405), authenticate (401),
 * refuse an unknown encoding (415) or a declared body over the route's
 * limit (413), all before a single body byte is buffered; body
 * (http_exchange_body) — copy into our buffer, at most the route's limit,
 * from the shared budget when the request carries a credential (past the
 * limit the rest is discarded, then 413; past the budget 503); end
 * (http_exchange_end) — inflate gzip (the inflated size capped the same
 * way: zip bombs), run the handler with the identity found at the headers,
 * count, answer. A request is authenticated once (one SHA-256, one lookup):
 * only a body that took HTTP_REAUTH_US or more to arrive is authenticated
 * again, so a token revoked during a slow upload stores nothing, while a
 * heartbeat's few hundred bytes, in within the same instant, are not
 * looked up twice (a revocation within a second of the headers races the
 * request either way: it could as well land just after a second lookup).
 *
 * Each worker thread opens its own database connection on first use
 * (thread-local), so handlers never share a connection and readers run in
 * parallel under WAL. Writers serialize on SQLite's write lock
 * (busy_timeout): with synchronous=FULL each commit waits for an fsync, so
 * commit latency, not threads, bounds upload throughput, and each upload
 * commits its whole batch at once.
 *
 * libmicrohttpd, connections and their limits live in http_mhd.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <zlib.h>

#include "api.h"
#include "auth.h"
#include "bbt_array.h"
#include "bbt_buf.h"
#include "bbt_log.h"
#include "bbt_time.h"
#include "bbt_utf8.h"
#include "credcache.h"
#include "http.h"
#include "http_session.h"
#include "metrics.h"

/* A body this long (µs) after its headers were authenticated: authenticate again. */
#define HTTP_REAUTH_US 1000000

/* Past this many discarded bytes of an oversized chunked body, hang up. */
#define HTTP_DISCARD_FACTOR 4

/*
 * All authenticated request bodies held at once (raw and inflated) share
 * one budget, so many slow uploads cannot take the memory of the machine:
 * past it a request gets 503 with Retry-After, which agents honour (CONTRACT
 * 4.4). Bodies without a credential (enrollment) are small and bounded per
 * connection instead, so nobody without a token can spend this budget.
 */
#define HTTP_BODY_BUDGET_FACTOR 16	/* bodies of max_body size at once */
static size_t body_budget;
static atomic_size_t body_held;

struct body {
	struct bbt_buf b;	/* b.max: the request's body limit */
	int shared;		/* b.cap is taken from the shared budget */
};

struct http_exchange {
	const struct http_route *route;
	struct http_request req;
	struct http_source src;
	char client[sizeof(((struct http_client *)0)->addr)];
	struct body body;
	long limit;		/* body bytes, raw and inflated */
	int too_big;		/* past the limit: answer 413 */
	int busy;		/* the shared budget is spent: answer 503 */
	int gzip;
	size_t discarded;
	char allow[128];
	int64_t t0_us;		/* headers in: the request-duration histogram's zero */
	int64_t auth_us;	/* when req->auth was found */
};

static const struct http_config *the_cfg;

static int budget_take(size_t n)
{
	if (atomic_fetch_add_explicit(&body_held, n, memory_order_relaxed) + n <= body_budget)
		return 0;
	atomic_fetch_sub_explicit(&body_held, n, memory_order_relaxed);
	return -1;
}

static void budget_give(size_t n)
{
	atomic_fetch_sub_explicit(&body_held, n, memory_order_relaxed);
}

static void body_free(struct body *b)
{
	if (b->shared)
		budget_give(b->b.cap);
	bbt_buf_free(&b->b);
}

/* 0, or 413 past max, or 503 when the shared budget is spent. */
static int body_append(struct body *b, const char *data, size_t n, long max)
{
	size_t cap, more;

	b->b.max = max > 0 ? (size_t)max : 1;	/* 0 would mean no bound */
	cap = bbt_buf_need(&b->b, n);
	if (cap == 0 || (max <= 0 && n > 0)) {
		body_free(b);
		return 413;
	}
	more = cap - b->b.cap;
	if (b->shared && more && budget_take(more) < 0) {
		body_free(b);
		return 503;
	}
	if (bbt_buf_add(&b->b, data, n) < 0) {
		if (b->shared)
			budget_give(more);
		body_free(b);
		return 503;
	}
	return 0;
}

/* Worker threads' database connections, closed after the daemon stops. */
static pthread_mutex_t dbs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db **dbs;
static size_t ndbs, cap_dbs;
static __thread struct db *thread_db;

static struct db *worker_db(const struct http_config *cfg, struct bbt_error *e)
{
	struct db *db;
	int grown;

	if (thread_db)
		return thread_db;
	if (db_open(cfg->db, &db, e) < 0)
		return NULL;
	pthread_mutex_lock(&dbs_lock);
	grown = bbt_grow(&dbs, &cap_dbs, ndbs + 1, sizeof(*dbs)) == 0;
	if (grown)
		dbs[ndbs++] = db;
	pthread_mutex_unlock(&dbs_lock);
	if (!grown) {
		db_close(db);
		bbt_error_set(e, "out of memory");
		return NULL;
	}
	thread_db = db;
	return db;
}

static void close_worker_dbs(void)
{
	pthread_mutex_lock(&dbs_lock);
	for (size_t i = 0; i < ndbs; i++)
		db_close(dbs[i]);
	free(dbs);
	dbs = NULL;
	ndbs = cap_dbs = 0;
	pthread_mutex_unlock(&dbs_lock);
}

/* ---- responses ---- */

void http_reply_raw(struct http_response *res, int status, const char *content_type,
    char *body, size_t len)
{
	free(res->body);
	res->status = status;
	res->body = body;
	res->body_len = len;
	res->content_type = content_type;
}

void http_reply_json(struct http_response *res, int status, cJSON *v)
{
	char *s = v ? cJSON_PrintUnformatted(v) : NULL;

	cJSON_Delete(v);
	if (!s) {
		http_reply_raw(res, 500, NULL, NULL, 0);
		return;
	}
	http_reply_raw(res, status, NULL, s, strlen(s));
}

static void reply_error_v(struct http_response *res, int status, const char *code,
    const char *fmt, va_list ap)
{
	char msg[512];
	cJSON *o = cJSON_CreateObject();

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!cJSON_AddStringToObject(o, "error", msg) ||
	    !cJSON_AddStringToObject(o, "code", code)) {
		cJSON_Delete(o);
		o = NULL;
	}
	http_reply_json(res, status, o);
}

/* The console's word for a status when the handler names none. */
static const char *status_code(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "unauthenticated";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 409: return "conflict";
	case 413: return "too_large";
	case 415: return "unsupported_encoding";
	case 429: return "throttled";
	case 503: return "unavailable";
	default: return status >= 500 ? "internal" : "error";
	}
}

void http_reply_error(struct http_response *res, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_error_v(res, status, status_code(status), fmt, ap);
	va_end(ap);
}

void http_reply_error_code(struct http_response *res, int status, const char *code,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_error_v(res, status, code, fmt, ap);
	va_end(ap);
}

int http_body_object(const struct http_request *req, struct http_response *res,
    cJSON **out)
{
	const char *end = NULL;
	cJSON *o;

	*out = NULL;
	if (!bbt_utf8_valid(req->body, req->body_len, 0)) {
		http_reply_error(res, 400, "body is not valid UTF-8 text");
		return -1;
	}
	o = cJSON_ParseWithLengthOpts(req->body, req->body_len, &end, 0);
	if (!o) {
		http_reply_error(res, 400, "body is not valid JSON");
		return -1;
	}
	while (end && end < req->body + req->body_len && *end && strchr(" \t\r\n", *end))
		end++;
	if (end != req->body + req->body_len || !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		http_reply_error(res, 400, "body must be one JSON object");
		return -1;
	}
	*out = o;
	return 0;
}

const char *http_query(const struct http_request *req, const char *name)
{
	return req->src->query(req->src->ctx, name);
}

const char *http_header(const struct http_request *req, const char *name)
{
	return req->src->header(req->src->ctx, name);
}

void http_response_clear(struct http_response *res)
{
	free(res->body);
	res->body = NULL;
	res->body_len = 0;
}

int http_admin_may_see(const struct http_request *req, const char *school)
{
	if (req->auth.kind != HTTP_AUTH_ADMIN)
		return 0;
	return req->auth.admin.school[0] == '\0' || strcmp(req->auth.admin.school, school) == 0;
}

int http_admin_scope(const struct http_request *req, struct http_response *res,
    const char **school)
{
	const char *q = http_query(req, "school");

	*school = NULL;
	if (q && *q && !http_admin_may_see(req, q)) {
		http_reply_error_code(res, 403, "scope", "admin %s may see only school %s",
		    req->auth.admin.name, req->auth.admin.school);
		return -1;
	}
	if (q && *q)
		*school = q;
	else if (req->auth.admin.school[0])
		*school = req->auth.admin.school;
	return 0;
}

/* ---- routing ---- */

static int path_matches(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);

	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(pattern, path, n - 1) == 0;
	return strcmp(pattern, path) == 0;
}

/*
 * The route for method+path; *status 404/405 when there is none, and then
 * allow lists the path's methods (for the Allow header).
 */
static const struct http_route *route_find(const char *method, const char *path,
    int *status, char *allow, size_t allowlen)
{
	int path_known = 0;
	size_t used = 0;

	allow[0] = '\0';
	for (size_t i = 0; i < api_nroutes; i++) {
		if (!path_matches(api_routes[i].path, path))
			continue;
		path_known = 1;
		if (used < allowlen)
			used += (size_t)snprintf(allow + used, allowlen - used, "%s%s",
			    used ? ", " : "", api_routes[i].method);
		if (strcmp(api_routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(api_routes[i].method, "GET") == 0))
			return &api_routes[i];
	}
	*status = path_known ? 405 : 404;
	return NULL;
}

/* ---- authentication ---- */

/*
 * Answer a device token that no enrolled device holds (never cached: each
 * refusal reads the database). A token that a later enrollment replaced
 * may be clone evidence (db_device_token_refused).
 */
static void refused_device_token(struct http_request *req, struct http_response *res,
    const char *hash)
{
	enum db_token_refusal why = DB_TOKEN_UNKNOWN;
	struct bbt_error e;

	if (db_device_token_refused(req->db, hash, req->now, &why, &e) < 0)
		log_warn("refused device token: %s", bbt_error_msg(&e));
	http_reply_error(res, 401, "%s", why == DB_TOKEN_SUPERSEDED ?
	    "device token replaced: this hw_id was enrolled again since" :
	    why == DB_TOKEN_REVOKED ? "device token revoked by an admin" :
	    "unknown device token (not enrolled)");
}

/* The device of a token (*found): from the credential cache, else from the
 * database, and then cached (server/credcache.h says why that is safe). */
static int device_of(struct http_request *req, const char *hash, int *found,
    struct bbt_error *e)
{
	struct db_device d;
	uint64_t at;

	if (credcache_get(hash, bbt_clock_monotonic_us(), &req->auth.device)) {
		metrics_credential(1);
		*found = 1;
		return 0;
	}
	at = credcache_epoch();
	if (db_device_by_token(req->db, hash, &d, found, e) < 0)
		return -1;
	if (*found) {
		metrics_credential(0);
		db_device_cred_of(&d, &req->auth.device);
		credcache_put(hash, &req->auth.device, at);
	}
	return 0;
}

/* 0 if the request may go on (req->auth filled), else -1 with res set. */
static int authenticate(struct http_request *req, enum http_auth_kind kind,
    struct http_response *res)
{
	const char *h = http_header(req, "Authorization");
	char token[256], hash[AUTH_HASH_LEN];
	struct bbt_error e;
	int found = 0;

	req->auth.kind = HTTP_AUTH_NONE;
	req->auth.session = 0;
	if (kind == HTTP_AUTH_NONE)
		return 0;
	/* No Authorization header: the dashboard's sign-in cookie may stand for
	 * an admin token (never for a device's). */
	if (!h && kind != HTTP_AUTH_DEVICE && http_session_cookie(req, token) == 0)
		return http_session_authenticate(req, token, res);
	if (kind == HTTP_AUTH_METRICS && !h && req->loopback)
		return 0;
	if (!h) {
		http_reply_error(res, 401, "missing \"Authorization: Bearer <token>\"");
		return -1;
	}
	if (auth_bearer(h, token, sizeof(token)) < 0) {
		http_reply_error(res, 401, "malformed Authorization header: want Bearer <token>");
		return -1;
	}
	if (auth_hash(token, hash, &e) < 0)
		goto fail;
	if (kind == HTTP_AUTH_DEVICE) {
		if (device_of(req, hash, &found, &e) < 0)
			goto fail;
		if (found) {
			req->auth.kind = HTTP_AUTH_DEVICE;
			return 0;
		}
		if (db_admin_by_token(req->db, hash, &req->auth.admin, &found, &e) < 0)
			goto fail;
		if (found) {
			http_reply_error(res, 401, "an admin token is not a device token");
			return -1;
		}
		refused_device_token(req, res, hash);
		return -1;
	}
	if (db_admin_by_token(req->db, hash, &req->auth.admin, &found, &e) < 0)
		goto fail;
	if (found) {
		req->auth.kind = HTTP_AUTH_ADMIN;
		return 0;
	}
	if (device_of(req, hash, &found, &e) < 0)
		goto fail;
	if (found && kind == HTTP_AUTH_ANY) {
		req->auth.kind = HTTP_AUTH_DEVICE;
		return 0;
	}
	http_reply_error(res, 401, found ? "a device token is not an admin token" :
	    kind == HTTP_AUTH_ANY ? "unknown token: an admin or a device token is needed" :
	    "unknown admin token");
	return -1;
fail:
	log_err("authentication: %s", bbt_error_msg(&e));
	http_reply_error(res, 500, "internal error");
	return -1;
}

/* ---- bodies ---- */

/* Inflate a gzip body in place of b; 0, or the HTTP status to answer. */
static int inflate_body(struct body *b, long max, const char **why)
{
	struct body out = { .shared = b->shared };
	unsigned char chunk[16384];
	z_stream z;
	int zr, status = 0;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		*why = "cannot inflate";
		return 500;
	}
	z.next_in = (unsigned char *)b->b.p;
	z.avail_in = (uInt)b->b.len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			*why = "body is not valid gzip";
			status = 400;
			goto out;
		}
		status = body_append(&out, (const char *)chunk, sizeof(chunk) - z.avail_out,
		    max);
		if (status) {
			*why = status == 413 ? "inflated body exceeds the size limit" :
			    "server busy, try again later";
			goto out;
		}
		if (zr == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
			*why = "gzip body is truncated";
			status = 400;
			goto out;
		}
	} while (zr != Z_STREAM_END);
	if (z.avail_in != 0) {
		*why = "bytes after the end of the gzip body";
		status = 400;
		goto out;
	}
	body_free(b);
	*b = out;
	out.b = (struct bbt_buf){ 0 };
out:
	body_free(&out);
	inflateEnd(&z);
	return status;
}

/* ---- the exchange ---- */

void http_init(const struct http_config *cfg)
{
	the_cfg = cfg;
	body_budget = (size_t)cfg->max_body * HTTP_BODY_BUDGET_FACTOR;
}

void http_fini(void)
{
	close_worker_dbs();
	thread_db = NULL;
}

static double since_s(const struct http_exchange *x)
{
	return (double)(bbt_clock_monotonic_us() - x->t0_us) / 1e6;
}

/* Answer res with an error now and count it under endpoint. */
static int early(const struct http_exchange *x, struct http_response *res,
    const char *endpoint, int status, const char *msg)
{
	http_reply_error(res, status, "%s", msg);
	metrics_request(endpoint, status, since_s(x));
	return 1;
}

int http_exchange_begin(struct http_exchange **out, const char *method, const char *path,
    const struct http_source *src, const struct http_client *client,
    long long content_length, struct http_response *res)
{
	struct http_exchange *x = calloc(1, sizeof(*x));
	struct http_request *req;
	const char *enc;
	struct bbt_error e;
	int status;

	*out = x;
	if (!x)
		return -1;
	req = &x->req;
	x->t0_us = bbt_clock_monotonic_us();
	x->src = *src;
	snprintf(x->client, sizeof(x->client), "%s", client->addr);
	req->method = method;
	req->path = path;
	req->body = "";
	req->cfg = the_cfg;
	req->loopback = client->loopback;
	req->client = x->client;
	req->src = &x->src;
	x->route = route_find(method, path, &status, x->allow, sizeof(x->allow));
	if (!x->route && status == 404)
		return early(x, res, "other", 404, "no such endpoint");
	if (!x->route) {
		http_reply_error(res, 405, "method not allowed on this endpoint (allowed: %s)",
		    x->allow);
		res->allow = x->allow;
		metrics_request("other", 405, since_s(x));
		return 1;
	}
	req->db = worker_db(the_cfg, &e);
	if (!req->db) {
		log_err("database: %s", bbt_error_msg(&e));
		return early(x, res, x->route->path, 503, "database unavailable");
	}
	req->now = (int64_t)time(NULL);
	if (authenticate(req, x->route->auth, res) < 0) {
		metrics_request(x->route->path, res->status, since_s(x));
		return 1;
	}
	x->auth_us = bbt_clock_monotonic_us();
	enc = http_header(req, "Content-Encoding");
	if (enc && strcasecmp(enc, "gzip") == 0)
		x->gzip = 1;
	else if (enc && *enc && strcasecmp(enc, "identity") != 0)
		return early(x, res, x->route->path, 415, "unsupported Content-Encoding");
	x->body.shared = req->auth.kind != HTTP_AUTH_NONE;
	x->limit = the_cfg->max_body;
	if (!x->body.shared && x->limit > HTTP_UNAUTH_MAX_BODY)
		x->limit = HTTP_UNAUTH_MAX_BODY;
	if (content_length > (long long)x->limit) {
		x->too_big = 1;
		return early(x, res, x->route->path, 413, "request body exceeds the size limit");
	}
	return 0;
}

int http_exchange_body(struct http_exchange *x, const char *data, size_t n)
{
	int status;

	if (x->too_big || x->busy) {
		x->discarded += n;
		/* An endless oversized body: stop reading rather than drain it. */
		return x->discarded > (size_t)x->limit * HTTP_DISCARD_FACTOR ? -1 : 0;
	}
	status = body_append(&x->body, data, n, x->limit);
	if (status == 413)
		x->too_big = 1;
	else if (status)
		x->busy = 1;
	if (status)
		x->discarded += n;
	return 0;
}

void http_exchange_end(struct http_exchange *x, struct http_response *res)
{
	struct http_request *req = &x->req;
	const char *endpoint = x->route->path, *why = "";
	int status;

	if (x->too_big) {
		early(x, res, endpoint, 413, "request body exceeds the size limit");
		return;
	}
	if (x->busy) {
		early(x, res, endpoint, 503, "server busy, try again later");
		return;
	}
	if (x->gzip && x->body.b.len > 0) {
		status = inflate_body(&x->body, x->limit, &why);
		if (status) {
			early(x, res, endpoint, status, why);
			return;
		}
	}
	req->body = x->body.b.p ? x->body.b.p : "";
	req->body_len = x->body.b.len;
	req->now = (int64_t)time(NULL);
	/* A slow body: a token revoked while it was arriving stores nothing. */
	if (bbt_clock_monotonic_us() - x->auth_us < HTTP_REAUTH_US ||
	    authenticate(req, x->route->auth, res) == 0)
		x->route->fn(req, res);
	/* A handler that failed mid-transaction must not leave it open. */
	db_rollback(req->db);
	if (res->status == 0)
		http_reply_error(res, 500, "internal error");
	log_debug("%s %s %s -> %d", x->client, req->method, req->path, res->status);
	metrics_request(endpoint, res->status, since_s(x));
}

void http_exchange_free(struct http_exchange *x)
{
	if (!x)
		return;
	body_free(&x->body);
	free(x);
}

/* ---- client addresses ---- */

/* Text -> 16 bytes (IPv4 as IPv4-mapped); 0, or -1 if not an address. */
static int addr_parse(const char *s, unsigned char out[16])
{
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
		return 0;
	}
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

int http_cidr_parse(const char *s, struct http_cidr *out, struct bbt_error *e)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	struct in_addr a4;
	long bits;
	char *end;
	int v4;

	if (n == 0 || n >= sizeof(host))
		return bbt_error_set(e, "%s: not an address block (ADDR or ADDR/BITS)", s);
	memcpy(host, s, n);
	host[n] = '\0';
	v4 = inet_pton(AF_INET, host, &a4) == 1;
	if (addr_parse(host, out->addr) < 0)
		return bbt_error_set(e, "%s: not an IPv4 or IPv6 address", s);
	bits = v4 ? 32 : 128;
	if (slash) {
		bits = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end != '\0' || bits < 0 || bits > (v4 ? 32 : 128))
			return bbt_error_set(e, "%s: prefix length must be 0..%d", s,
			    v4 ? 32 : 128);
	}
	out->bits = (int)bits + (v4 ? 96 : 0);
	/* Clear the host bits, so matching compares prefixes only. */
	for (int i = 0; i < 16; i++) {
		int keep = out->bits - i * 8;

		if (keep <= 0)
			out->addr[i] = 0;
		else if (keep < 8)
			out->addr[i] &= (unsigned char)(0xff << (8 - keep));
	}
	return 0;
}

int http_cidr_match(const struct http_cidr *list, size_t n, const unsigned char addr[16])
{
	for (size_t k = 0; k < n; k++) {
		int bits = list[k].bits, i = 0;

		for (; bits >= 8; bits -= 8, i++)
			if (addr[i] != list[k].addr[i])
				break;
		if (bits >= 8)
			continue;
		if (bits == 0 || ((addr[i] ^ list[k].addr[i]) &
		    (unsigned char)(0xff << (8 - bits))) == 0)
			return 1;
	}
	return 0;
}

static int key_is_loopback(const unsigned char a[16])
{
	static const unsigned char v6lo[16] = { [15] = 1 };
	static const unsigned char v4map[12] = { [10] = 0xff, [11] = 0xff };

	if (memcmp(a, v6lo, 16) == 0)
		return 1;
	return memcmp(a, v4map, 12) == 0 && a[12] == 127;
}

static void client_set(struct http_client *c, const unsigned char a[16])
{
	static const unsigned char v4map[12] = { [10] = 0xff, [11] = 0xff };

	memcpy(c->key, a, 16);
	c->loopback = key_is_loopback(a);
	if (memcmp(a, v4map, 12) == 0)
		inet_ntop(AF_INET, a + 12, c->addr, sizeof(c->addr));
	else
		inet_ntop(AF_INET6, a, c->addr, sizeof(c->addr));
}

/*
 * One X-Forwarded-For entry (trimmed, in s[0..n)) -> address; accepts
 * "a.b.c.d", "a.b.c.d:port", an IPv6 address and "[v6]:port".
 */
static int xff_entry(const char *s, size_t n, unsigned char out[16])
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *colon;

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (!close)
			return -1;
		n = (size_t)(close - s - 1);
		s++;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	colon = strchr(buf, ':');
	if (colon && !strchr(colon + 1, ':'))
		buf[colon - buf] = '\0';	/* a.b.c.d:port */
	return addr_parse(buf, out);
}

int http_client_resolve(const struct http_config *cfg, const void *peer, const char *xff,
    struct http_client *out)
{
	const struct sockaddr *sa = peer;
	unsigned char a[16], f[16];
	const char *end;

	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = peer;

		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
		memcpy(a + 12, &in->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		memcpy(a, &((const struct sockaddr_in6 *)peer)->sin6_addr, 16);
	} else {
		return -1;
	}
	/* From the right: each hop appended the address it saw; trust stops at the
	 * first hop that is not one of our proxies (or that wrote nonsense). */
	if (xff && http_cidr_match(cfg->trusted, cfg->ntrusted, a)) {
		end = xff + strlen(xff);
		while (end > xff && http_cidr_match(cfg->trusted, cfg->ntrusted, a)) {
			const char *start = end;

			while (start > xff && start[-1] != ',')
				start--;
			if (xff_entry(start, (size_t)(end - start), f) < 0)
				break;
			memcpy(a, f, 16);
			end = start > xff ? start - 1 : start;
		}
	}
	client_set(out, a);
	return 0;
}
