/*
 * api_device: the agent's endpoints (CONTRACT 4.4) — enroll, sessions,
 * heartbeat — as HTTP: decoding bodies, statuses, replies. The rules live
 * beside ingest.c and bundles.c: enrollment.c (the token, identity, one
 * transaction), ingest.c (sessions). Statuses of enrollment: 400 a bad
 * field or key, 401 an unknown token, 403 revoked/expired/used up/another
 * school named, 409 a hw_id of another school (nothing changes). A device
 * never writes into a school other than the one it was enrolled into.
 * Every write here is one transaction, answered only after db_commit made
 * it durable, but for heartbeats, which are held and written a second
 * later with others (heartbeat.h): their reply (server time, settings)
 * does not depend on the write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "auth.h"
#include "bbt_log.h"
#include "bbt_time.h"
#include "credcache.h"
#include "enrollment.h"
#include "heartbeat.h"
#include "ingest.h"
#include "metrics.h"

#define DEVICES_JSON_MAX (64 * 1024)

/*
 * A string field: required or not, at most max - 1 bytes, clean text (no
 * control character, no escaped NUL: bbt_text_check). -1 after a 400
 * naming the field. Absent optional fields (and null) give "".
 */
static int field(const cJSON *o, const char *key, int required, size_t max,
    const char **out, struct http_response *res)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	struct bbt_error e;

	*out = "";
	if (!v || cJSON_IsNull(v)) {
		if (!required)
			return 0;
		http_reply_error(res, 400, "missing field \"%s\"", key);
		return -1;
	}
	if (!cJSON_IsString(v)) {
		http_reply_error(res, 400, "field \"%s\" must be a string", key);
		return -1;
	}
	if (strlen(v->valuestring) >= max || (required && !v->valuestring[0])) {
		http_reply_error(res, 400, "field \"%s\" must be 1..%zu bytes", key, max - 1);
		return -1;
	}
	if (bbt_text_check(v->valuestring, key, &e) < 0) {
		http_reply_error(res, 400, "%s", bbt_error_msg(&e));
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

/*
 * The body as one JSON object, each escaped NUL marked first (see
 * bbt_json_mark_nul) so that field() and strings_clean() see it instead
 * of a string silently cut short. -1 after answering.
 */
static int body_object(struct http_request *req, struct http_response *res, cJSON **o)
{
	struct http_request marked = *req;
	char *copy = NULL;
	int rc;

	*o = NULL;
	if (bbt_json_mark_nul(req->body, req->body_len, &copy) < 0) {
		http_reply_error(res, 503, "out of memory, try again later");
		return -1;
	}
	if (copy != NULL)
		marked.body = copy;
	rc = http_body_object(&marked, res, o);
	free(copy);
	return rc;
}

static int enroll_fields(const cJSON *o, struct enrollment_request *r,
    struct http_response *res)
{
	struct db_device d;

	if (field(o, "token", 1, AUTH_TOKEN_LEN + 64, &r->token, res) < 0 ||
	    field(o, "hw_id", 1, sizeof(d.hw_id), &r->hw_id, res) < 0 ||
	    field(o, "hostname", 0, sizeof(d.hostname), &r->hostname, res) < 0 ||
	    field(o, "school", 0, sizeof(d.school), &r->school, res) < 0 ||
	    field(o, "room", 0, sizeof(d.room), &r->room, res) < 0 ||
	    field(o, "agent_version", 0, sizeof(d.agent_version), &r->version, res) < 0 ||
	    field(o, "public_key", 1, sizeof(d.public_key), &r->public_key, res) < 0)
		return -1;
	return 0;
}

static void enroll_reply(struct http_response *res, const struct enrollment_result *r)
{
	cJSON *o = cJSON_CreateObject();

	if (!cJSON_AddStringToObject(o, "device_id", r->device.device_id) ||
	    !cJSON_AddStringToObject(o, "device_token", r->device_token) ||
	    !cJSON_AddStringToObject(o, "school", r->device.school) ||
	    !cJSON_AddBoolToObject(o, "reenrolled", r->reenrolled)) {
		cJSON_Delete(o);
		o = NULL;
	}
	http_reply_json(res, 201, o);
}

/* The status of each refusal (enrollment.h). */
static int refusal_status(enum enrollment_outcome o)
{
	switch (o) {
	case ENROLLMENT_BAD_KEY: return 400;
	case ENROLLMENT_UNKNOWN_TOKEN: return 401;
	case ENROLLMENT_OTHER_SCHOOL: return 409;
	default: return 403;
	}
}

/* POST /api/v1/enroll: decode, then the transport-free enrollment. */
void api_enroll(struct http_request *req, struct http_response *res)
{
	struct enrollment_request r;
	struct enrollment_result out;
	struct bbt_error e;
	cJSON *o = NULL;

	if (body_object(req, res, &o) < 0 || enroll_fields(o, &r, res) < 0)
		goto out;
	if (enrollment_run(req->db, &r, req->now, &out, &e) < 0) {
		log_err("enroll: %s", bbt_error_msg(&e));
		http_reply_error(res, 500, "internal error");
	} else if (out.outcome != ENROLLMENT_OK) {
		http_reply_error(res, refusal_status(out.outcome), "%s", out.why);
	} else {
		/* The old token is superseded: this collector refuses it at once,
		 * the others within CREDCACHE_TRUST_MS (credcache.h). */
		if (out.reenrolled)
			credcache_forget(out.device.device_id);
		enroll_reply(res, &out);
	}
out:
	cJSON_Delete(o);
}

static double mono_s(void)
{
	return (double)bbt_clock_monotonic_us() / 1e6;
}

void api_sessions(struct http_request *req, struct http_response *res)
{
	const struct db_device_cred *dev = &req->auth.device;
	struct db_session_origin origin = {
		dev->device_id, dev->school, dev->room, req->now, DB_VIA_HTTP,
	};
	struct ingest_batch b;
	enum ingest_body_error why;
	struct bbt_error e;
	double t0 = mono_s();
	int64_t offset;

	if (ingest_parse_body(req->body, req->body_len, HTTP_MAX_BATCH, dev->school,
	    req->now, &b, &why, &e) < 0) {
		http_reply_error(res, why == INGEST_BODY_TOO_MANY ? 413 : 400, "%s",
		    bbt_error_msg(&e));
		goto out;
	}
	offset = b.has_agent_time ? b.agent_time - req->now : DB_OFFSET_UNKNOWN;
	/* The device's held heartbeat first, so it cannot land after this;
	 * partitions before the transaction (db_session_ready). */
	if (ingest_ready(req->db, &b, &e) < 0 || db_begin(req->db, &e) < 0 ||
	    heartbeat_take(req->db, dev->device_id, &e) < 0 ||
	    ingest_store(req->db, &b, &origin, &e) < 0 ||
	    db_device_seen(req->db, dev->device_id, req->now, offset, &e) < 0 ||
	    db_device_uploaded(req->db, dev->device_id, (int64_t)(b.accepted + b.duplicate +
	    b.rejected), &e) < 0 ||
	    db_commit(req->db, &e) < 0) {
		db_rollback(req->db);
		log_err("sessions from %s: %s", dev->device_id, bbt_error_msg(&e));
		http_reply_error(res, 503, "sessions not stored, try again later");
		goto out;
	}
	metrics_sessions(b.accepted, b.duplicate, b.rejected);
	metrics_ingest_duration(mono_s() - t0);
	metrics_upload();
	log_debug("sessions from %s: %zu accepted, %zu duplicate, %zu rejected",
	    dev->device_id, b.accepted, b.duplicate, b.rejected);
	http_reply_json(res, 200, ingest_reply(&b, req->now));
out:
	ingest_batch_free(&b);
}

/*
 * The heartbeat's reply, {"server_time","detector":{...}}, printed here
 * rather than through cJSON: it is the collector's most frequent answer,
 * and is only a time, three integers and perhaps the school's collector
 * address (`school move` takes only https URLs of visible ASCII without
 * quote or backslash: nothing to escape).
 */
static void heartbeat_reply(struct http_response *res, int64_t now,
    const struct http_detector *d, const char *moved_to)
{
	char t[BBT_ISO8601_LEN], *body = NULL;
	int n;

	bbt_time_format(now, 0, t);
	n = asprintf(&body, "{\"server_time\":\"%s\",\"detector\":{\"idle_gap\":%d,"
	    "\"min_session\":%d,\"stuck_contact\":%d}%s%s%s}", t, d->idle_gap,
	    d->min_session, d->stuck_contact, moved_to[0] ? ",\"collector_url\":\"" : "",
	    moved_to, moved_to[0] ? "\"" : "");
	if (n < 0)
		http_reply_error(res, 503, "out of memory, try again later");
	else
		http_reply_raw(res, 200, NULL, body, (size_t)n);
}

struct heartbeat {
	int64_t offset, depth, interval;
	const char *version;
	char *devices;
};

/*
 * Every string anywhere in the devices list (names, labels, makers come
 * from USB descriptors, so from whoever made the device) must be clean
 * text: the devices report prints them. -1 with path naming the first bad
 * one ("devices[1].name").
 */
static int strings_clean(const cJSON *v, char *path, size_t cap, struct bbt_error *e)
{
	size_t len = strlen(path);
	const cJSON *c;
	int i = 0;

	if (cJSON_IsString(v))
		return bbt_text_check(v->valuestring, path, e);
	cJSON_ArrayForEach(c, v) {
		if (c->string && bbt_text_check(c->string, path, e) < 0)
			return -1;	/* a key: named by its object */
		if (cJSON_IsArray(v))
			snprintf(path + len, cap - len, "[%d]", i++);
		else
			snprintf(path + len, cap - len, ".%.40s", c->string ? c->string : "");
		if (strings_clean(c, path, cap, e) < 0)
			return -1;
	}
	path[len] = '\0';
	return 0;
}

/* Read a heartbeat body; -1 after a 400. agent_time is never a reason. */
static int heartbeat_fields(struct http_request *req, struct http_response *res,
    const cJSON *o, struct heartbeat *h)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "agent_time");
	const cJSON *depth = cJSON_GetObjectItemCaseSensitive(o, "buffer_depth");
	const cJSON *devs = cJSON_GetObjectItemCaseSensitive(o, "devices");
	char path[160] = "devices";
	struct bbt_error e;
	const cJSON *ivl = cJSON_GetObjectItemCaseSensitive(o, "sync_interval_s");
	int64_t at;
	int off;

	h->offset = DB_OFFSET_UNKNOWN;
	h->depth = -1;
	h->devices = NULL;
	if (cJSON_IsString(t) && bbt_time_parse(t->valuestring, &at, &off, NULL) == 0)
		h->offset = at - req->now;
	if (depth && (!cJSON_IsNumber(depth) || depth->valuedouble < 0 ||
	    depth->valuedouble > 1e12)) {
		http_reply_error(res, 400, "field \"buffer_depth\" must be a count");
		return -1;
	}
	if (depth)
		h->depth = (int64_t)depth->valuedouble;
	/* The agent's [sync] interval: its own offline window (fleet.h). */
	h->interval = cJSON_IsNumber(ivl) && ivl->valuedouble >= 1 &&
	    ivl->valuedouble <= 86400 ? (int64_t)ivl->valuedouble : 0;
	if (field(o, "agent_version", 0, DB_VERSION_LEN, &h->version, res) < 0)
		return -1;
	if (!h->version[0] && field(o, "version", 0, DB_VERSION_LEN, &h->version, res) < 0)
		return -1;
	if (devs && !cJSON_IsArray(devs)) {
		http_reply_error(res, 400, "field \"devices\" must be an array");
		return -1;
	}
	if (devs && strings_clean(devs, path, sizeof(path), &e) < 0) {
		http_reply_error(res, 400, "%s", bbt_error_msg(&e));
		return -1;
	}
	if (devs) {
		h->devices = cJSON_PrintUnformatted(devs);
		if (h->devices && strlen(h->devices) > DEVICES_JSON_MAX) {
			/* The caller frees h->devices: leave nothing to free twice. */
			free(h->devices);
			h->devices = NULL;
			http_reply_error(res, 400, "field \"devices\" is over %d bytes",
			    DEVICES_JSON_MAX);
			return -1;
		}
	}
	return 0;
}

