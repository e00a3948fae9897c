/*
 * api_stats: GET /api/v1/stats (SPEC 5.2): the `stats` report as JSON
 * (from, to, explain=1, behind=1), built by the same code as the CLI. A school admin gets only
 * their school's row; a bureau admin every school, district and the total.
 */
#include <string.h>

#include "api.h"
#include "http.h"
#include "rules.h"
#include "stats.h"

/* 1|true|"" -> 1, absent|0|false -> 0, else -1. */
static int flag(const char *v)
{
	if (v == NULL || strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
		return 0;
	return strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || v[0] == '\0' ? 1 : -1;
}

void api_stats_get(struct http_request *req, struct http_response *res)
{
	const char *zone = req->cfg->tz ? req->cfg->tz : "Asia/Shanghai";
	struct stats_query q = { 0 };
	struct points_rule rule;
	struct rules_stats rs;
	struct bbt_error e;
	struct report *rep;
	int64_t pfrom, pto;

	if (http_admin_scope(req, res, &q.school) < 0)
		return;
	q.from = http_query(req, "from");
	q.to = http_query(req, "to");
	q.explain = flag(http_query(req, "explain"));
	q.behind = flag(http_query(req, "behind"));
	if (q.explain < 0 || q.behind < 0) {
		http_reply_error(res, 400, "explain and behind take 1 or 0");
		return;
	}
	if (verify_period(zone, q.from, q.to, req->now, &pfrom, &pto, &e) < 0) {
		http_reply_error(res, 400, "%s", bbt_error_msg(&e));
		return;
	}
	if (rules_load_all(req->cfg->rules, &rule, &rs, &e) < 0) {
		http_reply_error(res, 500, "points rule: %s", bbt_error_msg(&e));
		return;
	}
	rep = stats_report(req->db, &rule, &rs, zone, &q, req->now, &e);
	api_reply_report(res, rep, "stats", &e);
}
