/*
 * db_sqlite_auth: server/db_auth.h on SQLite. Tables admin_passwords,
 * admin_sessions and signin_failures (schema v5, db_sqlite.c). Each
 * function is single prepared statements with bound parameters, in SQL
 * that PostgreSQL runs as it is (db.h "Portable SQL").
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "db_sql.h"
#include "db_sqlite_internal.h"

static int sessions_of_end(struct db *db, const char *name, struct bbt_error *e)
{
	return db_sqlite_done_key_int(db, "DELETE FROM admin_sessions WHERE admin = ?1", name,
	    0, e, "end sessions");
}

int db_sqlite_auth_password_set(struct db *db, const char *name, const char *hash, int64_t now,
    int *found, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_PASSWORD_SET, e);
	int rc;

	*found = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now);
	rc = db_sqlite_returning(db, st, e, "set password");
	if (rc < 0)
		return -1;
	*found = rc;
	return rc ? sessions_of_end(db, name, e) : 0;
}

/* Where a password row goes. */
struct password {
	char *hash;
	struct db_admin *admin;
};

static void password_from_row(sqlite3_stmt *st, void *out)
{
	struct password *p = out;

	memset(p->admin, 0, sizeof(*p->admin));
	db_sqlite_text(st, 0, p->hash, DB_AUTH_HASH_LEN);
	db_sqlite_text(st, 1, p->admin->name, sizeof(p->admin->name));
	db_sqlite_text(st, 2, p->admin->school, sizeof(p->admin->school));
	p->admin->created_at = sqlite3_column_int64(st, 3);
}

int db_sqlite_auth_password_get(struct db *db, const char *name, char hash[DB_AUTH_HASH_LEN],
    struct db_admin *admin, int *found, struct bbt_error *e)
{
	struct password p = { hash, admin };

	return db_sqlite_one_key(db, DB_SQL_PASSWORD_GET, name, password_from_row, &p, found,
	    e, "password");
}

int db_sqlite_auth_admin_forget(struct db *db, const char *name, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "DELETE FROM admin_passwords WHERE name = ?1", e);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (db_sqlite_done(db, st, e, "forget password") < 0)
		return -1;
	return sessions_of_end(db, name, e);
}

int db_sqlite_auth_session_add(struct db *db, const char *id_hash, const char *admin,
    const char *csrf, int64_t now, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_AUTH_SESSION_ADD, e);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, admin, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, csrf, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, now);
	return db_sqlite_done(db, st, e, "add session");
}

static void session_from_row(sqlite3_stmt *st, void *arg)
{
	struct db_auth_session *out = arg;

	memset(out, 0, sizeof(*out));
	db_sqlite_text(st, 0, out->admin.name, sizeof(out->admin.name));
	db_sqlite_text(st, 1, out->admin.school, sizeof(out->admin.school));
	out->admin.created_at = sqlite3_column_int64(st, 2);
	db_sqlite_text(st, 3, out->csrf, sizeof(out->csrf));
	out->created_at = sqlite3_column_int64(st, 4);
	out->last_seen = sqlite3_column_int64(st, 5);
}

int db_sqlite_auth_session_get(struct db *db, const char *id_hash, int64_t idle_cut,
    int64_t max_cut, struct db_auth_session *out, int *found, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_AUTH_SESSION_GET, e);

	if (st) {
		sqlite3_bind_text(st, 1, id_hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, idle_cut);
		sqlite3_bind_int64(st, 3, max_cut);
	}
	return db_sqlite_one(db, st, session_from_row, out, found, e, "session");
}

int db_sqlite_auth_session_touch(struct db *db, const char *id_hash, int64_t now, int64_t stale,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_AUTH_SESSION_TOUCH, e);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, stale);
	return db_sqlite_done(db, st, e, "touch session");
}

int db_sqlite_auth_session_delete(struct db *db, const char *id_hash, struct bbt_error *e)
{
	return db_sqlite_done_key_int(db, "DELETE FROM admin_sessions WHERE id_hash = ?1", id_hash,
	    0, e, "delete session");
}

int db_sqlite_auth_sessions_prune(struct db *db, int64_t idle_cut, int64_t max_cut,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_AUTH_SESSIONS_PRUNE, e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, idle_cut);
	sqlite3_bind_int64(st, 2, max_cut);
	return db_sqlite_done(db, st, e, "prune sessions");
}

int db_sqlite_auth_failure_add(struct db *db, const char *key, int64_t at, struct bbt_error *e)
{
	return db_sqlite_done_key_int(db, DB_SQL_FAILURE_ADD, key, at, e, "log failure");
}

int db_sqlite_auth_failure_nth(struct db *db, const char *key, int64_t since, int n, int64_t *at,
    int *found, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_FAILURE_NTH, e);

	*at = 0;
	if (st) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, since);
		sqlite3_bind_int(st, 3, n > 0 ? n - 1 : 0);
	}
	return db_sqlite_one(db, st, db_sqlite_int64s, at, found, e, "failures");
}

int db_sqlite_auth_failures_clear(struct db *db, const char *key, struct bbt_error *e)
{
	return db_sqlite_done_key_int(db, "DELETE FROM signin_failures WHERE key = ?1", key,
	    0, e, "clear failures");
}

int db_sqlite_auth_failures_prune(struct db *db, int64_t cut, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "DELETE FROM signin_failures WHERE at <= ?1", e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, cut);
	return db_sqlite_done(db, st, e, "prune failures");
}
