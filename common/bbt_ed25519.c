/*
 * bbt_ed25519: device key pair, signing and verification with OpenSSL's
 * EVP Ed25519 (see bbt_ed25519.h). The key file is made by writing a temp
 * file and hard-linking it to its name, so a crash or a second process can
 * neither leave a half key nor replace an existing one: the key is the
 * device's identity for bundles, and losing it silently would make every
 * later bundle unverifiable.
 */
#include "bbt_ed25519.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "bbt_file.h"
#include "bbt_log.h"

struct bbt_ed25519_key {
	EVP_PKEY *pkey;
};

/* Set e from OpenSSL's error queue (and empty the queue). */
static int ssl_error(struct bbt_error *e, const char *what)
{
	unsigned long code = ERR_get_error();
	char buf[256] = "unknown error";

	if (code != 0)
		ERR_error_string_n(code, buf, sizeof(buf));
	ERR_clear_error();
	return bbt_error_set(e, "%s: %s", what, buf);
}

static int b64_char_ok(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/*
 * Decode exactly `len` raw bytes from canonical padded base64. Re-encoding
 * and comparing rejects non-zero padding bits, so one key or signature has
 * exactly one text form.
 */
static int b64_decode_exact(const char *s, unsigned char *out, size_t len)
{
	size_t chars = 4 * ((len + 2) / 3), pad = (3 - len % 3) % 3;
	unsigned char buf[128];
	char again[180];

	if (s == NULL || chars + 1 > sizeof(again) || len + 3 > sizeof(buf))
		return -1;
	if (strnlen(s, chars + 1) != chars)
		return -1;
	for (size_t i = 0; i < chars; i++) {
		if (i >= chars - pad ? s[i] != '=' : !b64_char_ok(s[i]))
			return -1;
	}
	if (EVP_DecodeBlock(buf, (const unsigned char *)s, (int)chars) !=
	    (int)(chars / 4 * 3))
		return -1;
	EVP_EncodeBlock((unsigned char *)again, buf, (int)len);
	if (strcmp(again, s) != 0)
		return -1;
	memcpy(out, buf, len);
	return 0;
}

int bbt_ed25519_public_valid(const char *s)
{
	unsigned char raw[BBT_ED25519_PUB_LEN];

	return b64_decode_exact(s, raw, sizeof(raw)) == 0;
}

/* The PEM text of a fresh key pair, in a memory BIO the caller frees. */
static BIO *new_key_pem(struct bbt_error *e)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;

	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_keygen(ctx, &pkey) <= 0) {
		ssl_error(e, "Ed25519 key generation");
		goto out;
	}
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || !PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0,
	    NULL, NULL)) {
		ssl_error(e, "writing the key as PEM");
		BIO_free(bio);
		bio = NULL;
	}
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	return bio;
}

int bbt_ed25519_generate(const char *path, struct bbt_error *e)
{
	char tmp[4096];
	char *pem = NULL;
	long pem_len;
	BIO *bio = NULL;
	int fd = -1, rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp))
		return bbt_error_set(e, "%s: path too long", path);
	bio = new_key_pem(e);
	if (bio == NULL)
		return -1;
	pem_len = BIO_get_mem_data(bio, &pem);
	fd = mkstemp(tmp);
	if (fd < 0) {
		bbt_error_set(e, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) != 0 || bbt_file_write_all(fd, pem, (size_t)pem_len) != 0 ||
	    fsync(fd) != 0) {
		bbt_error_set(e, "%s: %s", tmp, strerror(errno));
		goto out_unlink;
	}
	/* link() fails with EEXIST instead of replacing: O_EXCL for a rename. */
	if (link(tmp, path) != 0) {
		bbt_error_set(e, "%s: %s", path, errno == EEXIST ?
		    "a key file already exists (not replaced)" : strerror(errno));
		goto out_unlink;
	}
	rc = bbt_file_fsync_parent(path, e);
out_unlink:
	/* Closed first: Windows does not delete a file that is still open. */
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	if (pem != NULL)
		OPENSSL_cleanse(pem, (size_t)pem_len);
	BIO_free(bio);
	return rc;
}

