/*
 * enrollment: see enrollment.h. The token is checked and its use taken in
 * the same transaction as the device write, so a refused or failed
 * enrollment never costs a use.
 */
#include "enrollment.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bbt_ed25519.h"
#include "bbt_log.h"
#include "bbt_session.h"

static int refuse(struct enrollment_result *out, enum enrollment_outcome o,
    const char *fmt, ...)
{
	va_list ap;

	out->outcome = o;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return 1;
}

/* The token's checks, its use taken: 0, 1 refused (out says why), -1 error. */
static int check_token(struct db *db, const struct enrollment_request *r, const char *hash,
    int64_t now, struct db_enroll_token *t, struct enrollment_result *out,
    struct bbt_error *e)
{
	int found, taken;

	if (db_enroll_token_get(db, hash, t, &found, e) < 0)
		return -1;
	if (!found)
		return refuse(out, ENROLLMENT_UNKNOWN_TOKEN, "unknown enrollment token");
	if (t->revoked_at)
		return refuse(out, ENROLLMENT_REVOKED, "enrollment token revoked");
	if (now >= t->expires_at)
		return refuse(out, ENROLLMENT_EXPIRED, "enrollment token expired");
	if (r->school[0] && strcmp(r->school, t->school) != 0)
		return refuse(out, ENROLLMENT_WRONG_SCHOOL, "enrollment token is for school "
		    "%s, not %s", t->school, r->school);
	if (db_enroll_token_take(db, hash, &taken, e) < 0)
		return -1;
	if (!taken)
		return refuse(out, ENROLLMENT_USED_UP, "enrollment token has no uses left");
	return 0;
}

/* The device row r asks for, with a fresh id and token, in out. */
static int new_device(const struct enrollment_request *r, const char *school, int64_t now,
    struct enrollment_result *out, struct bbt_error *e)
{
	struct db_device *d = &out->device;

	snprintf(d->hw_id, sizeof(d->hw_id), "%s", r->hw_id);
	snprintf(d->school, sizeof(d->school), "%s", school);
	snprintf(d->room, sizeof(d->room), "%s", r->room);
	snprintf(d->hostname, sizeof(d->hostname), "%s", r->hostname);
	snprintf(d->agent_version, sizeof(d->agent_version), "%s", r->version);
	snprintf(d->public_key, sizeof(d->public_key), "%s", r->public_key);
	d->enrolled_at = now;
	if (bbt_uuid_v4(d->device_id) < 0)
		return bbt_error_set(e, "no random device id");
	if (auth_token_new(out->device_token, e) < 0 ||
	    auth_hash(out->device_token, d->token_hash, e) < 0)
		return -1;
	return 0;
}

int enrollment_run(struct db *db, const struct enrollment_request *r, int64_t now,
    struct enrollment_result *out, struct bbt_error *e)
{
	char hash[AUTH_HASH_LEN];
	struct db_enroll_token t;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!bbt_ed25519_public_valid(r->public_key)) {
		refuse(out, ENROLLMENT_BAD_KEY, "public_key must be base64 of a raw 32-byte "
		    "Ed25519 key");
		return 0;
	}
	if (auth_hash(r->token, hash, e) < 0 || db_begin(db, e) < 0)
		return -1;
	rc = check_token(db, r, hash, now, &t, out, e);
	if (rc == 0 && (new_device(r, t.school, now, out, e) < 0 ||
	    db_device_enroll(db, &out->device, &out->reenrolled, e) < 0))
		rc = -1;
	if (rc == 0 && out->reenrolled == DB_ENROLL_OTHER_SCHOOL) {
		/* Nothing written: the token keeps its use, the device its all. */
		log_warn("enroll: refused hw_id %s with a token of school %s: it is device %s "
		    "of another school", out->device.hw_id, t.school, out->device.device_id);
		rc = refuse(out, ENROLLMENT_OTHER_SCHOOL, "this hw_id is enrolled in another "
		    "school; an admin moves a device between schools with `bbt-server device "
		    "move DEVICE_ID --school %s --room ROOM`", t.school);
	}
	if (rc != 0 || db_commit(db, e) < 0) {
		db_rollback(db);
		return rc > 0 ? 0 : -1;
	}
	log_info("enrolled device %s (%s, school %s, room %s)%s", out->device.device_id,
	    out->device.hw_id, out->device.school, out->device.room,
	    out->reenrolled ? ", again: old device token revoked" : "");
	return 0;
}
