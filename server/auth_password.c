/*
 * auth_password: scrypt hashes of sign-in passwords through libcrypto
 * (EVP_PBE_scrypt, RAND_bytes, CRYPTO_memcmp); see auth_password.h for the
 * stored form. No hand-made crypto: this file only formats and parses.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth_password.h"
#include "bbt_hex.h"
#include "bbt_utf8.h"

#define SALT_BYTES 16
#define KEY_BYTES 32
/* Costs a stored hash may carry: past these it is a corrupt or hostile row. */
#define LN_MIN 10
#define LN_MAX 22
#define R_MAX 32
#define P_MAX 16
#define MEM_MAX ((uint64_t)1 << 30)

struct cost {
	int ln, r, p;
};

/* n bytes of hex at s, then the end or the next '$' field. */
static int unhex(const char *s, unsigned char *out, size_t n)
{
	if (bbt_hex_decode(s, out, n) < 0)
		return -1;
	return s[2 * n] == '\0' || s[2 * n] == '$' ? 0 : -1;
}

/* scrypt's working memory, 128 * r * (N + p) bytes, plus slack for OpenSSL. */
static uint64_t cost_memory(const struct cost *c)
{
	return 128u * (uint64_t)c->r * (((uint64_t)1 << c->ln) + (uint64_t)c->p) + (1u << 20);
}

static int derive(const char *pw, const unsigned char *salt, const struct cost *c,
    unsigned char key[KEY_BYTES])
{
	return EVP_PBE_scrypt(pw, strlen(pw), salt, SALT_BYTES, (uint64_t)1 << c->ln,
	    (uint64_t)c->r, (uint64_t)c->p, cost_memory(c), key, KEY_BYTES) == 1 ? 0 : -1;
}

/* Parse stored into its cost, salt and key; -1 if it is not our form. */
static int parse(const char *stored, struct cost *c, unsigned char salt[SALT_BYTES],
    unsigned char key[KEY_BYTES])
{
	int n = 0;

	if (sscanf(stored, "$scrypt$ln=%d,r=%d,p=%d$%n", &c->ln, &c->r, &c->p, &n) != 3 ||
	    n == 0)
		return -1;
	if (c->ln < LN_MIN || c->ln > LN_MAX || c->r < 1 || c->r > R_MAX || c->p < 1 ||
	    c->p > P_MAX || cost_memory(c) > MEM_MAX)
		return -1;
	stored += n;
	if (strlen(stored) != 2 * SALT_BYTES + 1 + 2 * KEY_BYTES ||
	    unhex(stored, salt, SALT_BYTES) < 0 || stored[2 * SALT_BYTES] != '$')
		return -1;
	return unhex(stored + 2 * SALT_BYTES + 1, key, KEY_BYTES);
}

int auth_password_check(const char *pw, struct bbt_error *e)
{
	size_t len = strlen(pw), chars = 0, i = 0;

	if (len == 0)
		return bbt_error_set(e, "the password is empty");
	if (len > AUTH_PASSWORD_MAX)
		return bbt_error_set(e, "the password is longer than %d bytes", AUTH_PASSWORD_MAX);
	while (i < len) {
		uint32_t cp;
		size_t n = bbt_utf8_char((const unsigned char *)pw + i, len - i, &cp);

		if (n == 0)
			return bbt_error_set(e, "the password is not valid UTF-8 text");
		if (cp < 0x20 || cp == 0x7f)
			return bbt_error_set(e, "the password has a control character");
		i += n;
		chars++;
	}
	if (chars < AUTH_PASSWORD_MIN)
		return bbt_error_set(e, "the password is too short: %zu characters, at least "
		    "%d needed", chars, AUTH_PASSWORD_MIN);
	return 0;
}

int auth_password_hash(const char *pw, char out[AUTH_PASSWORD_HASH_LEN], struct bbt_error *e)
{
	static const struct cost c = { AUTH_PASSWORD_LN, AUTH_PASSWORD_R, AUTH_PASSWORD_P };
	unsigned char salt[SALT_BYTES], key[KEY_BYTES];
	char hsalt[2 * SALT_BYTES + 1], hkey[2 * KEY_BYTES + 1];

	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return bbt_error_set(e, "no random bytes for a salt");
	if (derive(pw, salt, &c, key) < 0)
		return bbt_error_set(e, "scrypt failed (out of memory?)");
	bbt_hex_encode(salt, sizeof(salt), hsalt);
	bbt_hex_encode(key, sizeof(key), hkey);
	OPENSSL_cleanse(key, sizeof(key));
	snprintf(out, AUTH_PASSWORD_HASH_LEN, "$scrypt$ln=%d,r=%d,p=%d$%s$%s", c.ln, c.r, c.p,
	    hsalt, hkey);
	return 0;
}

int auth_password_verify(const char *pw, const char *stored, int *ok, struct bbt_error *e)
{
	unsigned char salt[SALT_BYTES], want[KEY_BYTES], got[KEY_BYTES];
	struct cost c;

	*ok = 0;
	if (parse(stored, &c, salt, want) < 0)
		return bbt_error_set(e, "stored password hash is not in a known form");
	if (derive(pw, salt, &c, got) < 0)
		return bbt_error_set(e, "scrypt failed (out of memory?)");
	*ok = CRYPTO_memcmp(got, want, KEY_BYTES) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	return 0;
}

void auth_password_dummy(const char *pw)
{
	static const struct cost c = { AUTH_PASSWORD_LN, AUTH_PASSWORD_R, AUTH_PASSWORD_P };
	static const unsigned char salt[SALT_BYTES] = { 0 };
	unsigned char key[KEY_BYTES];

	(void)derive(pw, salt, &c, key);
	OPENSSL_cleanse(key, sizeof(key));
}

void auth_password_describe(const char *stored, char *out, size_t len)
{
	unsigned char salt[SALT_BYTES], key[KEY_BYTES];
	struct cost c;

	if (parse(stored, &c, salt, key) < 0)
		snprintf(out, len, "invalid");
	else
		snprintf(out, len, "scrypt N=%lu r=%d p=%d", 1ul << c.ln, c.r, c.p);
}
