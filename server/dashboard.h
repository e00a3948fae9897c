/*
 * dashboard: the admin dashboard's files (server/dashboard/), embedded at
 * build time. The page holds no data: it signs in with an admin token and
 * calls the same read API as any program, so a school admin sees only
 * their school there too.
 */
#ifndef SERVER_DASHBOARD_H
#define SERVER_DASHBOARD_H

#include <stddef.h>

struct dashboard_asset {
	const char *path;		/* "/", "/dashboard.js", ... */
	const char *content_type;
	const unsigned char *data;
	size_t len;
};

extern const struct dashboard_asset dashboard_assets[];
extern const size_t dashboard_nassets;

#endif
