/*
 * bundles: the collector's side of offline bundles (CONTRACT 4.5, docs/bundles.md),
 * shared by `bbt-server import` and POST /api/v1/bundles.
 *
 * Two steps, so that the HTTP handler can check who may import for which
 * device in between:
 *   bundles_check  parse the bundle strictly, find its device, verify the
 *                  signature with the device's stored public key;
 *   bundles_store  judge and store its sessions with exactly the ingest rules
 *                  and idempotency of HTTP uploads (server/ingest.h), in one
 *                  durable transaction, as received "via bundle".
 * A bundle that fails bundles_check is refused whole: nothing of it is ever
 * stored. Within a verified bundle a session the ingest rules reject is
 * rejected alone, as it would be in an upload.
 */
#ifndef SERVER_BUNDLES_H
#define SERVER_BUNDLES_H

#include <stddef.h>
#include <stdint.h>

#include "bbt_bundle.h"
#include "bbt_error.h"
#include "db.h"
#include "ingest.h"

enum bundles_status {
	BUNDLES_OK,
	BUNDLES_REFUSED,	/* malformed, truncated, tampered, unknown device */
	BUNDLES_FAILED,		/* the server's own failure (database) */
};

struct bundles_checked {
	struct bbt_bundle *bundle;	/* parsed and verified */
	struct db_device device;	/* its enrolled device */
};

/* Check len bytes (see above). BUNDLES_REFUSED/FAILED come with e. */
enum bundles_status bundles_check(struct db *db, const char *data, size_t len,
    struct bundles_checked *c, struct bbt_error *e);
/*
 * Ingest a checked bundle at server time now into b (zeroed by the caller,
 * freed with ingest_batch_free). 0 once durably committed, -1 if nothing
 * was stored.
 */
int bundles_store(struct db *db, const struct bundles_checked *c, int64_t now,
    struct ingest_batch *b, struct bbt_error *e);
void bundles_checked_free(struct bundles_checked *c);

#endif
