/*
 * api_points: GET /api/v1/points (SPEC 5.2): the `points` report as JSON,
 * with the CLI's parameters as query arguments (week, from, to, school,
 * explain=1). Built by the same code as the CLI (points_report_query), so
 * both always agree. A school admin is held to their school (403 for
 * another); the period is checked before any database work so a bad
 * argument is a 400, never a 500.
 */
#include <string.h>

#include "api.h"
#include "http.h"
#include "points_report.h"
#include "rules.h"

/* explain=1|true|0|false; -1 for anything else. */
static int parse_flag(const char *v)
{
	if (v == NULL || strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
		return 0;
	if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || v[0] == '\0')
		return 1;
	return -1;
}

void api_points_get(struct http_request *req, struct http_response *res)
{
	const char *zone = req->cfg->tz ? req->cfg->tz : "Asia/Shanghai";
	struct points_query q = { 0 };
	struct points_rule rule;
	struct bbt_error e;
	struct report *rep;
	int64_t from, to;

	if (http_admin_scope(req, res, &q.school) < 0)
		return;
	q.week = http_query(req, "week");
	q.from = http_query(req, "from");
	q.to = http_query(req, "to");
	q.explain = parse_flag(http_query(req, "explain"));
	if (q.explain < 0) {
		http_reply_error(res, 400, "explain must be 1 or 0");
		return;
	}
	if (rules_load(req->cfg->rules, &rule, &e) < 0) {
		http_reply_error(res, 500, "points rule: %s", bbt_error_msg(&e));
		return;
	}
	if (points_query_period(&q, zone, &rule, req->now, &from, &to, &e) < 0) {
		http_reply_error(res, 400, "%s", bbt_error_msg(&e));
		return;
	}
	rep = points_report_query(req->db, &rule, zone, &q, req->now, REPORT_JSON, &e);
	api_reply_report(res, rep, "points", &e);
}
