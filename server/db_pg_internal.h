/*
 * db_pg_internal: what the PostgreSQL implementation files of server/db.h
 * share (db_pg.c and db_pg_<topic>.c). Nothing outside those files
 * includes this header: the rest of the server sees only db.h.
 *
 * Invariants:
 *  - struct db_pg (which begins with struct db) is one libpq connection,
 *    used by one thread at a time (the HTTP server keeps one per worker
 *    thread), with synchronous_commit=on: a COMMIT has returned only once
 *    the WAL is flushed, the same promise as SQLite's synchronous=FULL.
 *  - Every statement with values is prepared (PQprepare, once per
 *    connection, cached by its SQL text) and run with its parameters
 *    bound (PQexecPrepared); no value is ever put into SQL text. The SQL
 *    is written with SQLite's ?N placeholders, which db_pg_query turns
 *    into $N, so a statement both backends share reads the same.
 *  - Parameters are typed when prepared: db_pg_put_int is bigint,
 *    db_pg_put_text text (NULL stays typed), so no statement depends on
 *    PostgreSQL guessing a parameter's type from its context.
 *  - Results are read in full (libpq's default): a walk's callback may run
 *    other statements on the same connection (db.h re-entrancy contract).
 *  - A connection the server dropped (a restart) is reset and the
 *    statement run again, once, but only outside a transaction: inside one
 *    the transaction is lost and the call fails; the next db_begin or
 *    statement reconnects.
 */
#ifndef SERVER_DB_PG_INTERNAL_H
#define SERVER_DB_PG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "bbt_error.h"
#include "db.h"
#include "db_backend.h"

#define DB_PG_MAX_ARGS 24

struct db_pg_cached {
	char *sql;		/* as the caller wrote it (?N) */
	unsigned id;		/* prepared as "bbt<id>" */
};

/* A connection: db.c's part first (server/db_backend.h), then libpq's. */
struct db_pg {
	struct db base;
	PGconn *conn;
	struct db_pg_cached *cache;
	size_t ncache, capcache;
	unsigned next_id;
	int in_tx;		/* between tx_begin and tx_commit/rollback */
	int64_t *months;	/* session partitions known to exist (YYYYMM) */
	size_t nmonths, capmonths;
};

static inline struct db_pg *db_pgc(struct db *db)
{
	return (struct db_pg *)db;
}

/* A statement's parameters, ?1 first. */
struct db_pg_args {
	int n;
	const char *v[DB_PG_MAX_ARGS];
	Oid type[DB_PG_MAX_ARGS];
	char num[DB_PG_MAX_ARGS][24];
};
/* Text (NULL = SQL NULL, typed text). */
void db_pg_put_text(struct db_pg_args *a, const char *s);
void db_pg_put_int(struct db_pg_args *a, int64_t v);
/* A NULL of type bigint. */
void db_pg_put_null_int(struct db_pg_args *a);

/*
 * Run sql (prepared, cached) with a's parameters (a may be NULL): the
 * result (TUPLES_OK or COMMAND_OK; the caller PQclears it), or NULL with
 * e filled as "what: <message>".
 */
PGresult *db_pg_query(struct db *db, const char *sql, const struct db_pg_args *a,
    const char *what, struct bbt_error *e);
/* db_pg_query for a write: its row count (RETURNING rows, or the rows it
 * changed), or -1. */
int64_t db_pg_run(struct db *db, const char *sql, const struct db_pg_args *a,
    const char *what, struct bbt_error *e);
/* Read row i of r into out. */
typedef void (*db_pg_row_fn)(const PGresult *r, int i, void *out);
/*
 * The one-row lookup: run sql with a and read its first row with fn
 * (NULL: only whether there is one). *found is 1 with a row, 0 without;
 * with found NULL a missing row is an error. 0, or -1 with e naming what.
 */
int db_pg_one(struct db *db, const char *sql, const struct db_pg_args *a, db_pg_row_fn fn,
    void *out, int *found, const char *what, struct bbt_error *e);
/* A write of sql with ?1 the text key and ?2, if sql has one, n: 0 or -1. */
int db_pg_run_key_int(struct db *db, const char *sql, const char *key, int64_t n,
    const char *what, struct bbt_error *e);
/* A walk's row i of r: fn(r, i, arg, e) < 0 stops the walk. */
typedef int (*db_pg_walk_fn)(const PGresult *r, int i, void *arg, struct bbt_error *e);
/* Run sql with a (read in full) and fn on each row: 0, or -1. */
int db_pg_each(struct db *db, const char *sql, const struct db_pg_args *a, db_pg_walk_fn fn,
    void *arg, const char *what, struct bbt_error *e);
/* A db_pg_row_fn: every column of the row into the int64_t array out. */
void db_pg_int64s(const PGresult *r, int i, void *out);
/* Run SQL without parameters or results (schema, settings). Never with
 * data from outside. */
int db_pg_exec(struct db *db, const char *sql, struct bbt_error *e);
/* Fill e with "what: <libpq message>"; returns -1. */
int db_pg_fail(struct db *db, const PGresult *r, struct bbt_error *e, const char *what);

/* Copy a text column into buf ("" for NULL). */
void db_pg_get_text(const PGresult *r, int row, int col, char *buf, size_t len);
/* An integer column (0 for NULL). */
int64_t db_pg_get_int(const PGresult *r, int row, int col);

/*
 * A batch goes to the database as one jsonb parameter that
 * jsonb_to_recordset expands: one statement for n rows, and no value is
 * ever SQL (cJSON writes the text). Integers are JSON strings, exact for
 * every int64. The member helpers return 0, or -1 when out of memory.
 */
typedef struct cJSON cJSON;
/* Member k = v, a JSON null for v NULL. */
int db_pg_json_text(cJSON *o, const char *k, const char *v);
int db_pg_json_int(cJSON *o, const char *k, int64_t v);
/* An integer member, JSON null when it is `unknown`. */
int db_pg_json_int_or_null(cJSON *o, const char *k, int64_t v, int unknown);
/* Fill o, the object of row i of arg: 0 or -1. */
typedef int (*db_pg_json_row_fn)(cJSON *o, size_t i, const void *arg);
/* n rows as one JSON array (free with cJSON_free), or NULL: out of memory. */
char *db_pg_json_rows(size_t n, db_pg_json_row_fn fn, const void *arg);

/* The stats_ints of server/db_backend.h (db_pg_stats.c). */
int db_pg_stats_ints(struct db *db, const char *sql, const char *school, int64_t from,
    int64_t to, int64_t min_duration_s, int64_t *out, int nout, struct bbt_error *e);
/* The steps of db_device_enroll on PostgreSQL (db_pg_core.c). */
extern const struct db_enroll_steps db_pg_enroll_steps;

/* Make sure the sessions partition of the month of `start` exists. */
int db_pg_partition_for(struct db *db, int64_t start, struct bbt_error *e);

/* The backend's functions of server/db_backend.h: db_pg_<name>. */
#define DB_PG_PROTO(name, params, args) int db_pg_##name params;
DB_FUNCS(DB_PG_PROTO)
#undef DB_PG_PROTO

#endif
