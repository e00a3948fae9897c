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
 * Store one session unless its id is stored already (*inserted = 0: a
 * duplicate, whichever device sent it first).
 */
int db_session_insert(struct db *db, const struct bbt_session *s,
    const struct db_session_origin *o, int *inserted, struct bbt_error *e);
int db_session_exists(struct db *db, const char *id, int *exists, struct bbt_error *e);
int db_session_count(struct db *db, int64_t *n, struct bbt_error *e);

#endif
