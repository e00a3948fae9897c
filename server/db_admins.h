/*
 * db_admins: admin tokens (CONTRACT 5.1 admin create|list|revoke). SQLite:
 * db_sqlite.c.
 */
#ifndef SERVER_DB_ADMINS_H
#define SERVER_DB_ADMINS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct db_admin {
	char name[DB_NAME_LEN];
	char school[DB_SCHOOL_LEN];	/* "" = bureau: sees every school */
	int64_t created_at;
	int64_t revoked_at;		/* 0 = active */
};

/* Add an admin with the hash of its token; -1 if the name exists (a
 * revoked admin's name is taken over: new token, school, not revoked). */
int db_admin_add(struct db *db, const struct db_admin *a, const char *token_hash,
    int64_t created_at, struct bbt_error *e);
/* The admin of a token; a revoked admin is not found. */
int db_admin_by_token(struct db *db, const char *token_hash, struct db_admin *out,
    int *found, struct bbt_error *e);

typedef int (*db_admin_fn)(void *arg, const struct db_admin *a, struct bbt_error *e);
/* Every admin, revoked ones too, ordered by name. */
int db_admins_each(struct db *db, db_admin_fn fn, void *arg, struct bbt_error *e);
/* Revoke an admin's token: *found = 0 if no such admin, *already if it was. */
int db_admin_revoke(struct db *db, const char *name, int64_t now, int *found,
    int *already, struct bbt_error *e);

#endif
