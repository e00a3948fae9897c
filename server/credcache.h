/*
 * credcache: the collector's cache of device credentials (issue 12). A
 * province's classrooms heartbeat hundreds of times a second, and looking
 * each token up in PostgreSQL is a round trip that costs more than the
 * rest of the heartbeat; so each collector keeps the devices its tokens
 * stand for (struct db_device_cred) and reads the database only for a
 * token it does not hold. What keeps it honest is one number, the
 * credential generation (db_auth_changes), which the schema's triggers
 * raise in the same transaction as any change to what a token stands for
 * (revocation, re-enrollment, move, school settings or address), whoever
 * makes it, logging the device or school each change touched. A poller
 * thread reads the number and the changes since the last read every
 * CREDCACHE_POLL_MS on its own connection, and forgets the entries of the
 * devices and schools they name: a morning's re-enrollments (restore
 * software without a kept state_dir) each cost one device's entry, not the
 * whole cache. Too far behind to read every change (more than
 * DB_AUTH_CHANGES_MAX at once, or trimmed from the log): it forgets all.
 *
 * Invariants:
 *  - An entry is served only while the cache is current: the last read of
 *    the number that succeeded began less than CREDCACHE_TRUST_MS ago. Any
 *    change committed before that read began has been seen (and the cache
 *    emptied), so every collector obeys a change at most CREDCACHE_TRUST_MS
 *    after its commit; a `bbt-server` command whose change raised the
 *    number waits CREDCACHE_SETTLE_MS before it returns (cmd_db_close), so
 *    once `device revoke` has returned, every collector refuses the token
 *    at its next request, as without a cache. The poller stopped, slow or
 *    failing: nothing is served, every request reads the database.
 *  - A lookup is stored only if no change was applied since just before it
 *    read the database (credcache_epoch, then credcache_put), so a row read
 *    before a change never outlives the change.
 *  - Only tokens found are stored: an unknown, superseded or revoked token
 *    reads the database every time (its refusal records clone evidence).
 *    At most CREDCACHE_MAX entries; past that, lookups read the database.
 * Thread-safe (one mutex); the core (seen/get/put) takes the time from its
 * caller, so tests drive it without the poller.
 */
#ifndef SERVER_CREDCACHE_H
#define SERVER_CREDCACHE_H

#include <stdint.h>

#include "bbt_error.h"
#include "db.h"

#define CREDCACHE_POLL_MS 100
#define CREDCACHE_TRUST_MS 300
/* A change's writer waits this long after its commit (see above). */
#define CREDCACHE_SETTLE_MS (CREDCACHE_TRUST_MS + 50)
#define CREDCACHE_MAX 250000

/* Start the poller on its own connection to db_where (serve). */
int credcache_start(const char *db_where, struct bbt_error *e);
/* Stop it and forget every entry. */
void credcache_stop(void);

/* A change the poller read (db_auth_change_fn): a device, or a school. */
struct credcache_change {
	char device_id[DB_ID_LEN];	/* "" for a school's */
	char school[DB_SCHOOL_LEN];	/* "" for a device's */
};
/* The number the entries belong to (-1: none yet); the poller reads the
 * changes after it. */
int64_t credcache_held(void);
/* A read that began at began_us (monotonic) of the number gen and of the n
 * changes after the one held (complete 0: there were more): forgets their
 * entries (all of them if the read was not complete, nothing was held,
 * or gen is not past the held one by exactly what the log can hold), and
 * makes the cache current. */
void credcache_seen(int64_t gen, int64_t began_us, const struct credcache_change *c,
    size_t n, int complete);
/* 1 and *out if token_hash is held and the cache is current at now_us. */
int credcache_get(const char *token_hash, int64_t now_us, struct db_device_cred *out);
/* Call before reading the database for a token; pass to credcache_put. */
uint64_t credcache_epoch(void);
/* Store what the database said token_hash stands for, unless a change was
 * applied since epoch was taken or the cache is full. */
void credcache_put(const char *token_hash, const struct db_device_cred *c, uint64_t epoch);
/* Forget device_id's entry now: this process changed it (an enrollment that
 * superseded its token) and obeys before the poller sees the number move. */
void credcache_forget(const char *device_id);
/* Entries held (metrics, tests). */
unsigned credcache_size(void);
/* Forget everything and make the cache not current (tests). */
void credcache_reset(void);

#endif
