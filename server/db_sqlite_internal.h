/*
 * db_sqlite_internal: what the SQLite implementation files of server/db.h
 * share (db_sqlite.c and db_sqlite_<topic>.c). Nothing outside those files
 * includes this header: the rest of the server sees only db.h.
 *
 * Invariants:
 *  - struct db_sqlite (which begins with struct db) is one sqlite3
 *    connection with WAL, synchronous=FULL, foreign_keys=ON and a busy
 *    timeout, set on every open.
 *  - Statements come from db_sqlite_stmt: prepared once per connection,
 *    cached by their SQL text, handed out reset with bindings cleared.
 *    Never finalize them; do not hold one across another call that may use
 *    the same SQL text (the cache hands out the same object).
 *  - Write paths use db_begin/db_commit (or db_sqlite_tx) from db.h: the
 *    public ones, which nest (server/db.c). Other functions of the backend
 *    are called by their db_sqlite_ names, directly.
 */
#ifndef SERVER_DB_SQLITE_INTERNAL_H
#define SERVER_DB_SQLITE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "bbt_error.h"
#include "db.h"
#include "db_backend.h"

/* Milliseconds a connection waits for another's write lock. */
#define DB_SQLITE_BUSY_MS 10000

struct db_sqlite_cached {
	char *sql;
	sqlite3_stmt *stmt;
};

/* A connection: db.c's part first (server/db_backend.h), then SQLite's. */
struct db_sqlite {
	struct db base;
	sqlite3 *h;
	struct db_sqlite_cached *cache;
	size_t ncache, capcache;
};

/* The SQLite connection of db (every struct db this backend sees is one). */
static inline struct db_sqlite *db_sq(struct db *db)
{
	return (struct db_sqlite *)db;
}

/* The backend's functions of server/db_backend.h: db_sqlite_<name>. */
#define DB_SQLITE_PROTO(name, params, args) int db_sqlite_##name params;
DB_FUNCS(DB_SQLITE_PROTO)
#undef DB_SQLITE_PROTO

/* A cached prepared statement for sql, reset and unbound; NULL + e on error. */
sqlite3_stmt *db_sqlite_stmt(struct db *db, const char *sql, struct bbt_error *e);
/* Run SQL without results (schema, pragmas). Never with data from outside. */
int db_sqlite_exec(struct db *db, const char *sql, struct bbt_error *e);
/* Fill e with "what: <sqlite message>"; returns -1. */
int db_sqlite_fail(struct db *db, struct bbt_error *e, const char *what);
/*
 * Run fn in a transaction: commit if it returns 0, roll back if -1.
 * Returns fn's result (or -1 if the commit failed).
 */
int db_sqlite_tx(struct db *db, int (*fn)(struct db *db, void *arg, struct bbt_error *e),
    void *arg, struct bbt_error *e);
/* Copy a text column into buf ("" for NULL). */
void db_sqlite_text(sqlite3_stmt *st, int col, char *buf, size_t len);
/* Bind text, or NULL when s is NULL; SQLITE_TRANSIENT copy. */
int db_sqlite_bind_text(sqlite3_stmt *st, int idx, const char *s);

#endif
