/*
 * Unit tests of the report table (server/report_cmds.c) and its runner's
 * API side (server/report_cmd.c): every entry is found by its name and has
 * a usage and a build; every report (not RC_LIST) has a workbook sheet and
 * a GET /api/v1/<name> route; every list of stored rows (RC_LIST: sessions,
 * timetable list, token list, device list) has neither, and the runner
 * refuses it over HTTP with 404 before any credential or database work, so
 * tokens and device identities can never be served by adding a route.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api.h"
#include "report_cmd.h"

/* The route of GET /api/v1/<name>, or NULL. */
static const struct http_route *route_of(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/%s", name);
	for (size_t i = 0; i < api_nroutes; i++)
		if (strcmp(api_routes[i].method, "GET") == 0 &&
		    strcmp(api_routes[i].path, path) == 0)
			return &api_routes[i];
	return NULL;
}

static void test_entries(void **state)
{
	size_t lists = 0;

	(void)state;
	for (size_t i = 0; i < report_cmd_nentries; i++) {
		const struct report_entry *re = &report_cmd_entries[i];

		assert_ptr_equal(report_cmd_find(re->name), re);
		assert_non_null(re->build);
		assert_non_null(strstr(re->usage, "usage: bbt-server "));
		if (re->opts & RC_LIST) {
			lists++;
			assert_null(re->sheet);
			assert_null(route_of(re->name));
		} else {
			assert_non_null(re->sheet);
			assert_non_null(route_of(re->name));
			assert_int_equal(route_of(re->name)->auth, HTTP_AUTH_ADMIN);
		}
	}
	assert_int_equal(lists, 5);
	assert_null(report_cmd_find("nope"));
	assert_null(report_cmd_find("token"));
	assert_non_null(report_cmd_find("token list"));
	assert_true(report_cmd_find("sessions")->opts & RC_LIST);
	assert_false(report_cmd_find("devices")->opts & RC_LIST);
}

static void test_lists_not_served(void **state)
{
	static const char *const lists[] = { "sessions", "timetable list", "token list",
		"device list", "admin list" };

	(void)state;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		/* No credential, no database: the refusal must come first. */
		struct http_request req;
		struct http_response res;

		memset(&req, 0, sizeof(req));
		memset(&res, 0, sizeof(res));
		report_cmd_api(report_cmd_find(lists[i]), &req, &res);
		assert_int_equal(res.status, 404);
		assert_non_null(res.body);
		assert_non_null(strstr(res.body, "no such report"));
		http_response_clear(&res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_lists_not_served),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
