/*
 * enrollment: enrolling a classroom device (CONTRACT 4.4), without the
 * transport: the checks on the enrollment token, the identity rules and
 * the one transaction that pays a token's use for a device write. The HTTP
 * handler (api_device.c) only decodes the body and maps the outcome to a
 * status; another transport (a bundle, a test) gets the same rules.
 *
 * Invariants: the token's school is authoritative (a request naming
 * another school is refused); nothing is written unless the device is (the
 * token's use and the device row commit together, or neither does). A
 * hw_id enrolled again with a token of its school keeps its device_id and
 * gets a new device token (the old one stops working); with a token of
 * another school nothing changes at all (moving is `device move`).
 */
#ifndef SERVER_ENROLLMENT_H
#define SERVER_ENROLLMENT_H

#include <stdint.h>

#include "auth.h"
#include "bbt_error.h"
#include "db.h"

struct enrollment_request {
	const char *token;		/* the enrollment token, as given */
	const char *hw_id, *hostname, *school, *room, *version;
	const char *public_key;		/* base64 of a raw Ed25519 key */
};

enum enrollment_outcome {
	ENROLLMENT_OK,			/* enrolled (new or again) */
	ENROLLMENT_BAD_KEY,		/* public_key is no Ed25519 key */
	ENROLLMENT_UNKNOWN_TOKEN,
	ENROLLMENT_REVOKED,		/* the token was revoked */
	ENROLLMENT_EXPIRED,
	ENROLLMENT_WRONG_SCHOOL,	/* the request names another school */
	ENROLLMENT_USED_UP,		/* the token has no use left */
	ENROLLMENT_OTHER_SCHOOL,	/* hw_id is another school's device */
};

struct enrollment_result {
	enum enrollment_outcome outcome;
	char why[256];			/* the refusal in words (not OK) */
	struct db_device device;	/* OK: the device as stored */
	char device_token[AUTH_TOKEN_LEN];	/* OK: its new token */
	int reenrolled;			/* OK: the hw_id was enrolled before */
};

/* Enroll r at time now. 0 with out->outcome (a refusal is not an error);
 * -1 when storage failed (nothing written). */
int enrollment_run(struct db *db, const struct enrollment_request *r, int64_t now,
    struct enrollment_result *out, struct bbt_error *e);

#endif
