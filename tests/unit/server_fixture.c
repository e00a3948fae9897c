/*
 * server_fixture: see server_fixture.h. The files are removed by name
 * (database, -wal, -shm, then the directory), never with a shell or a
 * recursive delete, so a wrong path can remove nothing else.
 */
#include "server_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth.h"

struct server_fixture *server_fixture_open(const struct db_school *schools, size_t n)
{
	struct server_fixture *f = calloc(1, sizeof(*f));
	struct bbt_error e;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/bbt-ut-server.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	assert_int_equal(db_open(f->path, &f->db, &e), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(db_school_add(f->db, &schools[i], &e), 0);
	return f;
}

void server_fixture_close(struct server_fixture *f)
{
	static const char *const extra[] = { "-wal", "-shm" };
	char p[128];

	if (f == NULL)
		return;
	db_close(f->db);
	unlink(f->path);
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, extra[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
}

void server_fixture_token(struct db *db, const char *token, const char *school, int uses,
    int64_t created, int64_t expires)
{
	struct db_enroll_token t = { 0 };
	struct bbt_error e;

	assert_int_equal(auth_hash(token, t.hash, &e), 0);
	snprintf(t.school, sizeof(t.school), "%s", school);
	t.uses_left = uses;
	t.created_at = created;
	t.expires_at = expires;
	assert_int_equal(db_enroll_token_add(db, &t, &e), 0);
}

struct db_device server_fixture_device(const char *id, const char *hw, const char *school,
    const char *room)
{
	struct db_device d = { 0 };

	snprintf(d.device_id, sizeof(d.device_id), "%s", id);
	snprintf(d.hw_id, sizeof(d.hw_id), "%s", hw);
	snprintf(d.school, sizeof(d.school), "%s", school);
	snprintf(d.room, sizeof(d.room), "%s", room);
	snprintf(d.public_key, sizeof(d.public_key), "k");
	snprintf(d.token_hash, sizeof(d.token_hash), "h-%s", id);
	return d;
}

int server_fixture_enroll(struct db *db, struct db_device *d)
{
	struct bbt_error e;
	int again;

	assert_int_equal(db_device_enroll(db, d, &again, &e), 0);
	return again;
}