void api_heartbeat(struct http_request *req, struct http_response *res)
{
	struct heartbeat h = { 0 };
	struct heartbeat_rec r;
	struct http_detector det = req->cfg->detector;
	const struct db_detector sd = req->auth.device.school_detector;
	struct bbt_error e;
	cJSON *o = NULL;

	if (body_object(req, res, &o) < 0 || heartbeat_fields(req, res, o, &h) < 0)
		goto out;
	r = (struct heartbeat_rec){ req->now, h.offset, h.depth, h.interval,
	    h.version[0] ? h.version : NULL, h.devices };
	/* Held for the next flush (heartbeat.h), or written now, in one transaction. */
	if (heartbeat_note(req->auth.device.device_id, &r) != 0 &&
	    (db_begin(req->db, &e) < 0 ||
	    heartbeat_write(req->db, req->auth.device.device_id, &r, &e) < 0 ||
	    db_commit(req->db, &e) < 0)) {
		db_rollback(req->db);
		log_err("heartbeat: %s", bbt_error_msg(&e));
		http_reply_error(res, 503, "heartbeat not recorded, try again later");
		goto out;
	}
	metrics_heartbeat();
	/* The school's own detector settings over the server's (school set),
	 * read with the device's token (db_device_by_token). */
	det.idle_gap = sd.idle_gap >= 0 ? (int)sd.idle_gap : det.idle_gap;
	det.min_session = sd.min_session >= 0 ? (int)sd.min_session : det.min_session;
	det.stuck_contact = sd.stuck_contact >= 0 ? (int)sd.stuck_contact : det.stuck_contact;
	heartbeat_reply(res, req->now, &det, req->auth.device.school_collector_url);
out:
	free(h.devices);
	cJSON_Delete(o);
}
