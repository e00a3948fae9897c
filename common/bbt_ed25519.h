/*
 * bbt_ed25519: the device key that signs offline bundles (CONTRACT 4.4, 4.5).
 *
 * An agent makes one Ed25519 key pair at enrollment and keeps the private
 * key as a PKCS#8 PEM file in its state dir (device.key, mode 0600). The
 * key never leaves the device; the server keeps only the public key, which
 * travels as base64 (standard alphabet, padded) of its raw 32 bytes.
 * Signatures travel as base64 of their raw 64 bytes.
 *
 * Invariants:
 *  - bbt_ed25519_generate never overwrites a key file and never leaves a
 *    half-written one: the PEM is written to a temp file (0600), fsynced,
 *    then hard-linked to its name (which fails if the name exists), and the
 *    directory is fsynced.
 *  - Decoding of base64 is strict: exact length, the standard alphabet,
 *    canonical padding bits; anything else is an error, never a guess.
 *  - All crypto is OpenSSL libcrypto's EVP interface (no hand-made crypto).
 */
#ifndef BBT_ED25519_H
#define BBT_ED25519_H

#include <stddef.h>

#include "bbt_error.h"

#define BBT_ED25519_PUB_LEN 32
#define BBT_ED25519_SIG_LEN 64
/* base64 text lengths including the NUL. */
#define BBT_ED25519_PUB_B64_LEN 45
#define BBT_ED25519_SIG_B64_LEN 89

/* The name of the private key file in the agent's state dir. */
#define BBT_ED25519_KEY_FILE "device.key"

struct bbt_ed25519_key;

/* Make a new key pair into the PEM file `path`; -1 if it exists. */
int bbt_ed25519_generate(const char *path, struct bbt_error *e);
/* Load the private key from a PEM file made by bbt_ed25519_generate. */
int bbt_ed25519_load(const char *path, struct bbt_ed25519_key **key,
    struct bbt_error *e);
/* Load the key, making it first if the file does not exist yet. */
int bbt_ed25519_load_or_generate(const char *path,
    struct bbt_ed25519_key **key, struct bbt_error *e);
void bbt_ed25519_free(struct bbt_ed25519_key *key);

/* The public key: base64 of its raw 32 bytes (44 characters). */
int bbt_ed25519_public_b64(const struct bbt_ed25519_key *key,
    char out[BBT_ED25519_PUB_B64_LEN], struct bbt_error *e);
/* Sign data; out is base64 of the 64-byte signature (88 characters). */
int bbt_ed25519_sign(const struct bbt_ed25519_key *key, const void *data,
    size_t len, char out[BBT_ED25519_SIG_B64_LEN], struct bbt_error *e);
/*
 * 0 if sig_b64 is a valid signature of data by the key pub_b64, else -1
 * with the reason (malformed public key, malformed signature, or
 * "signature does not verify").
 */
int bbt_ed25519_verify(const char *pub_b64, const void *data, size_t len,
    const char *sig_b64, struct bbt_error *e);
/* 1 if s is a well-formed public key (44 canonical base64 chars, 32 bytes). */
int bbt_ed25519_public_valid(const char *s);

#endif
