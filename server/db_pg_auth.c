/*
 * db_pg_auth: server/db_auth.h on PostgreSQL: the same statements as
 * db_sqlite_auth.c (tables admin_passwords, admin_sessions and
 * signin_failures, schema v5 in db_pg.c), run through db_pg_internal.h.
 */
#include <stdio.h>
#include <string.h>

#include "db_pg_internal.h"
#include "db_sql.h"

static int sessions_of_end(struct db *db, const char *name, struct bbt_error *e)
{
	return db_pg_run_key_int(db, "DELETE FROM admin_sessions WHERE admin = ?1", name, 0,
	    "end sessions", e);
}

int db_pg_auth_password_set(struct db *db, const char *name, const char *hash, int64_t now,
    int *found, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	int64_t n;

	*found = 0;
	db_pg_put_text(&a, name);
	db_pg_put_text(&a, hash);
	db_pg_put_int(&a, now);
	n = db_pg_run(db, DB_SQL_PASSWORD_SET, &a, "set password", e);
	if (n < 0)
		return -1;
	*found = n > 0;
	return *found ? sessions_of_end(db, name, e) : 0;
}

/* Where a password row goes. */
struct password {
	char *hash;
	struct db_admin *admin;
};

static void password_from_row(const PGresult *r, int i, void *out)
{
	struct password *p = out;

	memset(p->admin, 0, sizeof(*p->admin));
	db_pg_get_text(r, i, 0, p->hash, DB_AUTH_HASH_LEN);
	db_pg_get_text(r, i, 1, p->admin->name, sizeof(p->admin->name));
	db_pg_get_text(r, i, 2, p->admin->school, sizeof(p->admin->school));
	p->admin->created_at = db_pg_get_int(r, i, 3);
}

int db_pg_auth_password_get(struct db *db, const char *name, char hash[DB_AUTH_HASH_LEN],
    struct db_admin *admin, int *found, struct bbt_error *e)
{
	struct password p = { hash, admin };
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, name);
	return db_pg_one(db, DB_SQL_PASSWORD_GET, &a, password_from_row, &p, found, "password",
	    e);
}

int db_pg_auth_admin_forget(struct db *db, const char *name, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, name);
	if (db_pg_run(db, "DELETE FROM admin_passwords WHERE name = ?1", &a, "forget password", e) < 0)
		return -1;
	return sessions_of_end(db, name, e);
}

int db_pg_auth_session_add(struct db *db, const char *id_hash, const char *admin,
    const char *csrf, int64_t now, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, id_hash);
	db_pg_put_text(&a, admin);
	db_pg_put_text(&a, csrf);
	db_pg_put_int(&a, now);
	return db_pg_run(db, DB_SQL_AUTH_SESSION_ADD, &a, "add session", e) < 0 ? -1 : 0;
}

static void session_from_row(const PGresult *r, int i, void *arg)
{
	struct db_auth_session *out = arg;

	memset(out, 0, sizeof(*out));
	db_pg_get_text(r, i, 0, out->admin.name, sizeof(out->admin.name));
	db_pg_get_text(r, i, 1, out->admin.school, sizeof(out->admin.school));
	out->admin.created_at = db_pg_get_int(r, i, 2);
	db_pg_get_text(r, i, 3, out->csrf, sizeof(out->csrf));
	out->created_at = db_pg_get_int(r, i, 4);
	out->last_seen = db_pg_get_int(r, i, 5);
}

int db_pg_auth_session_get(struct db *db, const char *id_hash, int64_t idle_cut,
    int64_t max_cut, struct db_auth_session *out, int *found, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, id_hash);
	db_pg_put_int(&a, idle_cut);
	db_pg_put_int(&a, max_cut);
	return db_pg_one(db, DB_SQL_AUTH_SESSION_GET, &a, session_from_row, out, found,
	    "session", e);
}

int db_pg_auth_session_touch(struct db *db, const char *id_hash, int64_t now, int64_t stale,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, id_hash);
	db_pg_put_int(&a, now);
	db_pg_put_int(&a, stale);
	return db_pg_run(db, DB_SQL_AUTH_SESSION_TOUCH, &a, "touch session", e) < 0 ? -1 : 0;
}

int db_pg_auth_session_delete(struct db *db, const char *id_hash, struct bbt_error *e)
{
	return db_pg_run_key_int(db, "DELETE FROM admin_sessions WHERE id_hash = ?1", id_hash, 0,
	    "delete session", e);
}

int db_pg_auth_sessions_prune(struct db *db, int64_t idle_cut, int64_t max_cut,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_int(&a, idle_cut);
	db_pg_put_int(&a, max_cut);
	return db_pg_run(db, DB_SQL_AUTH_SESSIONS_PRUNE, &a, "prune sessions", e) < 0 ? -1 : 0;
}

int db_pg_auth_failure_add(struct db *db, const char *key, int64_t at, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, key);
	db_pg_put_int(&a, at);
	return db_pg_run(db, DB_SQL_FAILURE_ADD, &a, "log failure", e) < 0 ? -1 : 0;
}

int db_pg_auth_failure_nth(struct db *db, const char *key, int64_t since, int n, int64_t *at,
    int *found, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	*at = 0;
	db_pg_put_text(&a, key);
	db_pg_put_int(&a, since);
	db_pg_put_int(&a, n > 0 ? n - 1 : 0);
	return db_pg_one(db, DB_SQL_FAILURE_NTH, &a, db_pg_int64s, at, found, "failures", e);
}

int db_pg_auth_failures_clear(struct db *db, const char *key, struct bbt_error *e)
{
	return db_pg_run_key_int(db, "DELETE FROM signin_failures WHERE key = ?1", key, 0,
	    "clear failures", e);
}

int db_pg_auth_failures_prune(struct db *db, int64_t cut, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_int(&a, cut);
	return db_pg_run(db, "DELETE FROM signin_failures WHERE at <= ?1", &a, "prune failures", e) <
	    0 ? -1 : 0;
}
