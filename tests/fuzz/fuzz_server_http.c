/* libFuzzer target: the collector's whole request path (server/http.c) —
 * routing, authentication, body limits, gzip inflation, every handler —
 * on a real SQLite database made at startup with two schools, an
 * enrollment token, a bureau and a school admin (the bureau admin with a
 * sign-in password and a session), and a device enrolled through POST
 * /api/v1/enroll itself. Only the network is missing: the
 * input becomes one request through the same http_exchange_* calls the
 * libmicrohttpd glue makes.
 *
 * Input: byte 0 picks the route (past the table: the path comes from the
 * first line), byte 1 the credential (a token, or the session cookie with
 * or without its CSRF token), byte 2 flags (gzip the body, declare
 * its length, sign it as a bundle of the device, add X-Forwarded-For,
 * loopback peer, feed the body in small pieces; a body that is gzip
 * already is sent as it is); then one line of query
 * arguments "k=v&k=v" (or "PATH?k=v"); the rest is the body. Any request
 * must get a status in 200..599, a JSON error on 4xx, and never a 5xx
 * for a bad request, except 503 "server busy"; never a crash or a leak. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <zlib.h>

#include "auth.h"
#include "auth_password.h"
#include "bbt_ed25519.h"
#include "bbt_log.h"
#include "db.h"
#include "http.h"

#define ENROLL_TOKEN "e0e1e2e3e4e5e6e7e8e9eaebecedeeefe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
#define ADMIN_TOKEN "a0a1a2a3a4a5a6a7a8a9aaabacadaeafa0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
#define SADMIN_TOKEN "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
#define SESSION "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
#define CSRF "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
#define PASSWORD "fuzz password"
#define MAX_ARGS 16

static const struct { const char *method, *path; } routes[] = {
	{ "POST", "/api/v1/sessions" }, { "POST", "/api/v1/heartbeat" },
	{ "POST", "/api/v1/enroll" }, { "POST", "/api/v1/bundles" },
	{ "GET", "/api/v1/points" }, { "GET", "/api/v1/verify" },
	{ "GET", "/api/v1/stats" }, { "GET", "/api/v1/devices" },
	{ "GET", "/api/v1/me" }, { "GET", "/metrics" }, { "GET", "/healthz" },
	{ "GET", "/" }, { "GET", "/dashboard.js" }, { "GET", "/dashboard.css" },
	{ "HEAD", "/healthz" }, { "PUT", "/api/v1/sessions" }, { "DELETE", "/" },
	{ "POST", "/api/v1/signin" }, { "POST", "/api/v1/signout" },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static struct http_config cfg;
static struct http_cidr trusted;
static struct bbt_ed25519_key *key;
static char dir[64], dbpath[256], dev_token[128], dev_id[DB_ID_LEN];

/* At exit: the database and key go with their directory. */
static void cleanup(void)
{
	static const char *const files[] = { "bbt.db", "bbt.db-wal", "bbt.db-shm", "device.key" };
	char p[300];

	http_fini();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

struct kv {
	const char *k[MAX_ARGS], *v[MAX_ARGS];
	size_t n;
};

struct fake {
	struct kv headers, query;
};

static const char *kv_get(const struct kv *kv, const char *name, int nocase)
{
	for (size_t i = 0; i < kv->n; i++)
		if (nocase ? strcasecmp(kv->k[i], name) == 0 : strcmp(kv->k[i], name) == 0)
			return kv->v[i];
	return NULL;
}

static const char *fake_header(void *ctx, const char *name)
{
	return kv_get(&((struct fake *)ctx)->headers, name, 1);
}

static const char *fake_query(void *ctx, const char *name)
{
	return kv_get(&((struct fake *)ctx)->query, name, 0);
}

static void kv_add(struct kv *kv, const char *k, const char *v)
{
	if (kv->n < MAX_ARGS) {
		kv->k[kv->n] = k;
		kv->v[kv->n++] = v;
	}
}

static void die(const char *what, const struct bbt_error *e)
{
	fprintf(stderr, "fuzz_server_http: %s: %s\n", what, e ? bbt_error_msg(e) : "");
	abort();
}

/* The bureau admin's session, again after a fuzzed sign-out ended it. */
static void session_add(void)
{
	char hash[AUTH_HASH_LEN];
	struct bbt_error e;
	struct db *db;

	if (db_open(dbpath, &db, &e) < 0 || auth_hash(SESSION, hash, &e) < 0 ||
	    db_auth_session_delete(db, hash, &e) < 0 ||
	    db_auth_session_add(db, hash, "bureau", CSRF, 4102444800LL, &e) < 0)
		die("session", &e);
	db_close(db);
}

/* One request through the real path; the answer in res (caller clears). */
static void run(const char *method, const char *path, struct fake *f, const char *body,
    size_t len, long long clen, int loopback, size_t piece, struct http_response *res)
{
	struct http_source src = { fake_header, fake_query, f };
	struct sockaddr_in peer = { .sin_family = AF_INET };
	const char *xff = kv_get(&f->headers, "X-Forwarded-For", 1);
	struct http_exchange *x;
	struct http_client client;
	int rc;

	peer.sin_addr.s_addr = htonl(loopback ? 0x7f000001 : 0xc0000201);
	if (http_client_resolve(&cfg, &peer, xff, &client) < 0)
		__builtin_trap();
	memset(res, 0, sizeof(*res));
	rc = http_exchange_begin(&x, method, path, &src, &client, clen, res);
	if (rc < 0)
		abort();
	if (rc == 0) {
		for (size_t off = 0; off < len; off += piece) {
			size_t n = len - off < piece ? len - off : piece;

			if (http_exchange_body(x, body + off, n) < 0)
				break;
		}
		http_exchange_end(x, res);
	}
	http_exchange_free(x);
}

static void setup(void)
{
	struct db_school s1 = { "610102001", "实验小学", "雁塔区" }, s2 = { "610102002", "二小", "" };
	struct db_enroll_token t = { .school = "610102001", .uses_left = 1000000000,
		.expires_at = 4102444800LL, .created_at = 1700000000 };
	struct db_admin a1 = { "bureau", "" }, a2 = { "head2", "610102002" };
	char hash[AUTH_HASH_LEN], keypath[300], pub[BBT_ED25519_PUB_B64_LEN];
	char pwhash[AUTH_PASSWORD_HASH_LEN];
	int found;
	char body[512];
	struct http_response res;
	struct bbt_error e;
	struct fake f = { 0 };
	struct db *db;
	cJSON *o;

	bbt_log_init("fuzz_server_http", BBT_LOG_ERR);
	snprintf(dir, sizeof(dir), "%s/bbt-fuzz-http.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir))
		die("mkdtemp", NULL);
	atexit(cleanup);
	snprintf(dbpath, sizeof(dbpath), "%s/bbt.db", dir);
	snprintf(keypath, sizeof(keypath), "%s/device.key", dir);
	if (db_open(dbpath, &db, &e) < 0 || db_school_add(db, &s1, &e) < 0 ||
	    db_school_add(db, &s2, &e) < 0 || auth_hash(ENROLL_TOKEN, t.hash, &e) < 0 ||
	    db_enroll_token_add(db, &t, &e) < 0 || auth_hash(ADMIN_TOKEN, hash, &e) < 0 ||
	    db_admin_add(db, &a1, hash, 1700000000, &e) < 0 ||
	    auth_hash(SADMIN_TOKEN, hash, &e) < 0 ||
	    db_admin_add(db, &a2, hash, 1700000000, &e) < 0 ||
	    auth_password_hash(PASSWORD, pwhash, &e) < 0 ||
	    db_auth_password_set(db, "bureau", pwhash, 1700000000, &found, &e) < 0)
		die("fixture", &e);
	db_close(db);
	session_add();
	if (bbt_ed25519_load_or_generate(keypath, &key, &e) < 0 ||
	    bbt_ed25519_public_b64(key, pub, &e) < 0)
		die("device key", &e);
	cfg.db = dbpath;
	cfg.listen = "127.0.0.1:0";
	cfg.threads = 1;
	cfg.max_body = 256 * 1024;	/* a gzip input may inflate past 64 KiB */
	cfg.detector = (struct http_detector){ 600, 900, 120 };
	cfg.tz = "Asia/Shanghai";
	cfg.max_connections = 10;
	cfg.max_per_address = 10;
	if (http_cidr_parse("192.0.2.0/24", &trusted, &e) < 0)
		die("cidr", &e);
	cfg.trusted = &trusted;
	cfg.ntrusted = 1;
	http_init(&cfg);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"hw_id\":\"fuzz-hw\",\"hostname\":\"h\","
	    "\"room\":\"r101\",\"agent_version\":\"fuzz\",\"public_key\":\"%s\"}",
	    ENROLL_TOKEN, pub);
	run("POST", "/api/v1/enroll", &f, body, strlen(body), (long long)strlen(body), 0,
	    sizeof(body), &res);
	o = res.status == 201 ? cJSON_ParseWithLength(res.body, res.body_len) : NULL;
	if (!o || !cJSON_IsString(cJSON_GetObjectItem(o, "device_token")) ||
	    !cJSON_IsString(cJSON_GetObjectItem(o, "device_id")))
		die("enroll", NULL);
	snprintf(dev_token, sizeof(dev_token), "%s",
	    cJSON_GetObjectItem(o, "device_token")->valuestring);
	snprintf(dev_id, sizeof(dev_id), "%s", cJSON_GetObjectItem(o, "device_id")->valuestring);
	cJSON_Delete(o);
	http_response_clear(&res);
}

/* The body as the session lines of a bundle of the device, signed by its key. */
static char *bundle_of(const char *body, size_t len, size_t *out_len)
{
	char head[256], sig[BBT_ED25519_SIG_B64_LEN];
	size_t lines = 0, hl, n;
	struct bbt_error e;
	char *b;

	for (size_t i = 0; i < len; i++)
		lines += body[i] == '\n';
	if (len && body[len - 1] != '\n')
		lines++;
	hl = (size_t)snprintf(head, sizeof(head), "{\"format\":\"bbt-bundle/1\",\"device_id\":"
	    "\"%s\",\"created\":\"2026-11-24T08:00:00+08:00\",\"agent_version\":\"fuzz\","
	    "\"count\":%zu}\n", dev_id, lines);
	b = malloc(hl + len + 1 + sizeof(sig) + 32);
	if (!b)
		return NULL;
	memcpy(b, head, hl);
	memcpy(b + hl, body, len);
	n = hl + len;
	if (len && body[len - 1] != '\n')
		b[n++] = '\n';
	if (bbt_ed25519_sign(key, b, n, sig, &e) < 0) {
		free(b);
		return NULL;
	}
	n += (size_t)snprintf(b + n, sizeof(sig) + 32, "{\"signature\":\"%s\"}\n", sig);
	*out_len = n;
	return b;
}

static char *gzip_of(const char *body, size_t len, size_t *out_len)
{
	z_stream z;
	size_t cap = compressBound((uLong)len) + 64;
	char *out = malloc(cap);

	memset(&z, 0, sizeof(z));
	if (!out || deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		free(out);
		return NULL;
	}
	z.next_in = (unsigned char *)body;
	z.avail_in = (uInt)len;
	z.next_out = (unsigned char *)out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	*out_len = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const auths[] = { NULL, "device", ADMIN_TOKEN, SADMIN_TOKEN,
		"0000000000000000000000000000000000000000000000000000000000000000",
		ENROLL_TOKEN };
	char authz[160], *line, *path, *q, *body, *extra = NULL;
	const char *method;
	struct http_response res;
	struct fake f = { 0 };
	size_t len, blen;
	unsigned flags;
	int route, ai;

	if (!dbpath[0])
		setup();
	if (size < 3)
		return 0;
	route = data[0];
	ai = data[1] % 10;
	flags = data[2];
	/* A NUL-terminated copy: the query line, then the body (may hold NULs). */
	line = malloc(size - 3 + 1);
	if (!line)
		return 0;
	memcpy(line, data + 3, size - 3);
	line[size - 3] = '\0';
	len = size - 3;
	body = memchr(line, '\n', len);
	if (body) {
		*body++ = '\0';
		blen = len - (size_t)(body - line);
	} else {
		body = line + len;
		blen = 0;
	}
	if ((size_t)route < NROUTES) {
		method = routes[route].method;
		path = (char *)routes[route].path;
		q = line;
	} else {
		method = route & 1 ? "POST" : "GET";
		path = line;
		q = strchr(line, '?');
		if (q)
			*q++ = '\0';
	}
	while (q && *q) {
		char *amp = strchr(q, '&'), *eq;

		if (amp)
			*amp = '\0';
		eq = strchr(q, '=');
		if (eq)
			*eq = '\0';
		kv_add(&f.query, q, eq ? eq + 1 : "");
		q = amp ? amp + 1 : NULL;
	}
	if (ai == 1)
		snprintf(authz, sizeof(authz), "Bearer %s", dev_token);
	else if (ai < 6 && auths[ai])
		snprintf(authz, sizeof(authz), "Bearer %s", auths[ai]);
	else if (ai == 6)
		snprintf(authz, sizeof(authz), "Basic %s", ADMIN_TOKEN);
	if (ai >= 8) {
		kv_add(&f.headers, "Cookie", "a=b; bbt_session=" SESSION);
		if (ai == 9)
			kv_add(&f.headers, "X-CSRF-Token", CSRF);
	} else if (ai) {
		kv_add(&f.headers, "Authorization", ai == 7 ? "Bearer" : authz);
	}
	if (flags & 4) {
		extra = bundle_of(body, blen, &blen);
		if (!extra)
			goto out;
		body = extra;
	}
	if ((flags & 1) && !(blen > 2 && (unsigned char)body[0] == 0x1f &&
	    (unsigned char)body[1] == 0x8b)) {
		char *z = gzip_of(body, blen, &blen);

		if (!z)
			goto out;
		free(extra);
		body = extra = z;
		kv_add(&f.headers, "Content-Encoding", "gzip");
	} else if (flags & 1) {
		kv_add(&f.headers, "Content-Encoding", "gzip");	/* gzip already */
	} else if (flags & 64) {
		kv_add(&f.headers, "Content-Encoding", flags & 128 ? "br" : "identity");
	}
	if (flags & 8)
		kv_add(&f.headers, "X-Forwarded-For", flags & 128 ? "203.0.113.9, 192.0.2.7" :
		    "garbage, 127.0.0.1");
	kv_add(&f.headers, "Content-Type", "application/json");
	run(method, path, &f, body, blen, flags & 2 ? (long long)blen : -1, !!(flags & 16),
	    flags & 32 ? 7 : 65536, &res);
	if (res.status < 200 || res.status > 599)
		__builtin_trap();
	if (res.status >= 400 && res.status < 500 &&
	    (!res.body || !strstr(res.body, "\"error\"")))
		__builtin_trap();
	/* 500 only for the server's own failures: none are expected here. */
	if (res.status == 500)
		__builtin_trap();
	if (res.status == 204 && strcmp(path, "/api/v1/signout") == 0)
		session_add();
	/* Re-enrolling the fixture's machine gives it a new token: follow it. */
	if (res.status == 201 && strcmp(path, "/api/v1/enroll") == 0) {
		cJSON *o = cJSON_ParseWithLength(res.body, res.body_len);
		cJSON *id = cJSON_GetObjectItem(o, "device_id");
		cJSON *tok = cJSON_GetObjectItem(o, "device_token");

		if (cJSON_IsString(id) && cJSON_IsString(tok) && strcmp(id->valuestring,
		    dev_id) == 0)
			snprintf(dev_token, sizeof(dev_token), "%s", tok->valuestring);
		cJSON_Delete(o);
	}
	http_response_clear(&res);
out:
	free(extra);
	free(line);
	return 0;
}
