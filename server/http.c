/*
 * http: libmicrohttpd glue. One daemon with an internal epoll thread pool
 * (MHD_USE_AUTO picks epoll on Linux); each worker thread opens its own
 * database connection on first use (thread-local), so handlers never share
 * a connection and readers run in parallel under WAL. Writers serialize on
 * SQLite's write lock (busy_timeout): with synchronous=FULL each commit
 * waits for an fsync, so commit latency, not threads, bounds upload
 * throughput, and each upload commits its whole batch at once.
 *
 * A request's life: first call (headers only) — reject a declared body over
 * the limit with 413 at once; body calls — copy into our buffer, at most
 * max_body bytes (a chunked body past it is discarded, then 413); last
 * call — inflate gzip (the inflated size capped the same way: zip bombs),
 * route, authenticate, run the handler, count, answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>
#include <zlib.h>

#include "auth.h"
#include "bbt_log.h"
#include "http.h"
#include "metrics.h"

/* Why these values: see docs/server.md ("Connection limits"). */
#define HTTP_CONN_TIMEOUT_S 30
#define HTTP_CONN_LIMIT 1000
#define HTTP_PER_IP_LIMIT 200
#define HTTP_CONN_MEMORY (64 * 1024)
/* Past this many discarded bytes of an oversized chunked body, hang up. */
#define HTTP_DISCARD_FACTOR 4

struct http_conn {
	struct MHD_Connection *c;
};

struct req_state {
	char *buf;
	size_t len, cap;
	int too_big;		/* past max_body: answer 413 */
	int busy;		/* the global body budget is spent: answer 503 */
	size_t discarded;
};

/*
 * All request bodies held at once (raw and inflated) share one budget, so
 * many slow uploads cannot take the memory of the machine: past it a request
 * gets 503 with Retry-After, which agents honour (SPEC 4.4).
 */
#define HTTP_BODY_BUDGET_FACTOR 16	/* bodies of max_body size at once */
#define HTTP_RETRY_AFTER_S "30"
static size_t body_budget;
static size_t body_held;	/* __atomic */

static int budget_take(size_t n)
{
	if (__atomic_add_fetch(&body_held, n, __ATOMIC_RELAXED) <= body_budget)
		return 0;
	__atomic_sub_fetch(&body_held, n, __ATOMIC_RELAXED);
	return -1;
}

static void budget_give(size_t n)
{
	__atomic_sub_fetch(&body_held, n, __ATOMIC_RELAXED);
}

static void body_free(struct req_state *st)
{
	free(st->buf);
	budget_give(st->cap);
	st->buf = NULL;
	st->len = st->cap = 0;
}

/* Worker threads' database connections, closed after the daemon stops. */
static pthread_mutex_t dbs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db **dbs;
static size_t ndbs;
static __thread struct db *thread_db;

static struct db *worker_db(const struct http_config *cfg, struct bbt_error *e)
{
	struct db **grown;
	struct db *db;

	if (thread_db)
		return thread_db;
	if (db_open(cfg->db, &db, e) < 0)
		return NULL;
	pthread_mutex_lock(&dbs_lock);
	grown = realloc(dbs, (ndbs + 1) * sizeof(*dbs));
	if (grown) {
		dbs = grown;
		dbs[ndbs++] = db;
	}
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
	ndbs = 0;
	pthread_mutex_unlock(&dbs_lock);
}

int http_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i], need, min, cp;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1; min = 0x80; cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2; min = 0x800; cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3; min = 0x10000; cp = c & 0x07;
		} else {
			return 0;
		}
		if (len - i <= need)
			return 0;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
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

void http_reply_error(struct http_response *res, int status, const char *fmt, ...)
{
	char msg[512];
	cJSON *o = cJSON_CreateObject();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!cJSON_AddStringToObject(o, "error", msg)) {
		cJSON_Delete(o);
		o = NULL;
	}
	http_reply_json(res, status, o);
}

