/*
 * server/fleet.c: the `devices` report. The online window (a fixed one, or
 * three of the agent's own intervals), clone evidence that ages out, and
 * the row of each device as stored: a clock offset never measured is null
 * and not 0, a buffer depth never reported is null, the depth after the
 * pass is shown, the input summary names touch devices first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "fleet.h"
#include "server_fixture.h"

#define NOW 1795000000LL	/* 2026-11-18 */

static void test_online_window(void **state)
{
	(void)state;
	assert_false(fleet_online(0, NOW, 900));		/* never seen */
	assert_true(fleet_online(NOW, NOW, 900));
	assert_true(fleet_online(NOW - 900, NOW, 900));	/* the edge is online */
	assert_false(fleet_online(NOW - 901, NOW, 900));
	assert_true(fleet_online(NOW + 30, NOW, 900));	/* a contact "ahead" */
	assert_int_equal(FLEET_OFFLINE_AFTER_S, 3 * 300);
}

static void test_clone_window(void **state)
{
	(void)state;
	assert_false(fleet_clone_suspected(0, NOW));
	assert_true(fleet_clone_suspected(NOW - 3600, NOW));
	assert_true(fleet_clone_suspected(NOW - DB_CLONE_WINDOW_S, NOW));
	assert_false(fleet_clone_suspected(NOW - DB_CLONE_WINDOW_S - 1, NOW));
}

static void enroll(struct db *db, const char *id, const char *room)
{
	char hw[32];
	struct db_device d;

	snprintf(hw, sizeof(hw), "hw-%s", id);
	d = server_fixture_device(id, hw, "610102001", room);
	snprintf(d.hostname, sizeof(d.hostname), "pc-%s", id);
	d.enrolled_at = NOW - 86400;
	server_fixture_enroll(db, &d);
}

static int setup(void **state)
{
	static const struct db_school s = { "610102001", "一小", "" };

	*state = server_fixture_open(&s, 1);
	return 0;
}

static int teardown(void **state)
{
	server_fixture_close(*state);
	return 0;
}

static const cJSON *row_of(const cJSON *rows, const char *id)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, rows) {
		const cJSON *v = cJSON_GetObjectItem(r, "device_id");

		if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
			return r;
	}
	fail_msg("no row for %s", id);
	return NULL;
}

static void expect_null(const cJSON *row, const char *key)
{
	if (!cJSON_IsNull(cJSON_GetObjectItem(row, key)))
		fail_msg("%s: want null", key);
}

static void expect_int(const cJSON *row, const char *key, double want)
{
	const cJSON *v = cJSON_GetObjectItem(row, key);

	if (!cJSON_IsNumber(v) || v->valuedouble != want)
		fail_msg("%s: want %g", key, want);
}

static void test_report_rows(void **state)
{
	struct server_fixture *f = *state;
	const char *inputs = "[{\"name\":\"IRTOUCH Infrared Touch\",\"touch\":true},"
	    "{\"label\":\"Keyboard\"},{\"name\":\"Mouse\"}]";
	struct bbt_error e;
	struct report *rep;
	cJSON *rows;
	const cJSON *r;

	enroll(f->db, "d1", "101");
	enroll(f->db, "d2", "102");
	enroll(f->db, "d3", "103");
	/* d1: 100 s ago, 2 min behind, 5 buffered of which 3 were then uploaded. */
	assert_int_equal(db_device_heartbeat(f->db, "d1", NOW - 100, -120, "1.2", 5, inputs,
	    &e), 0);
	assert_int_equal(db_device_uploaded(f->db, "d1", 3, &e), 0);
	/* d3: 1000 s ago without agent_time, syncing every 600 s, then revoked. */
	assert_int_equal(db_device_heartbeat(f->db, "d3", NOW - 1000, DB_OFFSET_UNKNOWN, "1.2",
	    0, NULL, &e), 0);
	assert_int_equal(db_device_interval_set(f->db, "d3", 600, &e), 0);
	assert_int_equal(db_device_revoke(f->db, "d3", NOW - 10, &e), 0);

	rep = fleet_devices_report(f->db, NULL, "Asia/Shanghai", NOW, FLEET_OFFLINE_AFTER_S, &e);
	assert_non_null(rep);
	assert_int_equal(report_nrows(rep), 3);
	rows = report_to_json(rep);
	assert_non_null(rows);

	r = row_of(rows, "d1");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "online")));
	expect_int(r, "clock_offset_s", -120);
	expect_int(r, "buffered", 2);		/* after the pass, not before */
	assert_string_equal(cJSON_GetObjectItem(r, "inputs")->valuestring,
	    "IRTOUCH Infrared Touch; +2 other");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "input_devices")), 3);
	assert_string_equal(cJSON_GetObjectItem(r, "last_seen")->valuestring,
	    "2026-11-18T19:05:00+08:00");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(r, "revoked")));

	r = row_of(rows, "d2");		/* enrolled, never heard from */
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(r, "online")));
	expect_null(r, "last_seen");
	expect_null(r, "clock_offset_s");
	expect_null(r, "buffered");
	expect_null(r, "inputs");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "input_devices")), 0);

	r = row_of(rows, "d3");		/* 1000 s > 900, but < 3 x its own 600 s */
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "online")));
	expect_null(r, "clock_offset_s");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "revoked")));
	cJSON_Delete(rows);
	report_free(rep);

	/* A tighter fixed window: d1 at 100 s is offline under 60 s. */
	rep = fleet_devices_report(f->db, "610102001", "UTC", NOW, 60, &e);
	assert_non_null(rep);
	rows = report_to_json(rep);
	r = row_of(rows, "d1");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(r, "online")));
	assert_string_equal(cJSON_GetObjectItem(r, "last_seen")->valuestring,
	    "2026-11-18T11:05:00+00:00");
	cJSON_Delete(rows);
	report_free(rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_online_window),
		cmocka_unit_test(test_clone_window),
		cmocka_unit_test_setup_teardown(test_report_rows, setup, teardown),
	};

	return cmocka_run_group_tests_name("server_fleet", tests, NULL, NULL);
}
