/*
 * api_admin: GET /healthz (no credential; also the agents' time probe, so
 * it carries server_time) and GET /metrics (Prometheus; an admin token, or
 * none from loopback). GET /api/v1/me is the sign-in's (api_signin.c).
 */
#include <stdlib.h>

#include "api.h"
#include "bbt_log.h"
#include "bbt_time.h"
#include "metrics.h"

/* A device counts as seen if it made contact in the last 24 hours. */
#define SEEN_WINDOW_S (24 * 3600)

void api_healthz(struct http_request *req, struct http_response *res)
{
	char t[BBT_ISO8601_LEN];
	struct bbt_error e;
	cJSON *o = cJSON_CreateObject();
	int v, ok = db_schema_version(req->db, &v, &e) == 0;

	if (!ok)
		log_err("healthz: %s", bbt_error_msg(&e));
	bbt_time_format(req->now, 0, t);
	if (!cJSON_AddStringToObject(o, "status", ok ? "ok" : "database unavailable") ||
	    !cJSON_AddStringToObject(o, "server_time", t)) {
		cJSON_Delete(o);
		o = NULL;
	}
	http_reply_json(res, ok ? 200 : 503, o);
}

void api_metrics(struct http_request *req, struct http_response *res)
{
	int64_t enrolled = 0, seen = 0;
	struct bbt_error e;
	size_t len;
	char *text;

	if (db_device_counts(req->db, req->now - SEEN_WINDOW_S, &enrolled, &seen, &e) < 0) {
		log_err("metrics: %s", bbt_error_msg(&e));
		http_reply_error(res, 503, "database unavailable");
		return;
	}
	text = metrics_render(enrolled, seen, &len);
	if (!text) {
		http_reply_error(res, 500, "out of memory");
		return;
	}
	http_reply_raw(res, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}
