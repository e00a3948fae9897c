/*
 * db_sessions: storing uploaded and imported sessions exactly once (the
 * session id is the key, whichever device sent it first). SQLite:
 * db_sqlite.c.
 */
#ifndef SERVER_DB_SESSIONS_H
#define SERVER_DB_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "bbt_session.h"

enum db_via { DB_VIA_HTTP, DB_VIA_BUNDLE };

/* Where a session came from: the device, and its school and room then. */
struct db_session_origin {
	const char *device_id;
	const char *school;
	const char *room;
	int64_t received_at;
	enum db_via via;
};

/*
 * Make the storage ready for a session starting at start, called outside
 * any transaction before the one that inserts it: on PostgreSQL its
 * month's partition is created here, in a transaction of its own (DDL on
 * the partitioned table inside a transaction that has already written
 * sessions deadlocks with another collector doing the same). Inside a
 * transaction it does nothing, and db_sessions_insert still creates a
 * missing partition itself. SQLite: nothing to do.
 */
int db_session_ready(struct db *db, int64_t start, struct bbt_error *e);
/*
 * Store the n sessions s[0..n), all from origin o, each unless its id is
 * stored already or comes earlier in s: inserted[i] is 1 for a session
 * stored now, 0 for a duplicate (whichever device sent it first). Call it
 * inside a transaction to make the batch one commit. All or nothing: on
 * -1 nothing of the batch is stored and inserted[] means nothing. On
 * PostgreSQL it is one statement for the whole batch (a round trip a
 * session was most of an upload's time); SQLite, in-process, runs its
 * prepared statement once a session.
 */
int db_sessions_insert(struct db *db, const struct bbt_session *const *s, size_t n,
    const struct db_session_origin *o, unsigned char *inserted, struct bbt_error *e);
/* db_sessions_insert of one session (*inserted = 0: a duplicate). */
int db_session_insert(struct db *db, const struct bbt_session *s,
    const struct db_session_origin *o, int *inserted, struct bbt_error *e);
int db_session_exists(struct db *db, const char *id, int *exists, struct bbt_error *e);
int db_session_count(struct db *db, int64_t *n, struct bbt_error *e);

/* A stored session as `bbt-server sessions` shows it. */
struct db_session_row {
	struct bbt_session s;		/* the agent fields (no boot evidence) */
	char device_id[DB_ID_LEN];
	char school[DB_SCHOOL_LEN];
	char room[DB_ROOM_LEN];
	int64_t received_at;
	enum db_via via;
};
typedef int (*db_session_fn)(void *arg, const struct db_session_row *r,
    struct bbt_error *e);
/*
 * Every stored session of one school and/or one device (NULL = any),
 * ordered by start, id: the audit view of what arrived (a walk: see db.h;
 * a caller prints each row, so its memory stays its own business).
 */
int db_sessions_each(struct db *db, const char *school, const char *device_id,
    db_session_fn fn, void *arg, struct bbt_error *e);

#endif
