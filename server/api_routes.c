/*
 * api_routes: every endpoint of the collector in one table (see http.h for
 * how a route is matched and authenticated). Add an endpoint with one line
 * here and its handler in your own api_<topic>.c, declared in api.h.
 */
#include <stddef.h>

#include "api.h"
#include "http.h"

const struct http_route api_routes[] = {
	{ "GET", "/", HTTP_AUTH_NONE, api_dashboard_get },
	{ "GET", "/dashboard.js", HTTP_AUTH_NONE, api_dashboard_get },
	{ "GET", "/dashboard.css", HTTP_AUTH_NONE, api_dashboard_get },
	{ "GET", "/chart.js", HTTP_AUTH_NONE, api_dashboard_get },
	{ "GET", "/favicon.svg", HTTP_AUTH_NONE, api_dashboard_get },
	{ "GET", "/healthz", HTTP_AUTH_NONE, api_healthz },
	{ "GET", "/metrics", HTTP_AUTH_METRICS, api_metrics },
	{ "POST", "/api/v1/enroll", HTTP_AUTH_NONE, api_enroll },
	{ "POST", "/api/v1/sessions", HTTP_AUTH_DEVICE, api_sessions },
	{ "POST", "/api/v1/heartbeat", HTTP_AUTH_DEVICE, api_heartbeat },
	/* An admin or a device token before the body; the handler decides which
	 * device's bundle each may post. */
	{ "POST", "/api/v1/bundles", HTTP_AUTH_ANY, api_bundles_post },
	/* No credential, so the small body limit of HTTP_UNAUTH_MAX_BODY. */
	{ "POST", "/api/v1/signin", HTTP_AUTH_NONE, api_signin },
	{ "POST", "/api/v1/signout", HTTP_AUTH_ADMIN, api_signout },
	{ "GET", "/api/v1/me", HTTP_AUTH_ADMIN, api_me },
	{ "GET", "/api/v1/points", HTTP_AUTH_ADMIN, api_points_get },
	{ "GET", "/api/v1/devices", HTTP_AUTH_ADMIN, api_devices_get },
	{ "GET", "/api/v1/verify", HTTP_AUTH_ADMIN, api_verify_get },
	{ "GET", "/api/v1/stats", HTTP_AUTH_ADMIN, api_stats_get },
	{ "GET", "/api/v1/teachers", HTTP_AUTH_ADMIN, api_teachers_get },
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
