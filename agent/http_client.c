/*
 * http_client: libcurl requests to the collector (see http_client.h).
 *
 * One easy handle per request: the agent makes a handful of requests per
 * interval, so connection reuse is not worth the state, and a fresh handle
 * means the TLS time settings of one request never leak into the next.
 * Replies are capped at HTTP_MAX_REPLY bytes; a longer one is an error.
 */
#include "http_client.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <zlib.h>

#include "bbt_buf.h"
#include "bbt_log.h"

#define HTTP_SYSTEM_CA_PATH "/etc/ssl/certs"
#define HTTP_LOW_SPEED_LIMIT 1
#define HTTP_LOW_SPEED_TIME 20

struct http_buf {
	struct bbt_buf data;
	int overflow;		/* the reply passed HTTP_MAX_REPLY */
};

struct http_req {
	struct http_buf body;
	struct http_response *r;
	const struct http_client_opts *o;
};

int http_client_global_init(struct bbt_error *e)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return bbt_error_set(e, "curl_global_init failed");
	return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_buf *b = arg;
	size_t n = size * nmemb;

	/* The bound is set where the request is made (HTTP_MAX_REPLY). */
	if (bbt_buf_add(&b->data, data, n) == 0)
		return n;
	b->overflow = errno == E2BIG;
	return 0;
}

/* Header value of "Name: value\r\n" into out if the name matches. */
static int header_value(const char *h, size_t n, const char *name, char *out,
    size_t outn)
{
	size_t nl = strlen(name);
	size_t i, j = 0;

	if (n <= nl || strncasecmp(h, name, nl) != 0 || h[nl] != ':')
		return 0;
	for (i = nl + 1; i < n && (h[i] == ' ' || h[i] == '\t'); i++)
		;
	while (i < n && h[i] != '\r' && h[i] != '\n' && j + 1 < outn)
		out[j++] = h[i++];
	out[j] = '\0';
	return 1;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_req *q = arg;
	size_t n = size * nmemb;
	char v[128];

	if (header_value(data, n, "Retry-After", v, sizeof(v))) {
		int64_t s;

		if (http_client_retry_after_parse(v, time(NULL), &s) == 0)
			q->r->retry_after_s = s;
	} else if (header_value(data, n, "Date", v, sizeof(v))) {
		int64_t t;

		if (http_client_date_parse(v, &t) == 0)
			q->r->date = t;
	}
	return n;
}

/*
 * Runs when libcurl has set the SSL_CTX up (chain and host checks are on):
 * only the clock the certificate dates are judged by changes.
 */
static CURLcode on_ssl_ctx(CURL *c, void *sslctx, void *arg)
{
	const struct http_client_opts *o = arg;
	X509_VERIFY_PARAM *p = SSL_CTX_get0_param((SSL_CTX *)sslctx);

	if (!p)
		return CURLE_SSL_CERTPROBLEM;
	if (o->no_time_check)
		X509_VERIFY_PARAM_set_flags(p, X509_V_FLAG_NO_CHECK_TIME);
	else if (o->trusted_time > 0)
		X509_VERIFY_PARAM_set_time(p, (time_t)o->trusted_time);
	return CURLE_OK;
}

/* "Nov 22 21:00:00 2026 GMT" as curl's OpenSSL backend prints it. */
static int64_t cert_time_parse(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%b %d %H:%M:%S %Y GMT", &tm);
	if (!end)
		return 0;
	return (int64_t)timegm(&tm);
}

static void read_certinfo(CURL *c, struct http_response *r)
{
	struct curl_certinfo *ci = NULL;
	struct curl_slist *l;

	if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci ||
	    ci->num_of_certs < 1)
		return;
	for (l = ci->certinfo[0]; l; l = l->next) {
		if (strncmp(l->data, "Start date:", 11) == 0)
			r->cert_not_before = cert_time_parse(l->data + 11);
		else if (strncmp(l->data, "Expire date:", 12) == 0)
			r->cert_not_after = cert_time_parse(l->data + 12);
	}
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	const struct http_client_opts *o = arg;

	return o->cancel && atomic_load(o->cancel) ? 1 : 0;
}

static long total_timeout(void)
{
	const char *v = getenv("BBT_HTTP_TIMEOUT");
	char *end;
	long t;

	if (!v || !*v)
		return HTTP_TOTAL_TIMEOUT_S;
	t = strtol(v, &end, 10);
	if (*end || t < 1 || t > HTTP_TOTAL_TIMEOUT_S)
		return HTTP_TOTAL_TIMEOUT_S;
	return t;
}

static int setup(CURL *c, const struct http_client_opts *o, const char *url,
    struct http_req *q, struct bbt_error *e)
{
	long t = total_timeout();

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)HTTP_CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, t);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, (long)HTTP_LOW_SPEED_LIMIT);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
	    t < HTTP_LOW_SPEED_TIME ? t : (long)HTTP_LOW_SPEED_TIME);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "bbt-agent/" BBT_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &q->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, q);
	curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
	if (o->cancel) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)o);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	/* Windows (OpenSSL backend): also trust the system certificate store,
	 * as Linux trusts /etc/ssl/certs; curl ignores the flag elsewhere. */
	curl_easy_setopt(c, CURLOPT_SSL_OPTIONS, (long)CURLSSLOPT_NATIVE_CA);
	if (o->ca_file && *o->ca_file) {
		/* CAINFO replaces the default bundle: keep the system
		 * store through CAPATH so both kinds of server work. */
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
		curl_easy_setopt(c, CURLOPT_CAPATH, HTTP_SYSTEM_CA_PATH);
	}
	if (o->proxy && *o->proxy)
		curl_easy_setopt(c, CURLOPT_PROXY, o->proxy);
	if (o->no_time_check || o->trusted_time > 0) {
		if (curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx) !=
		    CURLE_OK)
			return bbt_error_set(e, "libcurl without OpenSSL: "
			    "cannot judge certificate dates by a trusted time");
		curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, (void *)o);
	}
	return 0;
}

