/*
 * auth: the collector's secrets — enrollment, device and admin tokens.
 *
 * A token is 32 random bytes from OpenSSL's RAND_bytes, shown as 64
 * lowercase hex digits. It is printed or sent once and never stored: the
 * database keeps only its SHA-256 digest (hex), so a copy of the database
 * does not let anyone enroll, upload or read. Looking a token up by its
 * digest also avoids comparing secrets byte by byte.
 */
#ifndef SERVER_AUTH_H
#define SERVER_AUTH_H

#include <stddef.h>

#include "bbt_error.h"

#define AUTH_TOKEN_BYTES 32
#define AUTH_TOKEN_LEN (AUTH_TOKEN_BYTES * 2 + 1)	/* hex + NUL */
#define AUTH_HASH_LEN 65				/* SHA-256 hex + NUL */

/* A new random token. */
int auth_token_new(char out[AUTH_TOKEN_LEN], struct bbt_error *e);
/* SHA-256 of the token's bytes, lowercase hex. */
int auth_hash(const char *token, char out[AUTH_HASH_LEN], struct bbt_error *e);
/*
 * The token of an "Authorization: Bearer <token>" value (scheme case-
 * insensitive, one or more spaces). 0 and the token in out, or -1 if the
 * value is missing, of another scheme, empty, or longer than len - 1.
 */
int auth_bearer(const char *header, char *out, size_t len);

#endif
