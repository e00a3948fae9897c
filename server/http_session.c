/*
 * http_session: sign-in cookies on the request path; see http_session.h
 * for the rules. Sessions are looked up in the database on every request,
 * like tokens, so a sign-out or a revocation holds on every server process
 * at once.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "bbt_log.h"
#include "http_session.h"
#include "db_auth.h"

static int is_write(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

int http_session_cookie_parse(const char *h, char out[AUTH_TOKEN_LEN])
{
	static const char name[] = HTTP_SESSION_COOKIE "=";
	const size_t nlen = sizeof(name) - 1, vlen = AUTH_TOKEN_LEN - 1;

	/* Cookie: a=b; c=d — the first pair of our name counts. */
	while (h && *h) {
		h += strspn(h, " \t;");
		if (strncmp(h, name, nlen) == 0) {
			const char *v = h + nlen;

			if (strspn(v, "0123456789abcdef") != vlen || (v[vlen] != '\0' &&
			    v[vlen] != ';' && v[vlen] != ' '))
				return -1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return 0;
		}
		h = strchr(h, ';');
	}
	return -1;
}

int http_session_cookie(const struct http_request *req, char out[AUTH_TOKEN_LEN])
{
	return http_session_cookie_parse(http_header(req, "Cookie"), out);
}

void http_session_limits(const struct http_config *cfg, int *idle, int *max)
{
	*idle = cfg && cfg->session_idle > 0 ? cfg->session_idle : HTTP_SESSION_IDLE_S;
	*max = cfg && cfg->session_max > 0 ? cfg->session_max : HTTP_SESSION_MAX_S;
}

static int is_tls(const struct http_request *req)
{
	const char *p = http_header(req, "X-Forwarded-Proto");

	return (req->cfg && req->cfg->tls_cert) || (p && strcasecmp(p, "https") == 0);
}

void http_session_set_cookie(const struct http_request *req, struct http_response *res,
    const char *value, int max_age)
{
	snprintf(res->cookie, sizeof(res->cookie), "%s=%s; Path=/; HttpOnly; "
	    "SameSite=Strict; Max-Age=%d%s", HTTP_SESSION_COOKIE, value, max_age,
	    is_tls(req) ? "; Secure" : "");
}

int http_session_same_origin(const struct http_request *req)
{
	const char *site = http_header(req, "Sec-Fetch-Site");
	const char *origin = http_header(req, "Origin");
	const char *host = http_header(req, "Host");

	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
		return 0;
	if (!origin)
		return 1;
	if (strncasecmp(origin, "https://", 8) == 0)
		origin += 8;
	else if (strncasecmp(origin, "http://", 7) == 0)
		origin += 7;
	else
		return 0;	/* "null" (a sandboxed or file: page) and the like */
	return host && strcasecmp(origin, host) == 0;
}

static int signed_out(const struct http_request *req, struct http_response *res)
{
	http_reply_error_code(res, 401, "signed_out", "signed out: the session ended or is "
	    "unknown, sign in again");
	http_session_set_cookie(req, res, "", 0);
	return -1;
}

int http_session_authenticate(struct http_request *req, const char *id,
    struct http_response *res)
{
	struct db_auth_session s;
	struct bbt_error e;
	const char *csrf;
	int idle, max, found;

	http_session_limits(req->cfg, &idle, &max);
	if (auth_hash(id, req->auth.session_hash, &e) < 0 ||
	    db_auth_session_get(req->db, req->auth.session_hash, req->now - idle,
	    req->now - max, &s, &found, &e) < 0)
		goto fail;
	if (!found)
		return signed_out(req, res);
	if (is_write(req->method)) {
		csrf = http_header(req, "X-CSRF-Token");
		if (!http_session_same_origin(req) || !csrf || strlen(csrf) != strlen(s.csrf) ||
		    CRYPTO_memcmp(csrf, s.csrf, strlen(s.csrf)) != 0) {
			http_reply_error_code(res, 403, "csrf", "this write needs the session's "
			    "X-CSRF-Token header, from the console's own page");
			return -1;
		}
	}
	if (db_auth_session_touch(req->db, req->auth.session_hash, req->now,
	    req->now - (idle / 8 < HTTP_SESSION_TOUCH_S ? idle / 8 : HTTP_SESSION_TOUCH_S),
	    &e) < 0)
		log_warn("session: %s", bbt_error_msg(&e));
	req->auth.kind = HTTP_AUTH_ADMIN;
	req->auth.admin = s.admin;
	req->auth.session = 1;
	snprintf(req->auth.csrf, sizeof(req->auth.csrf), "%s", s.csrf);
	return 0;
fail:
	log_err("session: %s", bbt_error_msg(&e));
	http_reply_error(res, 500, "internal error");
	return -1;
}