/* Never prompt for a passphrase: a daemon has no terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return 0;
}

int bbt_ed25519_load(const char *path, struct bbt_ed25519_key **key,
    struct bbt_error *e)
{
	struct stat st;
	EVP_PKEY *pkey;
	BIO *bio;

	*key = NULL;
	if (stat(path, &st) != 0)
		return bbt_error_set(e, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return bbt_error_set(e, "%s: not a regular file", path);
	if (st.st_mode & 077)
		log_warn("%s: private key readable by others (mode %03o)", path,
		    (unsigned)(st.st_mode & 0777));
	bio = BIO_new_file(path, "r");
	if (bio == NULL)
		return ssl_error(e, path);
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (pkey == NULL)
		return ssl_error(e, path);
	if (EVP_PKEY_id(pkey) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(pkey);
		return bbt_error_set(e, "%s: not an Ed25519 private key", path);
	}
	*key = calloc(1, sizeof(**key));
	if (*key == NULL) {
		EVP_PKEY_free(pkey);
		return bbt_error_set(e, "out of memory");
	}
	(*key)->pkey = pkey;
	return 0;
}

int bbt_ed25519_load_or_generate(const char *path,
    struct bbt_ed25519_key **key, struct bbt_error *e)
{
	struct stat st;

	if (stat(path, &st) != 0 && errno == ENOENT &&
	    bbt_ed25519_generate(path, e) != 0 && access(path, F_OK) != 0)
		return -1;	/* unless another process made it meanwhile */
	return bbt_ed25519_load(path, key, e);
}

void bbt_ed25519_free(struct bbt_ed25519_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey);
	free(key);
}

int bbt_ed25519_public_b64(const struct bbt_ed25519_key *key,
    char out[BBT_ED25519_PUB_B64_LEN], struct bbt_error *e)
{
	unsigned char raw[BBT_ED25519_PUB_LEN];
	size_t len = sizeof(raw);

	if (EVP_PKEY_get_raw_public_key(key->pkey, raw, &len) != 1 ||
	    len != sizeof(raw))
		return ssl_error(e, "reading the public key");
	EVP_EncodeBlock((unsigned char *)out, raw, (int)len);
	return 0;
}

int bbt_ed25519_sign(const struct bbt_ed25519_key *key, const void *data,
    size_t len, char out[BBT_ED25519_SIG_B64_LEN], struct bbt_error *e)
{
	unsigned char sig[BBT_ED25519_SIG_LEN];
	size_t sig_len = sizeof(sig);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int rc = -1;

	if (md == NULL || EVP_DigestSignInit(md, NULL, NULL, NULL, key->pkey) != 1 ||
	    EVP_DigestSign(md, sig, &sig_len, len ? data : (const void *)"",
	    len) != 1 || sig_len != sizeof(sig)) {
		ssl_error(e, "Ed25519 signing");
		goto out;
	}
	EVP_EncodeBlock((unsigned char *)out, sig, (int)sig_len);
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int bbt_ed25519_verify(const char *pub_b64, const void *data, size_t len,
    const char *sig_b64, struct bbt_error *e)
{
	unsigned char raw[BBT_ED25519_PUB_LEN], sig[BBT_ED25519_SIG_LEN];
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	int rc = -1, ok;

	if (b64_decode_exact(pub_b64, raw, sizeof(raw)) != 0)
		return bbt_error_set(e, "malformed public key (want base64 of 32 bytes)");
	if (b64_decode_exact(sig_b64, sig, sizeof(sig)) != 0)
		return bbt_error_set(e, "malformed signature (want base64 of 64 bytes)");
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, sizeof(raw));
	md = EVP_MD_CTX_new();
	if (pkey == NULL || md == NULL ||
	    EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) != 1) {
		ssl_error(e, "Ed25519 public key");
		goto out;
	}
	ok = EVP_DigestVerify(md, sig, sizeof(sig), len ? data : (const void *)"",
	    len);
	ERR_clear_error();
	if (ok != 1) {
		bbt_error_set(e, "signature does not verify");
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return rc;
}
