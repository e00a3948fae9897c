/*
 * bundles: verify a bundle against its enrolled device and ingest it through
 * the upload path (see bundles.h). The device id inside the bundle is only a
 * claim until the signature verifies with the key stored for that id, so
 * nothing from the bundle is looked at beyond its structure before then.
 */
#include "bundles.h"

#include <string.h>

enum bundles_status bundles_check(struct db *db, const char *data, size_t len,
    struct bundles_checked *c, struct bbt_error *e)
{
	int found = 0;

	memset(c, 0, sizeof(*c));
	if (bbt_bundle_parse(data, len, &c->bundle, e) != 0) {
		bbt_error_prefix(e, "bundle refused");
		return BUNDLES_REFUSED;
	}
	if (db_device_get(db, c->bundle->header.device_id, &c->device, &found, e) != 0) {
		bundles_checked_free(c);
		return BUNDLES_FAILED;
	}
	if (!found || c->device.public_key[0] == '\0') {
		bbt_error_set(e, "bundle refused: unknown device %s (not enrolled here)",
		    c->bundle->header.device_id);
		bundles_checked_free(c);
		return BUNDLES_REFUSED;
	}
	if (bbt_bundle_verify(c->bundle, c->device.public_key, e) != 0) {
		bbt_error_prefix(e, "bundle refused");
		bundles_checked_free(c);
		return BUNDLES_REFUSED;
	}
	return BUNDLES_OK;
}

int bundles_store(struct db *db, const struct bundles_checked *c, int64_t now,
    struct ingest_batch *b, struct bbt_error *e)
{
	struct db_session_origin o = {
		.device_id = c->device.device_id,
		.school = c->device.school,
		.room = c->device.room,
		.received_at = now,
		.via = DB_VIA_BUNDLE,
	};

	if (ingest_judge_array(c->bundle->sessions, BBT_BUNDLE_MAX_SESSIONS,
	    c->device.school, now, b, e) != 0)
		return -1;
	return ingest_store(db, b, &o, e);
}

void bundles_checked_free(struct bundles_checked *c)
{
	bbt_bundle_free(c->bundle);
	c->bundle = NULL;
}
