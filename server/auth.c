/*
 * auth: token generation and hashing with OpenSSL libcrypto (RAND_bytes,
 * EVP SHA-256). No hand-made crypto; see auth.h for why only digests are
 * stored.
 *
 * Every request hashes its token, so SHA-256 is fetched from the default
 * provider once per process (EVP_MD_fetch under pthread_once): in OpenSSL 3
 * EVP_sha256() is a stub that makes each EVP_Digest look the algorithm up
 * again, under the library's lock. The fetched EVP_MD is immutable and
 * shared by every thread; it lives until exit.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth.h"
#include "bbt_hex.h"

int auth_token_new(char out[AUTH_TOKEN_LEN], struct bbt_error *e)
{
	unsigned char b[AUTH_TOKEN_BYTES];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return bbt_error_set(e, "no random bytes for a token");
	bbt_hex_encode(b, sizeof(b), out);
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}

static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_fetched;

static void sha256_fetch(void)
{
	sha256_fetched = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* The fetched SHA-256, or the per-call stub if the fetch failed. */
static const EVP_MD *sha256(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return sha256_fetched ? sha256_fetched : EVP_sha256();
}

int auth_hash(const char *token, char out[AUTH_HASH_LEN], struct bbt_error *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(token, strlen(token), md, &n, sha256(), NULL) != 1 || n != 32)
		return bbt_error_set(e, "SHA-256 failed");
	bbt_hex_encode(md, n, out);
	return 0;
}

int auth_bearer(const char *header, char *out, size_t len)
{
	size_t n;

	if (!header || strncasecmp(header, "Bearer ", 7) != 0)
		return -1;
	header += 7;
	while (*header == ' ')
		header++;
	n = strcspn(header, " \t\r\n");
	if (n == 0 || n >= len || header[n + strspn(header + n, " \t")] != '\0')
		return -1;
	memcpy(out, header, n);
	out[n] = '\0';
	return 0;
}
