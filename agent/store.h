/*
 * store: the agent's durable buffer, one SQLite file (WAL) in the state dir.
 *
 * Invariants:
 *  - A logged session is in the outbox until store_outbox_ack() or
 *    store_outbox_settle() names its id; nothing else removes it (acked
 *    sessions are kept for `sessions` and pruned after 180 days).
 *  - A session the collector rejected is in the quarantine with the
 *    reason (schema v2) until the collector accepts it on a later offer;
 *    it is never pruned and never deleted.
 *  - The open session's checkpoint and its final record share one id, and
 *    store_session_add() clears a checkpoint of the same id in the same
 *    transaction, so a crash can neither lose nor duplicate it.
 *  - The schema version is PRAGMA user_version, migrated on open. A file
 *    SQLite finds damaged (on open or while running) is renamed aside
 *    (buffer.db.corrupt-<time>), a new one started, and every row SQLite
 *    can still read of it carried over (outbox, quarantine, enrollment,
 *    checkpoint), with log lines; other connections follow the new file
 *    (those of this process are closed before the file is moved aside and
 *    reopen on the new one at their next call).
 *  - A handle is used by one thread at a time; several handles (threads)
 *    may share one buffer. The callbacks of the *_each walks run with the
 *    handle held: they must not call the store.
 *  - Files are created mode 0600 in a 0700 directory.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"
#include "bbt_session.h"

struct store;

#define STORE_DB_NAME "buffer.db"

/* Open (creating the directory and the database as needed). */
int store_open(struct store **st, const char *state_dir, struct bbt_error *e);
void store_close(struct store *st);
/*
 * Like store_open, but only if the database file already exists: 0 with
 * *st NULL when there is none. For read-only commands (status, sessions),
 * so an admin running them as root never creates a root-owned buffer that
 * the unprivileged daemon then cannot write.
 */
int store_open_existing(struct store **st, const char *state_dir,
    struct bbt_error *e);

/* Log a closed session: into the history and the outbox, in one commit. */
int store_session_add(struct store *st, const struct bbt_session *s,
    struct bbt_error *e);

/* Save the open session (end = its last activity so far). */
int store_checkpoint_save(struct store *st, const struct bbt_session *open,
    struct bbt_error *e);
int store_checkpoint_clear(struct store *st, struct bbt_error *e);
/* 1 and the session if a checkpoint exists, 0 if none, -1 on error. */
int store_checkpoint_load(struct store *st, struct bbt_session *out,
    struct bbt_error *e);
/*
 * After an unclean stop: turn a leftover checkpoint into a logged session
 * flagged "recovered" if it lasted >= min_session, and clear it. Returns 1
 * and the session if one was logged, 0 if nothing was, -1 on error.
 */
int store_recover(struct store *st, int min_session, struct bbt_session *out,
    struct bbt_error *e);

/* Sessions not yet acknowledged. */
int store_outbox_count(struct store *st, int64_t *count, struct bbt_error *e);
/* Oldest first, at most max. */
int store_outbox_list(struct store *st, struct bbt_session *out, size_t max,
    size_t *n, struct bbt_error *e);
/* Mark these ids acknowledged (unknown ids are ignored). */
int store_outbox_ack(struct store *st, const char *const *ids, size_t n,
    struct bbt_error *e);
/*
 * What the collector said of one uploaded id: accepted or duplicate
 * (rejected = 0) leaves the outbox and the quarantine; rejected leaves the
 * outbox into the quarantine with error (first time) or updates its reason,
 * time and count (again). One transaction for all n; unknown ids are
 * ignored.
 */
struct store_outcome {
	const char *id;
	int rejected;
	const char *error;
};
int store_outbox_settle(struct store *st, const struct store_outcome *o, size_t n,
    struct bbt_error *e);
/* Sessions in quarantine (including those being re-offered). */
int store_quarantine_count(struct store *st, int64_t *count, struct bbt_error *e);
/*
 * Put back into the outbox every quarantined session last rejected before
 * `before` (Unix s; INT64_MAX: all), so the next upload offers it again;
 * it stays in the quarantine until accepted. *n: how many.
 */
int store_quarantine_reoffer(struct store *st, int64_t before, int64_t *n,
    struct bbt_error *e);

#define STORE_REASON_LEN 256
struct store_rejection {
	char error[STORE_REASON_LEN];	/* the collector's reason, latest */
	int64_t first_at, last_at;	/* Unix s of the first and latest rejection */
	int64_t count;			/* times rejected */
	int reoffered;			/* back in the outbox, waiting to be sent */
};
typedef int (*store_rejected_fn)(const struct bbt_session *s,
    const struct store_rejection *r, void *arg);
/* Every quarantined session, by start time; fn as store_sessions_each's. */
int store_quarantine_each(struct store *st, store_rejected_fn fn, void *arg,
    struct bbt_error *e);

/* Replace a buffered session's times and flags (clock correction). */
int store_session_update_times(struct store *st, const struct bbt_session *s,
    struct bbt_error *e);
/* The same for s[0, n) in one transaction; rows whose values are already
 * those are not written, unknown ids are ignored. */
int store_sessions_update_times(struct store *st, const struct bbt_session *s,
    size_t n, struct bbt_error *e);

/*
 * Every logged session starting at or after `since` (Unix s), oldest first.
 * fn returns 0 to go on; a non-zero return stops the walk and is returned.
 * acked: STORE_OUTBOX, STORE_ACKED, or STORE_REJECTED (in the quarantine).
 */
enum { STORE_OUTBOX, STORE_ACKED, STORE_REJECTED };
typedef int (*store_session_fn)(const struct bbt_session *s, int acked,
    void *arg);
int store_sessions_each(struct store *st, int64_t since, store_session_fn fn,
    void *arg, struct bbt_error *e);

/*
 * Small key/value state (enrollment, last sync, clock evidence).
 * store_meta_get: 1 and the value (truncated to len) if the key exists,
 * even with an empty value; 0 and "" if not; -1 on error.
 */
int store_meta_get(struct store *st, const char *key, char *buf, size_t len);
int store_meta_set(struct store *st, const char *key, const char *value,
    struct bbt_error *e);
int store_meta_delete(struct store *st, const char *key, struct bbt_error *e);
/* Set n keys in one transaction: all of them, or (on any failure) none. */
struct store_meta_kv {
	const char *key, *value;
};
int store_meta_set_all(struct store *st, const struct store_meta_kv *kv, size_t n,
    struct bbt_error *e);

/* Every logged session, acknowledged or not. */
int store_session_count(struct store *st, int64_t *count, struct bbt_error *e);
/* The database file's path. */
const char *store_path(const struct store *st);
/*
 * The connection, for tests and diagnostics (e.g. PRAGMA max_page_count);
 * a heal through another handle may close it, so only where no other
 * handle is in use.
 */
struct sqlite3 *store_sqlite(struct store *st);
/* fn on the connection, if one is open, with the handle held (store_mem). */
void store_with_sqlite(struct store *st, void (*fn)(struct sqlite3 *db));

#endif
