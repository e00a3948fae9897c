/*
 * api_teachers: GET /api/v1/teachers (SPEC 5.2): the `teachers` report as
 * JSON (from, to), built by the same code as the CLI. A school admin gets
 * only their school's teachers (403 for another school).
 */
#include "api.h"
#include "http.h"
#include "points_report.h"
#include "rules.h"
#include "teachers.h"

void api_teachers_get(struct http_request *req, struct http_response *res)
{
	const char *zone = req->cfg->tz ? req->cfg->tz : "Asia/Shanghai";
	struct points_query q = { 0 };
	struct points_rule rule;
	struct bbt_error e;
	struct report *rep;
	int64_t pfrom, pto;

	if (http_admin_scope(req, res, &q.school) < 0)
		return;
	q.from = http_query(req, "from");
	q.to = http_query(req, "to");
	if (rules_load(req->cfg->rules, &rule, &e) < 0) {
		http_reply_error(res, 500, "points rule: %s", bbt_error_msg(&e));
		return;
	}
	if (points_query_period(&q, zone, &rule, req->now, &pfrom, &pto, &e) < 0) {
		http_reply_error(res, 400, "%s", bbt_error_msg(&e));
		return;
	}
	rep = teachers_report(req->db, &rule, zone, q.from, q.to, req->now, q.school, &e);
	api_reply_report(res, rep, "teachers", &e);
}
