/*
 * enroll: the agent's enrollment with the collector (CONTRACT 4.4,
 * POST /api/v1/enroll), and the enrollment state it leaves in the store.
 *
 * State: struct enroll_state, kept in store meta as "enrolled" = "1" |
 * "0" | "revoked", "device_id", "device_token" (the Bearer credential;
 * the buffer is mode 0600), "server_url" (the collector enrolled with;
 * later syncs use it, until the collector says it moved: sync.c),
 * "server_url_prev" (the address it moved from, the fallback; "" until a
 * move), "school", "room" (as sent). It is written whole, in
 * one transaction (enroll_state_save): a full disk or a crash can never
 * pair a new token with the old URL.
 * The device's Ed25519 key is made once, in the state dir (device.key,
 * 0600), and reused by every later enrollment: re-enrolling never changes
 * the key the server holds for old bundles.
 *
 * hw_id is stable across reinstalls and re-images: SHA-256 (hex) of the
 * first of: $BBT_HW_ID (tests), the SMBIOS product UUID as the package's
 * postinst (root) saved it in <state dir>/hw_id, the DMI product UUID read
 * directly (root only), the board serial (root only), /etc/machine-id (a
 * re-image or a cloned image shares or renews it: the last resort).
 * Placeholders firmware leaves ("Not Settable", all-zero or all-F UUIDs,
 * "To be filled by O.E.M.") are skipped, and a UUID source must look like
 * one. The source's name is hashed with the value; the state file counts as
 * the product UUID, so the hash is the same whoever read it.
 */
#ifndef ENROLL_H
#define ENROLL_H

#include "bbt_error.h"
#include "config.h"
#include "reply.h"
#include "store.h"

#define ENROLL_HW_ID_LEN 65
#define ENROLL_KEY_FILE "device.key"
#define ENROLL_HW_ID_FILE "hw_id"	/* in the state dir, see above */

struct enroll_params {
	const char *url;
	const char *token;
	const char *school;
	const char *room;
};

/* hw_id as above; *source names where it came from (static string). */
int enroll_hw_id(const char *state_dir, char out[ENROLL_HW_ID_LEN], const char **source,
    struct bbt_error *e);
/* The same from given files, in the order above (NULL = skipped): tests. */
struct enroll_hw_paths {
	const char *state_file, *product_uuid, *board_serial, *machine_id;
};
int enroll_hw_id_from(const struct enroll_hw_paths *p, char out[ENROLL_HW_ID_LEN],
    const char **source, struct bbt_error *e);

/*
 * Enroll now. *http_status is the reply's status (0: no reply), so a
 * caller can tell "server unreachable, retry" (0, 5xx, 429, 503) from
 * "refused" (other 4xx). On success the meta keys above are written.
 */
int enroll_run(struct store *st, const struct agent_config *cfg,
    const struct enroll_params *p, long *http_status, struct bbt_error *e);

/* What enroll_attempt did. */
enum enroll_attempt {
	ENROLL_ATTEMPT_ALREADY,	/* enrolled before: nothing done */
	ENROLL_ATTEMPT_DONE,	/* enrolled now */
	ENROLL_ATTEMPT_CANNOT,	/* revoked, or no enroll_token configured */
	ENROLL_ATTEMPT_RETRY,	/* failed for now (no reply, 5xx, 429): e says why */
	ENROLL_ATTEMPT_REFUSED,	/* refused (another 4xx, a bad reply): e says why */
};
/*
 * The sync programs' enrollment rule (the sync thread of bbt-agent run,
 * and bbt-agent-sync): enroll with cfg's [server] settings unless enrolled,
 * revoked or without a token. What to wait and log is the caller's.
 */
enum enroll_attempt enroll_attempt(struct store *st, const struct agent_config *cfg,
    struct bbt_error *e);

enum enroll_status {
	ENROLL_NONE,		/* never enrolled (or "0") */
	ENROLL_ACTIVE,		/* "1" */
	ENROLL_REVOKED,		/* the server refused our token (401) */
};

struct enroll_state {
	enum enroll_status status;
	char url[512];
	char prev_url[512];		/* "" unless the collector moved (sync.c) */
	char device_id[REPLY_DEVICE_ID_LEN];
	char device_token[REPLY_TOKEN_LEN];
	char school[64];
	char room[128];
};

/* The state as stored (missing keys read as ""); -1 if the store fails. */
int enroll_state_load(struct store *st, struct enroll_state *out,
    struct bbt_error *e);
/* Write every field at once (and clear last_sync_error), or nothing. */
int enroll_state_save(struct store *st, const struct enroll_state *s,
    struct bbt_error *e);

/* 1 if "enrolled" is "1", 0 otherwise (including "revoked"). */
int enroll_is_enrolled(struct store *st);
/* 1 if the server refused our token (401) since the last enrollment. */
int enroll_is_revoked(struct store *st);
/* Mark revoked (a 401 from the server). */
int enroll_mark_revoked(struct store *st, struct bbt_error *e);

#endif
