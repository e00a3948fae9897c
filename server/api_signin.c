/*
 * api_signin: the dashboard's sign-in (CONTRACT 5.2). POST /api/v1/signin
 * takes {"name","password"} and answers a session cookie and its CSRF
 * token; POST /api/v1/signout ends the session; GET /api/v1/me says who a
 * credential (cookie or Bearer token) belongs to. Sessions themselves are
 * checked in http_session.c.
 *
 * Brute force: a name or a client address (the forwarded one behind
 * --trusted-proxy) with SIGNIN_MAX_FAILURES wrong attempts in the last
 * SIGNIN_WINDOW_S is answered 429 with Retry-After before any password is
 * hashed; an unknown name costs the same scrypt as a wrong password and
 * gets the same answer, so neither the reply nor its time tells which
 * names exist. Failures are kept in the database, so every server process
 * behind a load balancer counts the same attempts.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "api.h"
#include "auth.h"
#include "auth_password.h"
#include "bbt_log.h"
#include "bbt_time.h"
#include "db_auth.h"
#include "http_session.h"

#define SIGNIN_MAX_FAILURES 5
#define SIGNIN_WINDOW_S (15 * 60)

struct signin {
	char name[DB_NAME_LEN];
	char keys[2][DB_AUTH_KEY_LEN];	/* name:NAME, addr:ADDRESS */
};

/* Seconds until key may try again, 0 if it may now. */
static int throttled_for(struct http_request *req, const char *key, int *wait,
    struct bbt_error *e)
{
	int64_t at;
	int found;

	*wait = 0;
	if (db_auth_failure_nth(req->db, key, req->now - SIGNIN_WINDOW_S, SIGNIN_MAX_FAILURES,
	    &at, &found, e) < 0)
		return -1;
	if (found)
		*wait = at + SIGNIN_WINDOW_S - req->now > 0 ?
		    (int)(at + SIGNIN_WINDOW_S - req->now) : 1;
	return 0;
}

static int record_failure(struct http_request *req, const struct signin *s,
    struct bbt_error *e)
{
	if (db_begin(req->db, e) < 0)
		return -1;
	for (int i = 0; i < 2; i++)
		if (db_auth_failure_add(req->db, s->keys[i], req->now, e) < 0)
			goto fail;
	if (db_auth_failures_prune(req->db, req->now - SIGNIN_WINDOW_S, e) < 0)
		goto fail;
	return db_commit(req->db, e);
fail:
	db_rollback(req->db);
	return -1;
}

/* A new session for admin: its cookie value in id, its CSRF token in csrf. */
static int session_start(struct http_request *req, const struct signin *s,
    char id[AUTH_TOKEN_LEN], char csrf[AUTH_TOKEN_LEN], struct bbt_error *e)
{
	char hash[AUTH_HASH_LEN];
	int idle, max;

	http_session_limits(req->cfg, &idle, &max);
	if (auth_token_new(id, e) < 0 || auth_token_new(csrf, e) < 0 ||
	    auth_hash(id, hash, e) < 0 || db_begin(req->db, e) < 0)
		return -1;
	if (db_auth_sessions_prune(req->db, req->now - idle, req->now - max, e) < 0 ||
	    db_auth_session_add(req->db, hash, s->name, csrf, req->now, e) < 0 ||
	    db_auth_failures_clear(req->db, s->keys[0], e) < 0) {
		db_rollback(req->db);
		return -1;
	}
	return db_commit(req->db, e);
}

/* Add "school" and "school_name" (null for a bureau admin) to o. */
static int add_school(struct http_request *req, cJSON *o, const struct db_admin *a)
{
	struct db_school sc;
	struct bbt_error e;
	int found = 0;

	if (a->school[0] && db_school_get(req->db, a->school, &sc, &found, &e) < 0)
		log_warn("school %s: %s", a->school, bbt_error_msg(&e));
	if (!a->school[0])
		return cJSON_AddNullToObject(o, "school") && cJSON_AddNullToObject(o,
		    "school_name") ? 0 : -1;
	return cJSON_AddStringToObject(o, "school", a->school) && (found ?
	    cJSON_AddStringToObject(o, "school_name", sc.name) != NULL :
	    cJSON_AddNullToObject(o, "school_name") != NULL) ? 0 : -1;
}

static void signed_in(struct http_request *req, struct http_response *res,
    const struct db_admin *a, const char *id, const char *csrf)
{
	char expires[BBT_ISO8601_LEN];
	cJSON *o = cJSON_CreateObject();
	int idle, max;

	http_session_limits(req->cfg, &idle, &max);
	bbt_time_format(req->now + max, 0, expires);
	if (!cJSON_AddStringToObject(o, "name", a->name) || add_school(req, o, a) < 0 ||
	    !cJSON_AddStringToObject(o, "csrf", csrf) ||
	    !cJSON_AddStringToObject(o, "expires", expires)) {
		cJSON_Delete(o);
		o = NULL;
	}
	http_reply_json(res, 200, o);
	if (res->status == 200)
		http_session_set_cookie(req, res, id, max);
}