int http_body_object(const struct http_request *req, struct http_response *res,
    cJSON **out)
{
	const char *end = NULL;
	cJSON *o;

	*out = NULL;
	if (!http_utf8_valid(req->body, req->body_len)) {
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
	return MHD_lookup_connection_value(req->conn->c, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn->c, MHD_HEADER_KIND, name);
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
		http_reply_error(res, 403, "admin %s may see only school %s",
		    req->auth.admin.name, req->auth.admin.school);
		return -1;
	}
	if (q && *q)
		*school = q;
	else if (req->auth.admin.school[0])
		*school = req->auth.admin.school;
	return 0;
}

/* Queue res on the connection; frees res->body (MHD copies it). */
static enum MHD_Result send_response(struct MHD_Connection *c, struct http_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	static const char empty[] = "";

	if (res->status == 0 || (res->status >= 500 && !res->body))
		http_reply_error(res, 500, "internal error");
	r = MHD_create_response_from_buffer(res->body ? res->body_len : 0,
	    res->body ? res->body : (void *)empty, MHD_RESPMEM_MUST_COPY);
	free(res->body);
	res->body = NULL;
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    res->content_type ? res->content_type : "application/json");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (res->content_disposition)
		MHD_add_response_header(r, "Content-Disposition", res->content_disposition);
	if (res->csp)
		MHD_add_response_header(r, "Content-Security-Policy", res->csp);
	if (res->status == 401)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	if (res->status == 503)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, HTTP_RETRY_AFTER_S);
	if (res->allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
	ret = MHD_queue_response(c, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result answer_error(struct MHD_Connection *c, const char *endpoint,
    int status, const char *msg)
{
	struct http_response res = { 0 };

	http_reply_error(&res, status, "%s", msg);
	metrics_request(endpoint, status);
	return send_response(c, &res);
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
	for (size_t i = 0; i < http_nroutes; i++) {
		if (!path_matches(http_routes[i].path, path))
			continue;
		path_known = 1;
		if (used < allowlen)
			used += (size_t)snprintf(allow + used, allowlen - used, "%s%s",
			    used ? ", " : "", http_routes[i].method);
		if (strcmp(http_routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(http_routes[i].method, "GET") == 0))
			return &http_routes[i];
	}
	*status = path_known ? 405 : 404;
	return NULL;
}

/* ---- authentication ---- */

static int client_is_loopback(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		const unsigned char *a = in6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && a[12] == 127;
	}
	return 0;
}

/*
 * Answer a device token that no enrolled device holds (every request looks
 * its token up: no cache outlives a revocation). A token that a later
 * enrollment replaced may be clone evidence (db_device_token_refused).
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

/* 0 if the request may go on (req->auth filled), else -1 with res set. */
static int authenticate(struct http_request *req, enum http_auth_kind kind,
    struct http_response *res)
{
	const char *h = http_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	char token[256], hash[AUTH_HASH_LEN];
	struct bbt_error e;
	int found = 0;

	req->auth.kind = HTTP_AUTH_NONE;
	if (kind == HTTP_AUTH_NONE || (kind == HTTP_AUTH_METRICS && !h && req->loopback))
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
		if (db_device_by_token(req->db, hash, &req->auth.device, &found, &e) < 0)
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
	if (db_device_by_token(req->db, hash, &req->auth.device, &found, &e) < 0)
		goto fail;
	http_reply_error(res, 401, found ? "a device token is not an admin token" :
	    "unknown admin token");
	return -1;
fail:
	log_err("authentication: %s", bbt_error_msg(&e));
	http_reply_error(res, 500, "internal error");
	return -1;
}

/* ---- bodies ---- */

static int body_append(struct req_state *st, const char *data, size_t n, long max)
{
	size_t first = (size_t)max + 1 < 16384 ? (size_t)max + 1 : 16384;

	if (st->too_big || st->busy || st->len + n > (size_t)max) {
		if (!st->busy)
			st->too_big = 1;
		st->discarded += n;
		body_free(st);
		return -1;
	}
	if (st->len + n + 1 > st->cap) {
		size_t cap = st->cap ? st->cap : first;
		char *p;

		while (cap < st->len + n + 1)
			cap *= 2;
		if (budget_take(cap - st->cap) < 0) {
			st->busy = 1;
			st->discarded += n;
			body_free(st);
			return -1;
		}
		p = realloc(st->buf, cap);
		if (!p) {
			budget_give(cap - st->cap);
			st->busy = 1;
			body_free(st);
			return -1;
		}
		st->buf = p;
		st->cap = cap;
	}
	memcpy(st->buf + st->len, data, n);
	st->len += n;
	st->buf[st->len] = '\0';
	return 0;
}

/* Inflate a gzip body in place of st->buf; 0, or the HTTP status to answer. */
static int inflate_body(struct req_state *st, long max, const char **why)
{
	struct req_state out = { 0 };
	unsigned char chunk[16384];
	z_stream z;
	int zr, status = 0;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		*why = "cannot inflate";
		return 500;
	}
	z.next_in = (unsigned char *)st->buf;
	z.avail_in = (uInt)st->len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			*why = "body is not valid gzip";
			status = 400;
			goto out;
		}
		if (body_append(&out, (const char *)chunk, sizeof(chunk) - z.avail_out, max) < 0) {
			*why = out.too_big ? "inflated body exceeds the size limit" :
			    "server busy, try again later";
			status = out.too_big ? 413 : 503;
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
	body_free(st);
	*st = out;
	out.buf = NULL;
	out.cap = 0;
out:
	body_free(&out);
	inflateEnd(&z);
	return status;
}

