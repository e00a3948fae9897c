/*
 * api_fleet: GET /api/v1/devices (SPEC 5.2): the `devices` report as JSON,
 * built by the same code as the CLI. Query: school, offline_after
 * (seconds). A school admin sees only their school's devices.
 */
#include <errno.h>
#include <stdlib.h>

#include "api.h"
#include "fleet.h"
#include "http.h"

void api_devices_get(struct http_request *req, struct http_response *res)
{
	const char *zone = req->cfg->tz ? req->cfg->tz : "Asia/Shanghai";
	const char *school, *v = http_query(req, "offline_after");
	long offline_after = FLEET_OFFLINE_AFTER_S;
	struct bbt_error e;
	struct report *rep;
	char *end;

	if (http_admin_scope(req, res, &school) < 0)
		return;
	if (v) {
		errno = 0;
		offline_after = strtol(v, &end, 10);
		if (errno || end == v || *end || offline_after < 1) {
			http_reply_error(res, 400, "offline_after must be a number of seconds");
			return;
		}
	}
	rep = fleet_devices_report(req->db, school, zone, req->now, offline_after, &e);
	api_reply_report(res, rep, "devices", &e);
}
