/*
 * db: the collector's storage interface. Every SQL statement of bbt-server
 * lives behind this header and the topic headers it includes at its end;
 * callers never see a backend type. Two backends implement it, both linked
 * into every bbt-server: SQLite (db_sqlite*.c) and PostgreSQL (db_pg*.c,
 * CONTRACT 5.7; docs/storage-postgresql.md); server/db.c chooses one at
 * db_open and dispatches every call through the list in db_backend.h. A
 * backend is brought up topic by topic:
 *   db.h           open/close, schema version, transactions, common sizes
 *   db_schools.h   schools, lookup by name, per-school detector settings
 *   db_tokens.h    enrollment tokens
 *   db_admins.h    admin tokens
 *   db_devices.h   devices: enrollment, tokens, contact, revocation, moves
 *   db_sessions.h  sessions stored exactly once
 *   db_points.h    timetable and the sessions of the points report
 *   db_live.h      live-lesson schedule and the per-room reads of verify
 *   db_stats.h     a school's counts for the statistics report
 *   db_auth.h      sign-in: password hashes, sessions, the throttle's log
 * tests/unit/server_db_conformance.c holds every backend to these
 * contracts using only these headers.
 *
 * Invariants:
 *  - A `struct db` is one connection, used by one thread at a time. The
 *    HTTP server keeps one per worker thread (see server/http.h); CLI
 *    commands open one.
 *  - db_open creates the schema or migrates it to the newest version before
 *    it returns; a database newer than this program is refused.
 *  - Every write that must be all-or-nothing runs between db_begin and
 *    db_commit (or db_rollback). Transactions nest: only the outermost
 *    begin/commit reach the database; a rollback at any depth dooms the
 *    whole transaction and the outer db_commit then fails.
 *  - No function's correctness rests on the transaction's isolation level:
 *    each read-then-write is one statement (INSERT ... ON CONFLICT ...
 *    RETURNING, UPDATE ... WHERE <condition>), atomic on its own on either
 *    backend, so two server processes on one database cannot both win a
 *    race (SQLite's BEGIN IMMEDIATE is then only a lock, not a guarantee
 *    code relies on; PostgreSQL runs READ COMMITTED).
 *  - db_commit returns 0 only once the transaction is durable across a
 *    power cut (SQLite: WAL with synchronous=FULL on every connection).
 *    The collector acknowledges a session only after that.
 *  - Times are Unix seconds (UTC). Text is UTF-8. Token secrets are never
 *    stored: only their SHA-256 hex digests (server/auth.h).
 *
 * Functions return 0 or -1 with e filled (bbt_error). A lookup that finds
 * nothing is not an error: it returns 0 with *found = 0.
 *
 * Walks (the _each functions, and db_room_sessions): fn is called once per
 * row, in the documented order; fn returning -1 stops the walk and the
 * call returns -1 with fn's error. Re-entrancy: fn may call other db
 * functions on the same connection (the reports do: a query per school,
 * per lesson end), but not the walk's own function (on SQLite the walk's
 * prepared statement is the one that call would reset), and it must not
 * begin, commit or roll back a transaction nor write. A backend whose
 * connection cannot run a statement while another streams (libpq) reads
 * the walk's rows in full before the first fn: the rows of a walk are
 * those a report prints (schools, devices, tokens, lessons), never the
 * sessions it reads, so that stays small.
 *
 * Portable SQL (what both backends' statements keep to): no summed
 * booleans (count(CASE WHEN ... THEN 1 END)), a parameter that may be NULL
 * is typed where nothing else types it (CAST(? AS TEXT) IS NULL), no
 * two-argument min()/max() (CASE instead of greatest/least), no type-less
 * function of a parameter (a prefix's length is bound, not length(?)),
 * every subquery in FROM named, ordered results always ORDER BY, an
 * upsert's SET names the table of the old value, and a shift's count is
 * CAST to INTEGER (PostgreSQL has bigint >> integer, not >> bigint). What stays
 * backend-specific, and why:
 *  - schema creation and migrations (types, WITHOUT ROWID, PRAGMA
 *    user_version where PostgreSQL keeps a version table);
 *  - the connection setup (WAL, synchronous, busy timeout) and durability;
 *  - the affected-row count after a write with no RETURNING
 *    (sqlite3_changes, PQcmdTuples): both have one, under other names;
 *  - parameter syntax (?N, $N) and binding;
 *  - in db_sqlite_stats.c, binding parameters a statement does not use
 *    (SQLITE_RANGE is ignored there; libpq needs the exact count).
 *
 * Other modules add their own functions to the topic header they belong to
 * (with the db_ prefix), list them in DB_FUNCS (server/db_backend.h), and
 * implement them in each backend: db_sqlite_<name> in db_sqlite_<topic>.c
 * (server/db_sqlite_internal.h) and db_pg_<name> in db_pg_<topic>.c
 * (server/db_pg_internal.h); a backend missing one does not compile.
 */
#ifndef SERVER_DB_H
#define SERVER_DB_H

#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"
#include "bbt_session.h"

/* The schema version this program creates and expects. */
#define DB_SCHEMA_VERSION 7

#define DB_SCHOOL_LEN 64	/* school code */
#define DB_NAME_LEN 256		/* school, district, admin names */
#define DB_ID_LEN 64		/* device ids, hw ids */
#define DB_ROOM_LEN 128
#define DB_HOST_LEN 256
#define DB_VERSION_LEN 64
#define DB_URL_LEN 512		/* a collector address (school move) */
#define DB_KEY_LEN 64		/* base64 public key (44 chars) */
#define DB_HASH_LEN 65		/* SHA-256 hex + NUL */
#define DB_PREFIX_LEN 8		/* token characters kept to name a token */

struct db;

/* A school's detector settings for its agents (CONTRACT 4.1 keys, seconds);
 * -1 = not set: the server's own (serve --idle-gap ...) applies. Here, not
 * in db_schools.h, because db_devices.h's struct db_device holds one too. */
struct db_detector {
	int64_t idle_gap, min_session, stuck_contact;
};

/*
 * Open (and create or migrate) the database named by `where`: a
 * postgresql:// or postgres:// URL (a libpq connection URI) is PostgreSQL,
 * anything else a SQLite file path (server/db.c chooses).
 */
int db_open(const char *where, struct db **out, struct bbt_error *e);
/* 1 if where names a PostgreSQL database (a URL), not a SQLite file. */
int db_is_url(const char *where);
void db_close(struct db *db);
/* The schema version stored in the database. */
int db_schema_version(struct db *db, int *version, struct bbt_error *e);

/*
 * The database's own consistency check (SQLite: PRAGMA integrity_check;
 * a server that keeps it, PostgreSQL: what it can verify cheaply): *ok = 1
 * if sound, else 0 with the first finding in problem. For `bbt-server
 * check` after a crash or a restore.
 */
int db_check(struct db *db, int *ok, char *problem, size_t len, struct bbt_error *e);

/* Transactions (see the invariants above). */
int db_begin(struct db *db, struct bbt_error *e);
int db_commit(struct db *db, struct bbt_error *e);
void db_rollback(struct db *db);

/*
 * The topics. They come after the definitions above, which each of them
 * needs (each includes this header, so any may be included first).
 */
#include "db_schools.h"
#include "db_tokens.h"
#include "db_admins.h"
#include "db_devices.h"
#include "db_sessions.h"
#include "db_points.h"
#include "db_live.h"
#include "db_stats.h"
/* db_auth.h is not here: its sessions embed struct db_admin, so it
 * includes db_admins.h itself and is included by those that sign in. */

#endif
