/*
 * bbt_bundle: the signed offline bundle, a .bbtb file (CONTRACT 4.5).
 *
 * A bundle carries sessions from an agent with no network to the
 * collector on a USB stick. It is text, one JSON object per line, each
 * line ending in "\n" (no "\r", no NUL, no blank line):
 *
 *   {"format":"bbt-bundle/1","device_id":"...","created":"<ISO 8601>",
 *    "agent_version":"...","count":N}
 *   <session 1, CONTRACT 4.3>
 *   ...
 *   <session N>
 *   {"signature":"<base64 Ed25519 signature of every byte above>"}
 *
 * The signature covers every byte before the signature line, so a changed,
 * added, removed or reordered line, or a cut file, fails verification; the
 * header's count also catches an added or removed line before any crypto.
 *
 * Reading is two steps because the verifying key depends on the content:
 * bbt_bundle_parse checks the structure and yields the device id, then the
 * caller looks up that device's enrolled public key and calls
 * bbt_bundle_verify. Nothing from a bundle may be used before both pass.
 * Structure problems refuse the whole bundle. Whether each session is
 * acceptable (times, lengths, flags) is the ingest rules' business, exactly
 * as for an HTTP upload; the parser only requires each line to be a JSON
 * object with a string "id".
 */
#ifndef BBT_BUNDLE_H
#define BBT_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "bbt_ed25519.h"
#include "bbt_error.h"
#include "bbt_session.h"

#define BBT_BUNDLE_FORMAT "bbt-bundle/1"
#define BBT_BUNDLE_SUFFIX ".bbtb"
/* Limits the reader enforces (the writer stays within them). */
#define BBT_BUNDLE_MAX_BYTES (64L * 1024 * 1024)
#define BBT_BUNDLE_MAX_LINE (64 * 1024)
#define BBT_BUNDLE_MAX_SESSIONS 100000
/* Device ids: 1..63 of [A-Za-z0-9._-], so they are safe in a file name. */
#define BBT_BUNDLE_DEVICE_ID_LEN 64
#define BBT_BUNDLE_VERSION_LEN 64

struct bbt_bundle_header {
	char device_id[BBT_BUNDLE_DEVICE_ID_LEN];
	int64_t created;			/* Unix seconds */
	char agent_version[BBT_BUNDLE_VERSION_LEN];
	size_t count;				/* session lines */
};

struct bbt_bundle {
	struct bbt_bundle_header header;
	cJSON *sessions;	/* array of the session objects, in file order */
	/* For bbt_bundle_verify: a copy of the signed bytes and the signature. */
	char *signed_data;
	size_t signed_len;
	char signature[BBT_ED25519_SIG_B64_LEN];
};

/* 1 if id is a device id a bundle may carry (see above). */
int bbt_bundle_device_id_valid(const char *id);

/*
 * Build a signed bundle of n sessions in memory (*out, *out_len; caller
 * frees *out). header->count is ignored (n is written).
 */
int bbt_bundle_build(const struct bbt_bundle_header *header,
    const struct bbt_session *sessions, size_t n,
    const struct bbt_ed25519_key *key, char **out, size_t *out_len,
    struct bbt_error *e);

/*
 * Check the structure of len bytes and fill a new bundle (free with
 * bbt_bundle_free). The signature is NOT checked yet.
 */
int bbt_bundle_parse(const char *data, size_t len, struct bbt_bundle **b,
    struct bbt_error *e);
/* Check the signature against the device's public key (base64, 32 bytes). */
int bbt_bundle_verify(const struct bbt_bundle *b, const char *pub_b64,
    struct bbt_error *e);
void bbt_bundle_free(struct bbt_bundle *b);


/* "bbt-<device_id>-<YYYYMMDDTHHMMSSZ>.bbtb" for a time (UTC). */
int bbt_bundle_file_name(const char *device_id, int64_t when, char *out,
    size_t len, struct bbt_error *e);

#endif
