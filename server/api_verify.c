/*
 * api_verify: GET /api/v1/verify (SPEC 5.2): the `verify` report as JSON,
 * same parameters (from, to, school), built by the same code as the CLI.
 * A school admin sees only the lesson ends that are their school's.
 */
#include "api.h"
#include "http.h"
#include "verify.h"

void api_verify_get(struct http_request *req, struct http_response *res)
{
	const char *zone = req->cfg->tz ? req->cfg->tz : "Asia/Shanghai";
	const char *school;
	struct bbt_error e;
	struct report *rep;
	int64_t from, to;

	if (http_admin_scope(req, res, &school) < 0)
		return;
	if (verify_period(zone, http_query(req, "from"), http_query(req, "to"), req->now,
	    &from, &to, &e) < 0) {
		http_reply_error(res, 400, "%s", bbt_error_msg(&e));
		return;
	}
	rep = verify_report(req->db, school, zone, from, to, &e);
	api_reply_report(res, rep, "verify", &e);
}
