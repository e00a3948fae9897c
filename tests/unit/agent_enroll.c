/*
 * Unit tests of the enrollment state (agent/enroll.c) on a real SQLite
 * buffer: saved whole in one transaction, so a write that fails half-way
 * (here a trigger that raises on the last key) leaves the old state
 * entirely as it was: never a new token beside the old URL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "enroll.h"
#include "store.h"

struct fx {
	char dir[256];
	struct store *st;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct bbt_error e;

	snprintf(f->dir, sizeof(f->dir), "/tmp/bbt-enroll-test.XXXXXX");
	if (!f || mkdtemp(f->dir) == NULL || store_open(&f->st, f->dir, &e) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[300];

	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void fill(struct enroll_state *s, const char *url, const char *id,
    const char *token)
{
	memset(s, 0, sizeof(*s));
	s->status = ENROLL_ACTIVE;
	snprintf(s->url, sizeof(s->url), "%s", url);
	snprintf(s->device_id, sizeof(s->device_id), "%s", id);
	snprintf(s->device_token, sizeof(s->device_token), "%s", token);
	snprintf(s->school, sizeof(s->school), "610102001");
	snprintf(s->room, sizeof(s->room), "3-2");
}

static void state_round_trip(void **state)
{
	struct fx *f = *state;
	struct enroll_state s, got;
	struct bbt_error e;

	assert_int_equal(enroll_state_load(f->st, &got, &e), 0);
	assert_int_equal(got.status, ENROLL_NONE);
	assert_string_equal(got.url, "");
	fill(&s, "https://old.example/", "dev-1", "tok-old");
	assert_int_equal(enroll_state_save(f->st, &s, &e), 0);
	assert_int_equal(enroll_state_load(f->st, &got, &e), 0);
	assert_int_equal(got.status, ENROLL_ACTIVE);
	assert_string_equal(got.url, "https://old.example/");
	assert_string_equal(got.device_id, "dev-1");
	assert_string_equal(got.device_token, "tok-old");
	assert_string_equal(got.school, "610102001");
	assert_string_equal(got.room, "3-2");
	assert_true(enroll_is_enrolled(f->st));
	assert_int_equal(enroll_mark_revoked(f->st, &e), 0);
	assert_int_equal(enroll_state_load(f->st, &got, &e), 0);
	assert_int_equal(got.status, ENROLL_REVOKED);
	assert_true(enroll_is_revoked(f->st));
	assert_false(enroll_is_enrolled(f->st));
}

/* The save fails at its last write: nothing of it may remain. */
static void state_save_is_atomic(void **state)
{
	struct fx *f = *state;
	struct enroll_state s, got;
	struct bbt_error e;
	char *err = NULL;

	fill(&s, "https://old.example/", "dev-1", "tok-old");
	assert_int_equal(enroll_state_save(f->st, &s, &e), 0);
	assert_int_equal(sqlite3_exec(store_sqlite(f->st),
	    "CREATE TRIGGER fail_last BEFORE INSERT ON meta WHEN NEW.key = 'enrolled'"
	    " BEGIN SELECT RAISE(ABORT, 'disk full (injected)'); END", NULL, NULL,
	    &err), SQLITE_OK);
	fill(&s, "https://new.example/", "dev-2", "tok-new");
	assert_int_equal(enroll_state_save(f->st, &s, &e), -1);
	assert_non_null(strstr(e.msg, "injected"));
	assert_int_equal(enroll_state_load(f->st, &got, &e), 0);
	assert_int_equal(got.status, ENROLL_ACTIVE);
	assert_string_equal(got.url, "https://old.example/");
	assert_string_equal(got.device_id, "dev-1");
	assert_string_equal(got.device_token, "tok-old");
	/* And once the fault is gone the new state goes in whole. */
	assert_int_equal(sqlite3_exec(store_sqlite(f->st), "DROP TRIGGER fail_last",
	    NULL, NULL, &err), SQLITE_OK);
	assert_int_equal(enroll_state_save(f->st, &s, &e), 0);
	assert_int_equal(enroll_state_load(f->st, &got, &e), 0);
	assert_string_equal(got.url, "https://new.example/");
	assert_string_equal(got.device_token, "tok-new");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(state_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(state_save_is_atomic, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
