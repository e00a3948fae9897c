/*
 * bbt_sqlite: what every SQLite file of bbt needs, for the agent's buffer
 * (agent/store.c) and the collector's database (server/db_sqlite.c) alike.
 *
 * Invariants:
 *  - A database file is private: created 0600 before SQLite opens it (SQLite
 *    gives its -wal and -shm the database file's mode), and a file, -wal or
 *    -shm open to group or others is set to 0600 with a warning, or refused
 *    with the reason if that fails; it is never used wide open.
 *  - Every connection runs journal_mode=WAL and synchronous=FULL, and both
 *    are read back: a file that cannot be put in WAL mode is refused.
 *  - The schema version is PRAGMA user_version; migrations[i] takes it
 *    from i to i + 1 in one transaction with the version bump, read under
 *    the write lock (another process may have migrated meanwhile). A file
 *    newer than the program is refused, not touched.
 */
#ifndef BBT_SQLITE_H
#define BBT_SQLITE_H

#include <stddef.h>

#include <sqlite3.h>

#include "bbt_error.h"

/* Open path read-write (created 0600 if create and missing), private. */
int bbt_sqlite_open_private(const char *path, int create, sqlite3 **db,
    struct bbt_error *e);
/* journal_mode=WAL and synchronous=FULL, each checked. */
int bbt_sqlite_wal_full(sqlite3 *db, struct bbt_error *e);
/* Run a script of constant statements (no parameters; rows are skipped). */
int bbt_sqlite_exec(sqlite3 *db, const char *sql, struct bbt_error *e);
/* The first column of a one-row query as an int. */
int bbt_sqlite_int(sqlite3 *db, const char *sql, int *out, struct bbt_error *e);
/* Bring the schema to version n (see the invariants). */
int bbt_sqlite_migrate(sqlite3 *db, const char *const *migrations, int n,
    struct bbt_error *e);
/*
 * Run one statement n times, bind(st, i, arg) filling its parameters for
 * row i, each stepped to completion. No transaction of its own: the caller
 * wraps it in one, so n rows cost one commit (one fsync), not n.
 */
typedef void (*bbt_sqlite_bind_fn)(sqlite3_stmt *st, size_t i, const void *arg);
int bbt_sqlite_batch(sqlite3 *db, const char *sql, size_t n, bbt_sqlite_bind_fn bind,
    const void *arg, struct bbt_error *e);
/* Column text into buf ("" for NULL), truncated to len. */
void bbt_sqlite_col_text(sqlite3_stmt *st, int col, char *buf, size_t len);
/* Bind a copy of s; NULL binds SQL NULL. */
int bbt_sqlite_bind_text(sqlite3_stmt *st, int idx, const char *s);

#endif