/* ---- dispatch ---- */

static const struct http_config *the_cfg;

static enum MHD_Result dispatch(struct MHD_Connection *c, const char *url, const char *method,
    struct req_state *st)
{
	struct http_conn conn = { c };
	struct http_request req = { 0 };
	struct http_response res = { 0 };
	const struct http_route *route;
	const char *enc, *why = "";
	char allow[128];
	struct bbt_error e;
	int status;

	route = route_find(method, url, &status, allow, sizeof(allow));
	if (!route && status == 404)
		return answer_error(c, "other", 404, "no such endpoint");
	if (!route) {
		http_reply_error(&res, 405, "method not allowed on this endpoint (allowed: %s)",
		    allow);
		res.allow = allow;
		metrics_request("other", 405);
		return send_response(c, &res);
	}
	enc = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
	if (enc && strcasecmp(enc, "gzip") == 0 && st->len > 0) {
		status = inflate_body(st, the_cfg->max_body, &why);
		if (status)
			return answer_error(c, route->path, status, why);
	} else if (enc && *enc && strcasecmp(enc, "identity") != 0) {
		return answer_error(c, route->path, 415, "unsupported Content-Encoding");
	}
	req.method = method;
	req.path = url;
	req.body = st->buf ? st->buf : "";
	req.body_len = st->len;
	req.cfg = the_cfg;
	req.now = (int64_t)time(NULL);
	req.loopback = client_is_loopback(c);
	req.conn = &conn;
	req.db = worker_db(the_cfg, &e);
	if (!req.db) {
		log_err("database: %s", bbt_error_msg(&e));
		return answer_error(c, route->path, 503, "database unavailable");
	}
	if (authenticate(&req, route->auth, &res) == 0)
		route->fn(&req, &res);
	/* A handler that failed mid-transaction must not leave it open. */
	db_rollback(req.db);
	if (res.status == 0)
		http_reply_error(&res, 500, "internal error");
	log_debug("%s %s -> %d", method, url, res.status);
	metrics_request(route->path, res.status);
	return send_response(c, &res);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	struct req_state *st = *req_cls;
	const char *cl;
	char *end;

