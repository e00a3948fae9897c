/*
 * api_stats: GET /api/v1/stats (SPEC 5.2): the `stats` report as JSON
 * (from, to), built by the same code as the CLI. A school admin gets only
 * their school's row; a bureau admin every school, district and the total.
 */
#include "api.h"
#include "http.h"
#include "rules.h"
#include "stats.h"

void api_stats_get(struct http_request *req, struct http_response *res)
{
	const char *zone = req->cfg->tz ? req->cfg->tz : "Asia/Shanghai";
	const char *school, *from = http_query(req, "from"), *to = http_query(req, "to");
	struct points_rule rule;
	struct bbt_error e;
	struct report *rep;
	int64_t pfrom, pto;

	if (http_admin_scope(req, res, &school) < 0)
		return;
	if (verify_period(zone, from, to, req->now, &pfrom, &pto, &e) < 0) {
		http_reply_error(res, 400, "%s", bbt_error_msg(&e));
		return;
	}
	if (rules_load(req->cfg->rules, &rule, &e) < 0) {
		http_reply_error(res, 500, "points rule: %s", bbt_error_msg(&e));
		return;
	}
	rep = stats_report(req->db, &rule, zone, from, to, req->now, school, &e);
	api_reply_report(res, rep, "stats", &e);
}