/* Read name and password from the body; -1 after answering 400. */
static int signin_body(struct http_request *req, struct http_response *res,
    struct signin *s, char *pw, size_t pwlen)
{
	cJSON *o, *n, *p;
	int rc = -1;

	if (http_body_object(req, res, &o) < 0)
		return -1;
	n = cJSON_GetObjectItemCaseSensitive(o, "name");
	p = cJSON_GetObjectItemCaseSensitive(o, "password");
	if (!cJSON_IsString(n) || !cJSON_IsString(p) || !n->valuestring[0]) {
		http_reply_error(res, 400, "want {\"name\": \"...\", \"password\": \"...\"}");
		goto out;
	}
	if (strlen(n->valuestring) >= sizeof(s->name) || strlen(p->valuestring) >= pwlen) {
		http_reply_error(res, 400, "name or password too long");
		goto out;
	}
	snprintf(s->name, sizeof(s->name), "%s", n->valuestring);
	snprintf(pw, pwlen, "%s", p->valuestring);
	snprintf(s->keys[0], sizeof(s->keys[0]), "name:%s", s->name);
	snprintf(s->keys[1], sizeof(s->keys[1]), "addr:%s", req->client ? req->client : "");
	rc = 0;
out:
	cJSON_Delete(o);
	return rc;
}

void api_signin(struct http_request *req, struct http_response *res)
{
	char pw[AUTH_PASSWORD_MAX + 1], hash[DB_AUTH_HASH_LEN];
	char id[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN];
	struct signin s;
	struct db_admin a;
	struct bbt_error e;
	int found = 0, ok = 0, w0, w1;

	if (!http_session_same_origin(req)) {
		http_reply_error_code(res, 403, "csrf", "sign-in from another site refused");
		return;
	}
	if (signin_body(req, res, &s, pw, sizeof(pw)) < 0)
		return;
	if (throttled_for(req, s.keys[0], &w0, &e) < 0 ||
	    throttled_for(req, s.keys[1], &w1, &e) < 0)
		goto fail;
	if (w0 || w1) {
		log_warn("sign-in of '%s' from %s throttled", s.name, req->client);
		http_reply_error_code(res, 429, "throttled", "too many wrong passwords: try "
		    "again in %d s", w0 > w1 ? w0 : w1);
		res->retry_after = w0 > w1 ? w0 : w1;
		goto out;
	}
	if (db_auth_password_get(req->db, s.name, hash, &a, &found, &e) < 0)
		goto fail;
	if (!found)
		auth_password_dummy(pw);
	else if (auth_password_verify(pw, hash, &ok, &e) < 0)
		goto fail;
	if (!ok) {
		log_info("sign-in of '%s' from %s: wrong name or password", s.name, req->client);
		if (record_failure(req, &s, &e) < 0)
			goto fail;
		http_reply_error_code(res, 401, "bad_credentials", "wrong name or password");
		goto out;
	}
	/* The session starts now, not when the body arrived: scrypt took a while. */
	req->now = (int64_t)time(NULL);
	if (session_start(req, &s, id, csrf, &e) < 0)
		goto fail;
	log_info("sign-in of '%s' from %s", s.name, req->client);
	signed_in(req, res, &a, id, csrf);
	goto out;
fail:
	log_err("sign-in: %s", bbt_error_msg(&e));
	http_reply_error(res, 500, "internal error");
out:
	OPENSSL_cleanse(pw, sizeof(pw));
}

void api_signout(struct http_request *req, struct http_response *res)
{
	struct bbt_error e;

	if (req->auth.session && db_auth_session_delete(req->db, req->auth.session_hash,
	    &e) < 0) {
		log_err("sign-out: %s", bbt_error_msg(&e));
		http_reply_error(res, 500, "internal error");
		return;
	}
	http_reply_raw(res, 204, NULL, NULL, 0);
	http_session_set_cookie(req, res, "", 0);
}

void api_me(struct http_request *req, struct http_response *res)
{
	const struct db_admin *a = &req->auth.admin;
	cJSON *o = cJSON_CreateObject();

	/* csrf too on a session: a reloaded console page has the cookie but has
	 * lost the token it got at sign-in. */
	if (!cJSON_AddStringToObject(o, "name", a->name) || add_school(req, o, a) < 0 ||
	    !cJSON_AddStringToObject(o, "scope", a->school[0] ? "school" : "bureau") ||
	    (req->auth.session && !cJSON_AddStringToObject(o, "csrf", req->auth.csrf))) {
		cJSON_Delete(o);
		o = NULL;
	}
	http_reply_json(res, 200, o);
}
