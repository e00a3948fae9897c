/*
 * api: the HTTP handlers, one api_<topic>.c each, listed in api_routes.c.
 * Every handler has the http_handler signature (server/http.h). Modules
 * append their declarations here.
 */
#ifndef SERVER_API_H
#define SERVER_API_H

#include "http.h"
#include "report.h"

/* api_device.c: the agent endpoints (CONTRACT 4.4). */
void api_enroll(struct http_request *req, struct http_response *res);
void api_sessions(struct http_request *req, struct http_response *res);
void api_heartbeat(struct http_request *req, struct http_response *res);

/* api_admin.c: health and metrics. */
void api_healthz(struct http_request *req, struct http_response *res);
void api_metrics(struct http_request *req, struct http_response *res);

/* api_signin.c: the dashboard's sign-in, sign-out, and who a credential is. */
void api_signin(struct http_request *req, struct http_response *res);
void api_signout(struct http_request *req, struct http_response *res);
void api_me(struct http_request *req, struct http_response *res);

/* api_bundles.c: offline bundles (CONTRACT 4.5), admin or own-device token. */
void api_bundles_post(struct http_request *req, struct http_response *res);

/* api_report.c: the report endpoints (CONTRACT 5.2), admin token, school-scoped:
 * points (5.4), devices, verify (5.5), stats (5.6), teachers (5.1). */
void api_points_get(struct http_request *req, struct http_response *res);
void api_devices_get(struct http_request *req, struct http_response *res);
void api_verify_get(struct http_request *req, struct http_response *res);
void api_stats_get(struct http_request *req, struct http_response *res);
void api_teachers_get(struct http_request *req, struct http_response *res);

/* api_dashboard.c: the dashboard's static files (CONTRACT 5.2), no credential. */
void api_dashboard_get(struct http_request *req, struct http_response *res);

/* The route table http.c serves (server/api_routes.c). */
extern const struct http_route api_routes[];
extern const size_t api_nroutes;

#endif
