/*
 * db_tokens: enrollment tokens (CONTRACT 5.1 token create|list|revoke): only
 * their digests are stored. SQLite: db_sqlite.c.
 */
#ifndef SERVER_DB_TOKENS_H
#define SERVER_DB_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct db_enroll_token {
	char hash[DB_HASH_LEN];
	char school[DB_SCHOOL_LEN];
	int64_t uses_left;
	int64_t expires_at;	/* expired when now >= expires_at */
	int64_t created_at;
	/* The token's first DB_PREFIX_LEN characters, for `token list|revoke`
	 * ("" for tokens made before schema v3: they go by their digest). */
	char prefix[DB_PREFIX_LEN + 1];
	int64_t revoked_at;	/* 0 = not revoked */
};

int db_enroll_token_add(struct db *db, const struct db_enroll_token *t,
    struct bbt_error *e);
int db_enroll_token_get(struct db *db, const char *hash, struct db_enroll_token *out,
    int *found, struct bbt_error *e);
/*
 * Take one use of the token if it has one left and is not revoked:
 * *taken = 1, else 0. Call it inside a transaction together with the
 * device write it pays for.
 */
int db_enroll_token_take(struct db *db, const char *hash, int *taken,
    struct bbt_error *e);

typedef int (*db_token_fn)(void *arg, const struct db_enroll_token *t,
    struct bbt_error *e);
/* Enrollment tokens of one school (NULL = all), ordered by school, created_at. */
int db_enroll_tokens_each(struct db *db, const char *school, db_token_fn fn, void *arg,
    struct bbt_error *e);
/*
 * The enrollment tokens whose prefix starts with `prefix` (or, with
 * by_hash, whose digest does): up to max of them into out, *n the number
 * that matched (may exceed max).
 */
int db_enroll_tokens_match(struct db *db, const char *prefix, int by_hash,
    struct db_enroll_token *out, size_t max, size_t *n, struct bbt_error *e);
int db_enroll_token_revoke(struct db *db, const char *hash, int64_t now,
    struct bbt_error *e);

#endif
