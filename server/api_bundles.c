/*
 * api_bundles: POST /api/v1/bundles, an offline bundle uploaded as the
 * request body (CONTRACT 4.5, 5.2; docs/bundles.md).
 *
 * Who may post: an admin (a school admin only for devices of their school)
 * (by Bearer token or dashboard sign-in session, with its CSRF token) or the
 * bundle's own device with its device token. The route is HTTP_AUTH_ANY, so
 * http.c has authenticated either before the body was read; which device's
 * bundle each may post is decided here, before anything is stored. The
 * bundle's signature is verified in
 * every case: the credential decides who may hand a bundle in, the
 * signature decides whether its sessions are the device's.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "bbt_log.h"
#include "bbt_time.h"
#include "bundles.h"
#include "http.h"
#include "ingest.h"
#include "metrics.h"

enum caller { CALLER_NONE, CALLER_ADMIN, CALLER_DEVICE };

/* Who http.c authenticated (HTTP_AUTH_ANY): an admin, by token or sign-in
 * session, or a device by its token. */
static enum caller identify(struct http_request *req, struct db_admin *admin,
    struct db_device_cred *dev)
{
	if (req->auth.kind == HTTP_AUTH_ADMIN) {
		*admin = req->auth.admin;
		return CALLER_ADMIN;
	}
	if (req->auth.kind == HTTP_AUTH_DEVICE) {
		*dev = req->auth.device;
		return CALLER_DEVICE;
	}
	return CALLER_NONE;
}

/* 0 if this caller may import for the bundle's device, else answers 403. */
static int may_import(enum caller who, const struct db_admin *admin,
    const struct db_device_cred *caller_dev, const struct db_device *dev,
    struct http_response *res)
{
	if (who == CALLER_ADMIN && (admin->school[0] == '\0' ||
	    strcmp(admin->school, dev->school) == 0))
		return 0;
	if (who == CALLER_DEVICE && strcmp(caller_dev->device_id, dev->device_id) == 0)
		return 0;
	http_reply_error(res, 403, who == CALLER_ADMIN ?
	    "this admin may not import bundles of school %s" :
	    "a device may only post its own bundles (device %s)",
	    who == CALLER_ADMIN ? dev->school : dev->device_id);
	return -1;
}

static void store_and_reply(struct http_request *req, struct http_response *res,
    const struct bundles_checked *c)
{
	struct ingest_batch b = { 0 };
	struct bbt_error e;
	int64_t t0_us = bbt_clock_monotonic_us();
	cJSON *reply;

	if (bundles_store(req->db, c, req->now, &b, &e) != 0) {
		log_err("bundles: device %s: %s", c->device.device_id, e.msg);
		http_reply_error(res, 500, "could not store the bundle; nothing stored");
		goto out;
	}
	log_info("bundle of device %s: %zu accepted, %zu duplicate, %zu rejected",
	    c->device.device_id, b.accepted, b.duplicate, b.rejected);
	metrics_sessions(b.accepted, b.duplicate, b.rejected);
	metrics_ingest_duration((double)(bbt_clock_monotonic_us() - t0_us) / 1e6);
	metrics_bundle();
	reply = ingest_reply(&b, req->now);
	if (reply == NULL || !cJSON_AddStringToObject(reply, "device_id",
	    c->device.device_id)) {
		cJSON_Delete(reply);
		http_reply_error(res, 500, "out of memory");
		goto out;
	}
	http_reply_json(res, 200, reply);
out:
	ingest_batch_free(&b);
}

void api_bundles_post(struct http_request *req, struct http_response *res)
{
	struct db_admin admin = { 0 };
	struct db_device_cred caller_dev = { 0 };
	struct bundles_checked c;
	struct bbt_error e;
	enum caller who = identify(req, &admin, &caller_dev);
	enum bundles_status st;

	if (who == CALLER_NONE) {
		http_reply_error(res, 401, "an admin token or the device's own token is "
		    "needed: Authorization: Bearer <token>");
		return;
	}
	st = bundles_check(req->db, req->body, req->body_len, &c, &e);
	if (st == BUNDLES_FAILED) {
		log_err("bundles: %s", e.msg);
		http_reply_error(res, 500, "internal error");
		return;
	}
	if (st == BUNDLES_REFUSED) {
		http_reply_error(res, 400, "%s", e.msg);
		return;
	}
	if (may_import(who, &admin, &caller_dev, &c.device, res) == 0)
		store_and_reply(req, res, &c);
	bundles_checked_free(&c);
}
