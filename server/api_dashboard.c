/*
 * api_dashboard: serves the embedded dashboard files (dashboard.h) at "/"
 * without a credential: they are static and hold no data. A strict
 * Content-Security-Policy allows only this origin's own script, style and
 * fetches, so an injected value could never run as script.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "dashboard.h"

#define DASHBOARD_CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	"connect-src 'self'; img-src 'self'; form-action 'self'; " \
	"frame-ancestors 'none'; base-uri 'none'"

void api_dashboard_get(struct http_request *req, struct http_response *res)
{
	for (size_t i = 0; i < dashboard_nassets; i++) {
		const struct dashboard_asset *a = &dashboard_assets[i];
		char *body;

		if (strcmp(req->path, a->path) != 0)
			continue;
		body = malloc(a->len ? a->len : 1);
		if (body == NULL) {
			http_reply_error(res, 500, "out of memory");
			return;
		}
		memcpy(body, a->data, a->len);
		http_reply_raw(res, 200, a->content_type, body, a->len);
		res->csp = DASHBOARD_CSP;
		return;
	}
	http_reply_error(res, 404, "no such page: %s", req->path);
}
