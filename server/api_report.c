/*
 * api_report: how every read endpoint answers with a report (server/
 * report.h): the same rows the CLI prints with --format json.
 */
#include "api.h"

void api_reply_report(struct http_response *res, struct report *rep, const char *what,
    const struct bbt_error *e)
{
	cJSON *out;

	if (rep == NULL) {
		http_reply_error(res, 500, "%s: %s", what, bbt_error_msg(e));
		return;
	}
	out = report_to_json(rep);
	report_free(rep);
	if (out == NULL) {
		http_reply_error(res, 500, "out of memory");
		return;
	}
	http_reply_json(res, 200, out);
}
