/*
 * db_auth: the dashboard sign-in's storage (CONTRACT 5.1 admin passwd, 5.2):
 * admins' password hashes (server/auth_password.h form), sign-in sessions
 * and the wrong-password log the throttle counts. SQLite: db_sqlite_auth.c.
 *
 * Invariants:
 *  - A session is stored by the SHA-256 hex of its cookie value, never the
 *    value; the CSRF token is kept as it is (it is no credential alone).
 *  - Only an active (not revoked) admin's password and sessions are found;
 *    db_auth_password_set and db_auth_admin_forget also delete the admin's
 *    sessions, so a new password or a revocation signs every browser out.
 *    Callers run those two in a transaction.
 *  - Every function is one statement per step, portable SQL (db.h).
 */
#ifndef SERVER_DB_AUTH_H
#define SERVER_DB_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "db_admins.h"

#define DB_AUTH_HASH_LEN 192	/* = AUTH_PASSWORD_HASH_LEN */
#define DB_AUTH_KEY_LEN 320	/* a throttle key: "name:" + name, "addr:" + address */

struct db_auth_session {
	struct db_admin admin;		/* whose; school "" = bureau */
	char csrf[DB_HASH_LEN];		/* 64 hex */
	int64_t created_at;
	int64_t last_seen;
};

/* Set the password hash of an active admin and end its sessions; *found = 0
 * (nothing written) if there is no such active admin. */
int db_auth_password_set(struct db *db, const char *name, const char *hash, int64_t now,
    int *found, struct bbt_error *e);
/* The password hash of an active admin, and the admin; *found = 0 if the
 * name is unknown, revoked or has no password. */
int db_auth_password_get(struct db *db, const char *name, char hash[DB_AUTH_HASH_LEN],
    struct db_admin *admin, int *found, struct bbt_error *e);
/* Delete an admin's password and sessions (at revocation). */
int db_auth_admin_forget(struct db *db, const char *name, struct bbt_error *e);

/* A new session of an active admin (created_at = last_seen = now). */
int db_auth_session_add(struct db *db, const char *id_hash, const char *admin,
    const char *csrf, int64_t now, struct bbt_error *e);
/*
 * The session of id_hash if it is still good: its admin active, last_seen
 * after idle_cut and created_at after max_cut; *found = 0 otherwise.
 */
int db_auth_session_get(struct db *db, const char *id_hash, int64_t idle_cut,
    int64_t max_cut, struct db_auth_session *out, int *found, struct bbt_error *e);
/* last_seen = now, only if it is older than stale (one write a minute, not
 * one per request). */
int db_auth_session_touch(struct db *db, const char *id_hash, int64_t now, int64_t stale,
    struct bbt_error *e);
int db_auth_session_delete(struct db *db, const char *id_hash, struct bbt_error *e);
/* Delete every session idle since idle_cut or created before max_cut. */
int db_auth_sessions_prune(struct db *db, int64_t idle_cut, int64_t max_cut,
    struct bbt_error *e);

/* Log one wrong attempt under key at time at. */
int db_auth_failure_add(struct db *db, const char *key, int64_t at, struct bbt_error *e);
/*
 * The time of key's nth most recent failure after since (n = 1: the
 * latest); *found = 0 if key has fewer than n failures after since.
 */
int db_auth_failure_nth(struct db *db, const char *key, int64_t since, int n, int64_t *at,
    int *found, struct bbt_error *e);
/* Forget key's failures (a right password for that name). */
int db_auth_failures_clear(struct db *db, const char *key, struct bbt_error *e);
/* Forget every failure at or before cut (outside every window). */
int db_auth_failures_prune(struct db *db, int64_t cut, struct bbt_error *e);

#endif
