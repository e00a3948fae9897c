/*
 * api_report: how every read endpoint answers with a report (server/
 * report.h): the same rows the CLI prints with --format json, built by the
 * same report entry (report_cmd.h) as the CLI.
 */
#include "api.h"
#include "report_cmd.h"

/* The report endpoints: each is its report entry served by the runner
 * (report_cmd.h), with the CLI's options as query arguments. */
static void serve(const char *name, struct http_request *req, struct http_response *res)
{
	report_cmd_api(report_cmd_find(name), req, res);
}

void api_points_get(struct http_request *req, struct http_response *res)
{
	serve("points", req, res);
}

void api_verify_get(struct http_request *req, struct http_response *res)
{
	serve("verify", req, res);
}

void api_stats_get(struct http_request *req, struct http_response *res)
{
	serve("stats", req, res);
}

void api_devices_get(struct http_request *req, struct http_response *res)
{
	serve("devices", req, res);
}

void api_teachers_get(struct http_request *req, struct http_response *res)
{
	serve("teachers", req, res);
}
