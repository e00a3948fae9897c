/*
 * http_session: the dashboard's sign-in session on the request path (CONTRACT
 * 5.2). A session is a cookie `bbt_session` holding 32 random bytes (hex);
 * the database keeps only its SHA-256 (db_auth.h), with the session's
 * CSRF token, its admin and its times. The cookie is HttpOnly,
 * SameSite=Strict, Path=/, and Secure when the collector serves TLS (or a
 * proxy says it did: X-Forwarded-Proto: https).
 *
 * Invariants:
 *  - A session stands for its admin exactly as that admin's Bearer token
 *    would (same scope); it ends after session_idle s unused, session_max
 *    s after sign-in, at sign-out, and when the admin is revoked or gets a
 *    new password. An ended session is 401 with code "signed_out" and a
 *    cookie that clears it.
 *  - A write (any method but GET and HEAD) on a session needs the header
 *    X-CSRF-Token equal to the session's token, and a request that says it
 *    comes from another site (Origin other than Host, Sec-Fetch-Site other
 *    than same-origin/none) is refused: 403 code "csrf". Bearer requests
 *    need neither: a browser never adds a Bearer header on its own.
 */
#ifndef SERVER_HTTP_SESSION_H
#define SERVER_HTTP_SESSION_H

#include "auth.h"
#include "db.h"
#include "http.h"

#define HTTP_SESSION_COOKIE "bbt_session"
#define HTTP_SESSION_IDLE_S (8 * 3600)
#define HTTP_SESSION_MAX_S (12 * 3600)
/* last_seen is written at most once a minute per session (more often
 * only when the idle limit is under 8 minutes: idle / 8). */
#define HTTP_SESSION_TOUCH_S 60

/*
 * The bbt_session value of the request's Cookie header(s): 0 with it in
 * out, or -1 if there is none or it is not 64 lowercase hex digits.
 */
int http_session_cookie(const struct http_request *req, char out[AUTH_TOKEN_LEN]);
/* The same on a Cookie header value (pure; for tests). */
int http_session_cookie_parse(const char *header, char out[AUTH_TOKEN_LEN]);
/* Authenticate req by the session whose cookie value is id (see above):
 * 0 with req->auth filled, or -1 with res answered (401 or 403). */
int http_session_authenticate(struct http_request *req, const char *id,
    struct http_response *res);
/* 1 unless Origin or Sec-Fetch-Site say the request comes from another site. */
int http_session_same_origin(const struct http_request *req);
/* The idle and absolute lifetimes of cfg (its values, or the defaults). */
void http_session_limits(const struct http_config *cfg, int *idle, int *max);
/* Set the cookie on res: value with Max-Age max_age, or "" and 0 to clear it. */
void http_session_set_cookie(const struct http_request *req, struct http_response *res,
    const char *value, int max_age);

#endif
