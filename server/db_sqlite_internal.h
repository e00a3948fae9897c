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

/* The stats_ints of server/db_backend.h (db_sqlite_stats.c). */
int db_sqlite_stats_ints(struct db *db, const char *sql, const char *school, int64_t from,
    int64_t to, int64_t min_duration_s, int64_t *out, int nout, struct bbt_error *e);
/* The steps of db_device_enroll on SQLite (db_sqlite.c). */
extern const struct db_enroll_steps db_sqlite_enroll_steps;
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
/*
 * Stepping a statement st from db_sqlite_stmt, what naming it in e's
 * message. db_sqlite_done: a write run to completion (0 or -1).
 * db_sqlite_row: one step of a lookup, 1 with a row (left for reading),
 * 0 at the end, -1 on error (reset unless 1). db_sqlite_returning: a
 * write with RETURNING, 1 if it returned a row (the write happened), 0 if
 * not (its ON CONFLICT or WHERE declined), -1 on error.
 */
int db_sqlite_done(struct db *db, sqlite3_stmt *st, struct bbt_error *e, const char *what);
int db_sqlite_row(struct db *db, sqlite3_stmt *st, struct bbt_error *e, const char *what);
int db_sqlite_returning(struct db *db, sqlite3_stmt *st, struct bbt_error *e,
    const char *what);
/* Read the current row of st into out. */
typedef void (*db_sqlite_row_fn)(sqlite3_stmt *st, void *out);
/*
 * The one-row lookup: step st (bound; NULL when its preparation failed,
 * which is -1) and read its row with fn (NULL: only whether there is one).
 * *found is 1 with a row, 0 without; with found NULL a missing row is an
 * error. st is left reset. 0, or -1 with e naming what.
 */
int db_sqlite_one(struct db *db, sqlite3_stmt *st, db_sqlite_row_fn fn, void *out,
    int *found, struct bbt_error *e, const char *what);
/* db_sqlite_one of sql with ?1 bound to the text key. */
int db_sqlite_one_key(struct db *db, const char *sql, const char *key, db_sqlite_row_fn fn,
    void *out, int *found, struct bbt_error *e, const char *what);
/* db_sqlite_done of sql with ?1 bound to the text key and ?2, if sql has
 * one, to n. */
int db_sqlite_done_key_int(struct db *db, const char *sql, const char *key, int64_t n,
    struct bbt_error *e, const char *what);
/* A walk's row: fn(st, arg, e) < 0 stops it. */
typedef int (*db_sqlite_walk_fn)(sqlite3_stmt *st, void *arg, struct bbt_error *e);
/* Step st (bound; NULL is -1) through its rows, fn on each: 0, or -1. */
int db_sqlite_each(struct db *db, sqlite3_stmt *st, db_sqlite_walk_fn fn, void *arg,
    struct bbt_error *e, const char *what);
/* Copy a text column into buf ("" for NULL). */
void db_sqlite_text(sqlite3_stmt *st, int col, char *buf, size_t len);
/* A db_sqlite_row_fn: every column of the row into the int64_t array out
 * (as long as the statement has columns). */
void db_sqlite_int64s(sqlite3_stmt *st, void *out);
/* Bind text, or NULL when s is NULL; SQLITE_TRANSIENT copy. */
int db_sqlite_bind_text(sqlite3_stmt *st, int idx, const char *s);

#endif