static int perform(CURL *c, struct http_req *q, struct bbt_error *e)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;

	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		if (q->body.overflow)
			return bbt_error_set(e, "reply larger than %d bytes",
			    HTTP_MAX_REPLY);
		return bbt_error_set(e, "%s", *errbuf ? errbuf :
		    curl_easy_strerror(rc));
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &q->r->status);
	read_certinfo(c, q->r);
	q->r->body = q->body.data.p;
	q->r->len = q->body.data.len;
	q->body.data.p = NULL;
	return 0;
}

static void response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	r->retry_after_s = -1;
}

int http_client_post_json(const struct http_client_opts *o, const char *url,
    const char *bearer, const char *json, size_t len, int gzip,
    struct http_response *r, struct bbt_error *e)
{
	struct http_req q = { .body.data.max = HTTP_MAX_REPLY - 1, .r = r, .o = o };
	struct curl_slist *h = NULL;
	unsigned char *z = NULL;
	size_t zlen = 0;
	char auth[600];
	CURL *c = NULL;
	int ret = -1;

	response_init(r);
	if (gzip && http_client_gzip(json, len, &z, &zlen, e) < 0)
		return -1;
	c = curl_easy_init();
	if (!c) {
		bbt_error_set(e, "curl_easy_init failed");
		goto out;
	}
	if (setup(c, o, url, &q, e) < 0)
		goto out;
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	if (gzip)
		h = curl_slist_append(h, "Content-Encoding: gzip");
	if (bearer) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
		h = curl_slist_append(h, auth);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, gzip ? (const char *)z : json);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)(gzip ? zlen : len));
	ret = perform(c, &q, e);
out:
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(h);
	bbt_buf_free(&q.body.data);
	free(z);
	return ret;
}

int http_client_get(const struct http_client_opts *o, const char *url,
    struct http_response *r, struct bbt_error *e)
{
	struct http_req q = { .body.data.max = HTTP_MAX_REPLY - 1, .r = r, .o = o };
	CURL *c;
	int ret = -1;

	response_init(r);
	c = curl_easy_init();
	if (!c)
		return bbt_error_set(e, "curl_easy_init failed");
	if (setup(c, o, url, &q, e) == 0)
		ret = perform(c, &q, e);
	curl_easy_cleanup(c);
	bbt_buf_free(&q.body.data);
	return ret;
}

void http_client_response_free(struct http_response *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

int http_client_date_parse(const char *value, int64_t *epoch)
{
	static const char *const fmts[] = {
		"%a, %d %b %Y %H:%M:%S GMT",	/* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT",	/* obsolete RFC 850 */
		"%a %b %d %H:%M:%S %Y",		/* asctime */
	};

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct tm tm;
		const char *end;

		memset(&tm, 0, sizeof(tm));
		end = strptime(value, fmts[i], &tm);
		if (!end)
			continue;
		while (*end == ' ')
			end++;
		if (*end)
			continue;
		*epoch = (int64_t)timegm(&tm);
		return 0;
	}
	return -1;
}

int http_client_retry_after_parse(const char *value, int64_t now, int64_t *secs)
{
	int64_t t;

	while (*value == ' ')
		value++;
	if (isdigit((unsigned char)*value)) {
		char *end;
		long long v = strtoll(value, &end, 10);

		while (*end == ' ')
			end++;
		if (*end || v < 0)
			return -1;
		*secs = v;
		return 0;
	}
	if (http_client_date_parse(value, &t) < 0)
		return -1;
	*secs = t > now ? t - now : 0;
	return 0;
}

int http_client_gzip(const void *in, size_t len, unsigned char **out, size_t *outlen,
    struct bbt_error *e)
{
	z_stream z;
	unsigned char *buf;
	size_t cap;
	int rc;

	memset(&z, 0, sizeof(z));
	/* 15 + 16: a gzip wrapper rather than zlib's. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return bbt_error_set(e, "deflateInit2 failed");
	cap = deflateBound(&z, (uLong)len) + 32;
	buf = malloc(cap);
	if (!buf) {
		deflateEnd(&z);
		return bbt_error_set(e, "out of memory");
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	rc = deflate(&z, Z_FINISH);
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return bbt_error_set(e, "gzip failed");
	}
	*out = buf;
	return 0;
}

int http_client_url_join(const char *base, const char *path, char *out, size_t n)
{
	size_t bl = strlen(base);
	int w;

	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	while (*path == '/')
		path++;
	w = snprintf(out, n, "%.*s/%s", (int)bl, base, path);
	return (w < 0 || (size_t)w >= n) ? -1 : 0;
}