	if (!st) {
		st = calloc(1, sizeof(*st));
		if (!st)
			return MHD_NO;
		*req_cls = st;
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && (strtoull(cl, &end, 10) > (unsigned long long)the_cfg->max_body ||
		    end == cl)) {
			st->too_big = 1;
			return answer_error(c, "other", 413, "request body exceeds the size limit");
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		body_append(st, upload_data, *upload_data_size, the_cfg->max_body);
		*upload_data_size = 0;
		/* An endless oversized body: stop reading rather than drain it. */
		if ((st->too_big || st->busy) &&
		    st->discarded > (size_t)the_cfg->max_body * HTTP_DISCARD_FACTOR)
			return MHD_NO;
		return MHD_YES;
	}
	if (st->too_big)
		return answer_error(c, "other", 413, "request body exceeds the size limit");
	if (st->busy)
		return answer_error(c, "other", 503, "server busy, try again later");
	return dispatch(c, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req_state *st = *req_cls;

	if (!st)
		return;
	body_free(st);
	free(st);
	*req_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warn("http: %s", msg);
}

/* ---- the daemon ---- */

static int read_file(const char *path, char **out, struct bbt_error *e)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return bbt_error_set(e, "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > 1024 * 1024 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return bbt_error_set(e, "%s: unreadable or over 1 MiB", path);
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return bbt_error_set(e, "%s: read failed", path);
	}
	buf[n] = '\0';
	fclose(f);
	*out = buf;
	return 0;
}

static int host_is_local(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "localhost") == 0;
}

/* "ADDR:PORT" or "[ADDR6]:PORT" -> a socket address. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sslen,
    char *host, size_t hostlen, struct bbt_error *e)
{
	const char *colon, *h = s, *hend;
	struct addrinfo hints = { 0 }, *ai = NULL;
	char port[16];
	int rc;

	if (*s == '[') {
		h = s + 1;
		hend = strchr(h, ']');
		if (!hend || hend[1] != ':')
			return bbt_error_set(e, "--listen %s: want [ADDR]:PORT", s);
		colon = hend + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return bbt_error_set(e, "--listen %s: want ADDR:PORT", s);
		hend = colon;
	}
	if ((size_t)(hend - h) >= hostlen || strlen(colon + 1) >= sizeof(port) ||
	    colon[1] == '\0')
		return bbt_error_set(e, "--listen %s: bad address", s);
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = '\0';
	snprintf(port, sizeof(port), "%s", colon + 1);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (rc != 0)
		return bbt_error_set(e, "--listen %s: %s", s, gai_strerror(rc));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sslen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

int http_serve(const struct http_config *cfg, struct bbt_error *e)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	char host[256], *cert = NULL, *key = NULL;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d = NULL;
	struct db *probe = NULL;
	sigset_t sigs;
	int sig, rc = -1;

	the_cfg = cfg;
	body_budget = (size_t)cfg->max_body * HTTP_BODY_BUDGET_FACTOR;
	if (parse_listen(cfg->listen, &ss, &sslen, host, sizeof(host), e) < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (!!cfg->tls_cert != !!cfg->tls_key)
		return bbt_error_set(e, "--tls-cert and --tls-key go together");
	if (cfg->tls_cert && (read_file(cfg->tls_cert, &cert, e) < 0 ||
	    read_file(cfg->tls_key, &key, e) < 0))
		goto out;
	if (cert)
		flags |= MHD_USE_TLS;
	/* Open (and migrate) once up front so a bad --db fails before listening. */
	if (db_open(cfg->db, &probe, e) < 0)
		goto out;
	db_close(probe);
	/* Block the stop signals in every thread; this one waits for them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONN_LIMIT,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_PER_IP_LIMIT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    /* Without TLS the list ends here. */
	    cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
	    MHD_OPTION_HTTPS_MEM_KEY, key,
	    MHD_OPTION_END);
	if (!d) {
		bbt_error_set(e, "cannot listen on %s%s", cfg->listen,
		    cert ? " (or the TLS certificate/key is unusable)" : "");
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "bbt-server: listening on %s%s%s:%u (%s, %d threads)\n",
	    ss.ss_family == AF_INET6 ? "[" : "", host, ss.ss_family == AF_INET6 ? "]" : "",
	    info ? info->port : 0, cert ? "https" : "http", cfg->threads);
	if (!cert && !host_is_local(host))
		log_warn("serving plain HTTP on %s: use --tls-cert/--tls-key or a TLS proxy",
		    host);
	for (;;) {
		if (sigwait(&sigs, &sig) == 0)
			break;
	}
	log_info("signal %d: stopping", sig);
	MHD_stop_daemon(d);
	rc = 0;
out:
	close_worker_dbs();
	free(cert);
	free(key);
	return rc;
}
