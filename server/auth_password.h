/*
 * auth_password: the dashboard sign-in password (CONTRACT 5.1 `admin passwd`,
 * 5.2), as a slow, salted, memory-hard hash: scrypt from OpenSSL's
 * libcrypto (EVP_PBE_scrypt), which the collector links already. Why scrypt
 * and these parameters: docs/server.md ("Sign-in").
 *
 * The stored form says everything needed to check it again, so the cost can
 * be raised later without invalidating old hashes:
 *
 *     $scrypt$ln=15,r=8,p=3$<salt: 32 hex>$<key: 64 hex>
 *
 * (N = 2^ln). A password is never stored, logged or compared in clear; the
 * keys are compared in constant time. Pure: no state but OpenSSL's RNG.
 */
#ifndef SERVER_AUTH_PASSWORD_H
#define SERVER_AUTH_PASSWORD_H

#include <stddef.h>

#include "bbt_error.h"

#define AUTH_PASSWORD_MIN 8		/* characters (UTF-8), not bytes */
#define AUTH_PASSWORD_MAX 1024		/* bytes: bounds the work per attempt */
#define AUTH_PASSWORD_HASH_LEN 192	/* stored form + NUL, room for raised costs */
/* The cost new hashes get (OWASP's scrypt row N=2^15, r=8, p=3: 32 MiB). */
#define AUTH_PASSWORD_LN 15
#define AUTH_PASSWORD_R 8
#define AUTH_PASSWORD_P 3

/* 0 if pw may be a password (valid UTF-8, no control characters, 8 to
 * AUTH_PASSWORD_MAX), else -1 with e saying what is wrong. */
int auth_password_check(const char *pw, struct bbt_error *e);
/* The stored form of pw, with a fresh random salt and the current cost. */
int auth_password_hash(const char *pw, char out[AUTH_PASSWORD_HASH_LEN], struct bbt_error *e);
/*
 * *ok = 1 if pw matches stored. A stored form that does not parse, or whose
 * cost is out of the accepted range, is -1 (a broken row, not a wrong
 * password). The time taken depends on the stored cost, not on pw.
 */
int auth_password_verify(const char *pw, const char *stored, int *ok, struct bbt_error *e);
/*
 * Spend the time a verify against a current-cost hash takes, for a name
 * that has no password: an unknown name answers as slowly as a wrong
 * password, so timing does not tell which names exist.
 */
void auth_password_dummy(const char *pw);
/* "scrypt N=32768 r=8 p=3" for stored, or "invalid": what `admin list`
 * shows, never the salt or key. */
void auth_password_describe(const char *stored, char *out, size_t len);

#endif
