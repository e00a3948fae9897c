/*
 * db_pg: the PostgreSQL backend of server/db.h (CONTRACT 5.7: a province's
 * collectors share one database) — the connection, prepared statements,
 * transactions, the schema and its migrations, and the monthly session
 * partitions. The tables' functions are in db_pg_<topic>.c, as SQLite's
 * are in db_sqlite_<topic>.c; docs/storage-postgresql.md describes it all
 * for an operator.
 *
 * Durability: every connection sets synchronous_commit=on, whatever the
 * server's default, so COMMIT returns only once the WAL is flushed: the
 * collector acknowledges a session only after that (as with SQLite's
 * synchronous=FULL).
 *
 * Migrations: the version is the one row of bbt_schema; migrations[i]
 * takes it from i to i + 1 in one transaction with the version bump. They
 * run under a session advisory lock, so several collectors starting at
 * once on one database migrate it once: the others wait, then find it
 * current. The steps mirror SQLite's (db_sqlite.c), one per schema
 * version, in PostgreSQL's types; never edit one that has shipped.
 *
 * Text columns are COLLATE "C": ORDER BY then compares bytes as SQLite
 * does, so reports list schools, rooms and names in the same order on both
 * backends whatever the database's locale.
 *
 * Sessions (the one table that grows without bound) are partitioned by
 * month of start (declarative RANGE partitioning, sessions_yYYYYmMM); a
 * partition is made the first time a session of its month arrives, and
 * the current and next two months when a connection opens. Since a
 * partitioned table cannot hold a unique key without its partition key,
 * the id's uniqueness (a session is stored exactly once, whatever its
 * start) is session_ids' primary key, written in the same statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "bbt_array.h"
#include "bbt_log.h"
#include "db.h"
#include "db_auth.h"
#include "db_backend.h"
#include "db_pg_internal.h"

/* pg_advisory_lock keys: "bbt" migrations, "bbt" partitions. */
#define LOCK_MIGRATE 0x62627401LL
#define LOCK_PARTITION 0x62627402LL
#define TEXTOID 25
#define INT8OID 20

#define T "TEXT COLLATE \"C\""

static const char *const migrations[] = {
	/* v1 */
	"CREATE TABLE schools ("
	"  code " T " PRIMARY KEY,"
	"  name " T " NOT NULL,"
	"  district " T ");"
	"CREATE TABLE enroll_tokens ("
	"  hash " T " PRIMARY KEY,"
	"  school " T " NOT NULL REFERENCES schools(code),"
	"  uses_left BIGINT NOT NULL CHECK (uses_left >= 0),"
	"  expires_at BIGINT NOT NULL,"
	"  created_at BIGINT NOT NULL);"
	"CREATE TABLE admins ("
	"  name " T " PRIMARY KEY,"
	"  token_hash " T " NOT NULL UNIQUE,"
	"  school " T " REFERENCES schools(code),"
	"  created_at BIGINT NOT NULL);"
	"CREATE TABLE devices ("
	"  device_id " T " PRIMARY KEY,"
	"  hw_id " T " NOT NULL UNIQUE,"
	"  school " T " NOT NULL REFERENCES schools(code),"
	"  room " T " NOT NULL,"
	"  hostname " T " NOT NULL DEFAULT '',"
	"  agent_version " T " NOT NULL DEFAULT '',"
	"  public_key " T " NOT NULL,"
	"  token_hash " T " NOT NULL UNIQUE,"
	"  enrolled_at BIGINT NOT NULL,"
	"  last_seen BIGINT,"
	"  clock_offset_s BIGINT,"
	"  buffer_depth BIGINT,"
	"  input_devices TEXT);"
	"CREATE INDEX devices_school ON devices(school, room);"
	"CREATE TABLE session_ids (id " T " PRIMARY KEY);"
	"CREATE TABLE sessions ("
	"  id " T " NOT NULL,"
	"  device_id " T " NOT NULL REFERENCES devices(device_id),"
	"  school " T " NOT NULL,"
	"  room " T " NOT NULL,"
	"  start BIGINT NOT NULL,"
	"  \"end\" BIGINT NOT NULL,"
	"  utc_offset BIGINT NOT NULL,"
	"  duration_s BIGINT NOT NULL,"
	"  touches BIGINT NOT NULL,"
	"  active_minutes BIGINT NOT NULL,"
	"  teacher " T ","
	"  input_name " T ","
	"  input_vid " T ","
	"  input_pid " T ","
	"  flags " T " NOT NULL DEFAULT '',"
	"  received_at BIGINT NOT NULL,"
	"  via " T " NOT NULL CHECK (via IN ('http', 'bundle'))"
	") PARTITION BY RANGE (start);"
	/* Starts outside years 1970..9999 have no month; no DEFAULT partition,
	 * so a row can never land where a month's partition should be. */
	"CREATE TABLE sessions_before PARTITION OF sessions FOR VALUES FROM (MINVALUE) TO (0);"
	"CREATE TABLE sessions_after PARTITION OF sessions "
	"  FOR VALUES FROM (253402300800) TO (MAXVALUE);"
	"CREATE INDEX sessions_start ON sessions(start);"
	"CREATE INDEX sessions_school_start ON sessions(school, start);"
	"CREATE INDEX sessions_device ON sessions(device_id, start);"
	"CREATE TABLE timetable ("
	"  school " T " NOT NULL REFERENCES schools(code),"
	"  room " T " NOT NULL,"
	"  weekday BIGINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),"
	"  start_min BIGINT NOT NULL,"
	"  end_min BIGINT NOT NULL,"
	"  teacher_id " T " NOT NULL,"
	"  teacher_name " T " NOT NULL,"
	"  subject " T " NOT NULL DEFAULT '');"
	"CREATE INDEX timetable_slot ON timetable(school, room, weekday);",
	/* v2: the live-lesson schedule (CONTRACT 5.5), sessions by room. */
	"CREATE TABLE live_lessons ("
	"  seq " T " NOT NULL,"
	"  day BIGINT NOT NULL,"
	"  type " T " NOT NULL, subject " T " NOT NULL, teacher " T " NOT NULL,"
	"  course " T " NOT NULL, area " T " NOT NULL, stage " T " NOT NULL,"
	"  grade " T " NOT NULL, platform " T " NOT NULL, note " T " NOT NULL,"
	"  start BIGINT NOT NULL,"
	"  \"end\" BIGINT NOT NULL,"
	"  school " T " NOT NULL REFERENCES schools(code),"
	"  room " T " NOT NULL,"
	"  recv_school " T " REFERENCES schools(code),"
	"  recv_room " T " NOT NULL,"
	"  PRIMARY KEY (seq, day));"
	"CREATE INDEX live_start ON live_lessons(start);"
	"CREATE INDEX sessions_room ON sessions(school, room, start);",
	/* v3: revocation, token prefixes, re-enrollment and clone evidence. */
	"ALTER TABLE enroll_tokens ADD COLUMN prefix " T ";"
	"ALTER TABLE enroll_tokens ADD COLUMN revoked_at BIGINT;"
	"CREATE INDEX enroll_tokens_school ON enroll_tokens(school, created_at);"
	"ALTER TABLE admins ADD COLUMN revoked_at BIGINT;"
	"ALTER TABLE devices ADD COLUMN revoked_at BIGINT;"
	"ALTER TABLE devices ADD COLUMN reenrolled BIGINT NOT NULL DEFAULT 0;"
	"ALTER TABLE devices ADD COLUMN reenrolled_at BIGINT;"
	"ALTER TABLE devices ADD COLUMN clone_at BIGINT;"
	"CREATE TABLE device_tokens_old ("
	"  token_hash " T " PRIMARY KEY,"
	"  device_id " T " NOT NULL REFERENCES devices(device_id),"
	"  public_key " T " NOT NULL,"
	"  superseded_at BIGINT NOT NULL,"
	"  same_key BIGINT NOT NULL);"
	"CREATE INDEX device_tokens_old_device ON device_tokens_old(device_id, public_key);",
	/* v4: contact history, per-school detector settings, schedule contacts. */
	"CREATE TABLE device_contacts ("
	"  device_id " T " NOT NULL,"
	"  day BIGINT NOT NULL,"
	"  hours BIGINT NOT NULL,"
	"  PRIMARY KEY (device_id, day));"
	"INSERT INTO device_contacts SELECT device_id, last_seen / 86400,"
	"  CAST(1 AS BIGINT) << CAST((last_seen % 86400) / 3600 AS INTEGER) FROM devices"
	"  WHERE last_seen > 0;"
	"ALTER TABLE schools ADD COLUMN detector_idle_gap BIGINT;"
	"ALTER TABLE schools ADD COLUMN detector_min_session BIGINT;"
	"ALTER TABLE schools ADD COLUMN detector_stuck_contact BIGINT;"
	"ALTER TABLE live_lessons ADD COLUMN owner " T " NOT NULL DEFAULT '';"
	"ALTER TABLE live_lessons ADD COLUMN contact " T " NOT NULL DEFAULT '';"
	"ALTER TABLE devices ADD COLUMN sync_interval_s BIGINT;",
	/* v5 (db_pg_auth.c): admins' password hashes, sign-in sessions by the
	 * SHA-256 of their cookie, wrong attempts for the throttle. */
	"CREATE TABLE admin_passwords ("
	"  name " T " PRIMARY KEY REFERENCES admins(name),"
	"  hash " T " NOT NULL,"
	"  set_at BIGINT NOT NULL);"
	"CREATE TABLE admin_sessions ("
	"  id_hash " T " PRIMARY KEY,"
	"  admin " T " NOT NULL REFERENCES admins(name),"
	"  csrf " T " NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  last_seen BIGINT NOT NULL);"
	"CREATE INDEX admin_sessions_admin ON admin_sessions(admin);"
	"CREATE TABLE signin_failures ("
	"  key " T " NOT NULL,"
	"  at BIGINT NOT NULL);"
	"CREATE INDEX signin_failures_key ON signin_failures(key, at);",
	/* v6 (school move): the collector address told to the school's agents. */
	"ALTER TABLE schools ADD COLUMN collector_url " T ";",
	/* v7 (the credential cache, server/credcache.h): the number every change
	 * to what a device token stands for raises in its own transaction, and
	 * the log of what each number changed; see db_sqlite.c. Row triggers:
	 * the row lock on auth_generation orders the writers, so the numbers
	 * commit in order and a reader of number N has every change up to N. */
	"CREATE TABLE auth_generation ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  gen BIGINT NOT NULL);"
	"INSERT INTO auth_generation VALUES (1, 0);"
	"CREATE TABLE auth_changes ("
	"  gen BIGINT PRIMARY KEY,"
	"  device_id " T ","
	"  school " T ");"
	"CREATE FUNCTION bbt_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$"
	"  DECLARE g BIGINT;"
	"  BEGIN"
	"    UPDATE auth_generation SET gen = gen + 1 WHERE id = 1 RETURNING gen INTO g;"
	"    IF TG_TABLE_NAME = 'devices' THEN"
	"      INSERT INTO auth_changes VALUES (g, OLD.device_id, NULL);"
	"    ELSE"
	"      INSERT INTO auth_changes VALUES (g, NULL, OLD.code);"
	"    END IF;"
	"    DELETE FROM auth_changes WHERE gen <= g - 10000;"
	"    RETURN NULL;"
	"  END$$;"
	"CREATE TRIGGER devices_auth AFTER UPDATE OF token_hash, revoked_at, school,"
	"  room OR DELETE ON devices FOR EACH ROW EXECUTE FUNCTION bbt_auth_change();"
	"CREATE TRIGGER schools_auth AFTER UPDATE OF code, detector_idle_gap,"
	"  detector_min_session, detector_stuck_contact, collector_url OR DELETE ON schools"
	"  FOR EACH ROW EXECUTE FUNCTION bbt_auth_change();",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))
_Static_assert(NMIGRATIONS == DB_SCHEMA_VERSION, "one migration per schema version");

/* ---- parameters and results ---- */

static void put(struct db_pg_args *a, const char *v, Oid type)
{
	if (a->n >= DB_PG_MAX_ARGS)
		return;		/* db_pg_query refuses a full list */
	a->v[a->n] = v;
	a->type[a->n] = type;
	a->n++;
}

void db_pg_put_text(struct db_pg_args *a, const char *s)
{
	put(a, s, TEXTOID);
}

void db_pg_put_int(struct db_pg_args *a, int64_t v)
{
	if (a->n >= DB_PG_MAX_ARGS)
		return;
	snprintf(a->num[a->n], sizeof(a->num[a->n]), "%lld", (long long)v);
	put(a, a->num[a->n], INT8OID);
}

void db_pg_put_null_int(struct db_pg_args *a)
{
	put(a, NULL, INT8OID);
}

void db_pg_get_text(const PGresult *r, int row, int col, char *buf, size_t len)
{
	const char *v = PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);

	snprintf(buf, len, "%s", v);
}

int64_t db_pg_get_int(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return 0;
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* libpq's messages end in a newline; messages here do not. */
static int fail_msg(struct bbt_error *e, const char *what, const char *msg)
{
	size_t n = strlen(msg);

	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	return bbt_error_set(e, "%s: %.*s", what, (int)n, n ? msg : "no answer");
}

int db_pg_fail(struct db *db, const PGresult *r, struct bbt_error *e, const char *what)
{
	const char *msg = r ? PQresultErrorMessage(r) : "";

	if (!msg[0] && db_pgc(db)->conn)
		msg = PQerrorMessage(db_pgc(db)->conn);
	return fail_msg(e, what, msg);
}

/* ---- the connection ---- */

/* Per-connection settings, again after every reset. */
static int configure(struct db *db, struct bbt_error *e)
{
	return db_pg_exec(db, "SET synchronous_commit = on; SET client_encoding = 'UTF8'; "
	    "SET client_min_messages = warning", e);
}

/* Prepared statements die with their connection: forget them all. */
static void forget_prepared(struct db_pg *pg)
{
	for (size_t i = 0; i < pg->ncache; i++)
		free(pg->cache[i].sql);
	pg->ncache = 0;
	pg->nmonths = 0;
}

/*
 * After a failure: if the connection is gone (the server restarted), get
 * a new one. 1 if it was reset (a statement outside a transaction may be
 * run again), 0 if the connection was fine, -1 if it could not be reset.
 */
static int revive(struct db *db)
{
	struct db_pg *pg = db_pgc(db);
	struct bbt_error e;

	if (PQstatus(pg->conn) != CONNECTION_BAD)
		return 0;
	forget_prepared(pg);
	pg->in_tx = 0;
	PQreset(pg->conn);
	if (PQstatus(pg->conn) != CONNECTION_OK)
		return -1;
	if (configure(db, &e) < 0) {
		log_warn("database: after reconnecting: %s", bbt_error_msg(&e));
		return -1;
	}
	log_info("database: reconnected to PostgreSQL");
	return 1;
}

int db_pg_exec(struct db *db, const char *sql, struct bbt_error *e)
{
	struct db_pg *pg = db_pgc(db);

	for (int tries = 0;; tries++) {
		PGresult *r = PQexec(pg->conn, sql);
		ExecStatusType st = PQresultStatus(r);

		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			PQclear(r);
			return 0;
		}
		db_pg_fail(db, r, e, "database");
		PQclear(r);
		if (tries > 0 || pg->in_tx || revive(db) <= 0)
			return -1;
	}
}

/* sql with ?N placeholders (outside quotes) as $N. */
static char *dollars(const char *sql)
{
	char *out = strdup(sql), quote = 0;

	if (!out)
		return NULL;
	for (char *p = out; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '?' && p[1] >= '0' && p[1] <= '9') {
			*p = '$';
		}
	}
	return out;
}

/* The prepared statement of sql: its cache entry, prepared if new. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
static struct db_pg_cached *prepared(struct db *db, const char *sql,
    const struct db_pg_args *a, struct bbt_error *e)
{
	struct db_pg *pg = db_pgc(db);
	struct db_pg_cached *c;
	char name[32], *text;
	PGresult *r;
	int ok;

	for (size_t i = 0; i < pg->ncache; i++) {
		if (strcmp(pg->cache[i].sql, sql) == 0)
			return &pg->cache[i];
	}
	if (bbt_grow(&pg->cache, &pg->capcache, pg->ncache + 1, sizeof(*pg->cache)) < 0) {
		bbt_error_set(e, "out of memory");
		return NULL;
	}
	c = &pg->cache[pg->ncache];
	c->sql = strdup(sql);
	text = dollars(sql);
	if (!c->sql || !text) {
		free(c->sql);
		free(text);
		bbt_error_set(e, "out of memory");
		return NULL;
	}
	c->id = pg->next_id++;
	snprintf(name, sizeof(name), "bbt%u", c->id);
	r = PQprepare(pg->conn, name, text, a ? a->n : 0, a ? a->type : NULL);
	free(text);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		db_pg_fail(db, r, e, "prepare");
	PQclear(r);
	if (!ok) {
		free(c->sql);
		return NULL;
	}
	pg->ncache++;
	return c;
}
#pragma GCC diagnostic pop

PGresult *db_pg_query(struct db *db, const char *sql, const struct db_pg_args *a,
    const char *what, struct bbt_error *e)
{
	struct db_pg *pg = db_pgc(db);

	if (a && a->n >= DB_PG_MAX_ARGS) {
		bbt_error_set(e, "%s: too many parameters", what);
		return NULL;
	}
	for (int tries = 0;; tries++) {
		struct db_pg_cached *c = prepared(db, sql, a, e);
		char name[32];
		PGresult *r;
		ExecStatusType st;

		if (c) {
			snprintf(name, sizeof(name), "bbt%u", c->id);
			r = PQexecPrepared(pg->conn, name, a ? a->n : 0, a ? a->v : NULL, NULL,
			    NULL, 0);
			st = PQresultStatus(r);
			if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
				return r;
			db_pg_fail(db, r, e, what);
			PQclear(r);
		}
		if (tries > 0 || pg->in_tx || revive(db) <= 0)
			return NULL;
	}
}

int64_t db_pg_run(struct db *db, const char *sql, const struct db_pg_args *a,
    const char *what, struct bbt_error *e)
{
	PGresult *r = db_pg_query(db, sql, a, what, e);
	int64_t n;

	if (!r)
		return -1;
	n = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) :
	    strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return n;
}

int db_pg_one(struct db *db, const char *sql, const struct db_pg_args *a, db_pg_row_fn fn,
    void *out, int *found, const char *what, struct bbt_error *e)
{
	PGresult *r;

	if (found)
		*found = 0;
	r = db_pg_query(db, sql, a, what, e);
	if (!r)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return found ? 0 : bbt_error_set(e, "%s: no row", what);
	}
	if (fn)
		fn(r, 0, out);
	PQclear(r);
	if (found)
		*found = 1;
	return 0;
}

int db_pg_run_key_int(struct db *db, const char *sql, const char *key, int64_t n,
    const char *what, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, key);
	if (strstr(sql, "?2"))
		db_pg_put_int(&a, n);
	return db_pg_run(db, sql, &a, what, e) < 0 ? -1 : 0;
}

int db_pg_each(struct db *db, const char *sql, const struct db_pg_args *a, db_pg_walk_fn fn,
    void *arg, const char *what, struct bbt_error *e)
{
	PGresult *r = db_pg_query(db, sql, a, what, e);
	int rc = 0;

	if (!r)
		return -1;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(r, i, arg, e) < 0 ? -1 : 0;
	PQclear(r);
	return rc;
}

void db_pg_int64s(const PGresult *r, int i, void *out)
{
	int64_t *v = out;

	for (int c = 0; c < PQnfields(r); c++)
		v[c] = db_pg_get_int(r, i, c);
}

/* ---- transactions (the outermost level; server/db.c nests) ---- */

static int tx_begin(struct db *db, struct bbt_error *e)
{
	struct db_pg *pg = db_pgc(db);

	/* A connection lost since the last call is reset before, not during. */
	if (revive(db) < 0)
		return db_pg_fail(db, NULL, e, "database");
	if (db_pg_exec(db, "BEGIN", e) < 0)
		return -1;
	pg->in_tx = 1;
	return 0;
}

static int tx_commit(struct db *db, struct bbt_error *e)
{
	struct db_pg *pg = db_pgc(db);
	PGresult *r = PQexec(pg->conn, "COMMIT");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK &&
	    strcmp(PQcmdStatus(r), "COMMIT") == 0;

	/* COMMIT of a failed transaction answers ROLLBACK: not committed. */
	if (!ok) {
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			bbt_error_set(e, "commit: the transaction had failed");
		else
			db_pg_fail(db, r, e, "commit");
	}
	PQclear(r);
	if (ok)
		pg->in_tx = 0;
	return ok ? 0 : -1;
}

static void tx_rollback(struct db *db)
{
	struct db_pg *pg = db_pgc(db);
	PGresult *r;

	pg->in_tx = 0;
	if (PQtransactionStatus(pg->conn) == PQTRANS_IDLE)
		return;
	if (PQstatus(pg->conn) == CONNECTION_BAD) {
		revive(db);
		return;
	}
	r = PQexec(pg->conn, "ROLLBACK");
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		log_warn("database rollback failed: %s", PQerrorMessage(pg->conn));
	PQclear(r);
}

/* ---- schema ---- */

static int read_version(struct db *db, int *version, struct bbt_error *e)
{
	PGresult *r = db_pg_query(db, "SELECT version FROM bbt_schema", NULL, "schema version",
	    e);

	if (!r)
		return -1;
	*version = PQntuples(r) > 0 ? (int)db_pg_get_int(r, 0, 0) : 0;
	PQclear(r);
	return 0;
}

int db_pg_schema_version(struct db *db, int *version, struct bbt_error *e)
{
	return read_version(db, version, e);
}

static int migrate_locked(struct db *db, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	int v;

	if (db_pg_exec(db, "CREATE TABLE IF NOT EXISTS bbt_schema (version INTEGER NOT NULL); "
	    "INSERT INTO bbt_schema SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM bbt_schema)",
	    e) < 0 || read_version(db, &v, e) < 0)
		return -1;
	if (v > NMIGRATIONS)
		return bbt_error_set(e, "database schema v%d is newer than this bbt-server "
		    "(v%d)", v, NMIGRATIONS);
	for (; v < NMIGRATIONS; v++) {
		a.n = 0;
		db_pg_put_int(&a, v + 1);
		if (db_begin(db, e) < 0)
			return -1;
		if (db_pg_exec(db, migrations[v], e) < 0 ||
		    db_pg_run(db, "UPDATE bbt_schema SET version = ?1", &a, "schema version",
		    e) < 0) {
			db_rollback(db);
			return bbt_error_prefix(e, "migration to v%d", v + 1);
		}
		if (db_commit(db, e) < 0)
			return -1;
		log_info("database: migrated to schema v%d", v + 1);
	}
	return 0;
}

/* 1 if the schema is this program's already (no lock, no DDL), else 0. */
static int current(struct db *db, struct bbt_error *e)
{
	PGresult *r = db_pg_query(db, "SELECT to_regclass('bbt_schema') IS NOT NULL", NULL,
	    "schema version", e);
	int exists, v;

	if (!r)
		return -1;
	exists = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!exists || read_version(db, &v, e) < 0)
		return exists ? -1 : 0;
	return v == NMIGRATIONS;
}

/*
 * Several collectors may start at once: one migrates, the others wait for
 * the lock, then find nothing to do. Every worker thread's connection
 * opens through here, so the usual case (current) takes no lock.
 */
static int migrate(struct db *db, struct bbt_error *e)
{
	char sql[128];
	int rc = current(db, e);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_lock(%lld)", LOCK_MIGRATE);
	if (db_pg_exec(db, sql, e) < 0)
		return -1;
	rc = migrate_locked(db, e);
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_unlock(%lld)", LOCK_MIGRATE);
	if (db_pg_exec(db, sql, rc < 0 ? NULL : e) < 0)
		rc = -1;
	return rc;
}

int db_pg_check(struct db *db, int *ok, char *problem, size_t len, struct bbt_error *e)
{
	int v;

	*ok = 0;
	if (read_version(db, &v, e) < 0)
		return -1;
	if (v != DB_SCHEMA_VERSION) {
		snprintf(problem, len, "schema v%d, want v%d", v, DB_SCHEMA_VERSION);
		return 0;
	}
	snprintf(problem, len, "ok");
	*ok = 1;
	return 0;
}

/* ---- session partitions ---- */

/* The month (year * 100 + month) of t, and its bounds [from, to). */
static int month_of(int64_t t, int64_t *month, int64_t *from, int64_t *to)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t < 0 || t >= 253402300800LL || !gmtime_r(&tt, &tm))
		return -1;
	*month = (tm.tm_year + 1900) * 100LL + tm.tm_mon + 1;
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	*from = (int64_t)timegm(&tm);
	tm.tm_mon++;
	*to = (int64_t)timegm(&tm);	/* timegm carries month 12 into next year */
	return 0;
}

static int known_month(struct db_pg *pg, int64_t month)
{
	for (size_t i = 0; i < pg->nmonths; i++) {
		if (pg->months[i] == month)
			return 1;
	}
	return 0;
}

/*
 * Create the partition under a transaction-scoped advisory lock: two
 * collectors meeting a new month at once create it once (the second waits
 * for the first's commit, then finds it). Inside the caller's transaction
 * the partition exists only if that commits, so it is not remembered
 * (returns 0) and the next insert looks again; in its own it is (1). The
 * bounds are integers this function computed: DDL takes no parameters.
 */
static int create_partition(struct db *db, int64_t month, int64_t from, int64_t to,
    struct bbt_error *e)
{
	char sql[320];
	int own = db->tx_depth == 0, rc;

	if (own && db_begin(db, e) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%lld); "
	    "CREATE TABLE IF NOT EXISTS sessions_y%04lldm%02lld PARTITION OF sessions "
	    "FOR VALUES FROM (%lld) TO (%lld)", LOCK_PARTITION, (long long)(month / 100),
	    (long long)(month % 100), (long long)from, (long long)to);
	rc = db_pg_exec(db, sql, e);
	if (!own)
		return rc;
	if (rc < 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db, e) < 0 ? -1 : 1;
}

int db_pg_partition_for(struct db *db, int64_t start, struct bbt_error *e)
{
	struct db_pg *pg = db_pgc(db);
	struct db_pg_args a = { 0 };
	int64_t month, from, to;
	char name[64];
	PGresult *r;
	int exists, rc;

	if (month_of(start, &month, &from, &to) < 0 || known_month(pg, month))
		return 0;	/* sessions_before, _after take starts outside 1970..9999 */
	snprintf(name, sizeof(name), "sessions_y%04lldm%02lld", (long long)(month / 100),
	    (long long)(month % 100));
	db_pg_put_text(&a, name);
	r = db_pg_query(db, "SELECT to_regclass(?1) IS NOT NULL", &a, "session partition", e);
	if (!r)
		return -1;
	exists = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!exists) {
		rc = create_partition(db, month, from, to, e);
		if (rc < 0)
			return bbt_error_prefix(e, "session partition %s", name);
		if (rc == 0)
			return 0;
	}
	if (bbt_grow(&pg->months, &pg->capmonths, pg->nmonths + 1, sizeof(*pg->months)) == 0)
		pg->months[pg->nmonths++] = month;
	return 0;
}

/* The current month and the next two, so that most inserts find theirs. */
static int partitions_ahead(struct db *db, struct bbt_error *e)
{
	int64_t t = (int64_t)time(NULL), month, from;

	for (int i = 0; i < 3; i++) {
		if (db_pg_partition_for(db, t, e) < 0 || month_of(t, &month, &from, &t) < 0)
			return -1;	/* t is now the next month's first second */
	}
	return 0;
}

/* ---- open and close ---- */

static void pg_close(struct db *db)
{
	struct db_pg *pg = db_pgc(db);

	forget_prepared(pg);
	free(pg->cache);
	free(pg->months);
	PQfinish(pg->conn);
	free(pg);
}

static const struct db_backend backend = {
	.name = "postgresql",
	.enroll = &db_pg_enroll_steps,
	.stats_ints = db_pg_stats_ints,
#define DB_PG_SLOT(name, params, args) .name = db_pg_##name,
	DB_FUNCS(DB_PG_SLOT)
#undef DB_PG_SLOT
	.close = pg_close,
	.tx_begin = tx_begin,
	.tx_commit = tx_commit,
	.tx_rollback = tx_rollback,
};

int db_pg_open(const char *url, struct db **out, struct bbt_error *e)
{
	struct db_pg *pg;

	*out = NULL;
	pg = calloc(1, sizeof(*pg));
	if (!pg)
		return bbt_error_set(e, "out of memory");
	pg->base.be = &backend;
	pg->conn = PQconnectdb(url);
	if (!pg->conn) {
		free(pg);
		return bbt_error_set(e, "out of memory");
	}
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		fail_msg(e, "PostgreSQL", PQerrorMessage(pg->conn));
		goto fail;
	}
	if (configure(&pg->base, e) < 0 || migrate(&pg->base, e) < 0 ||
	    partitions_ahead(&pg->base, e) < 0)
		goto fail;
	*out = &pg->base;
	return 0;
fail:
	pg_close(&pg->base);
	return -1;
}

/* ---- batches: rows as one jsonb parameter ---- */

int db_pg_json_text(cJSON *o, const char *k, const char *v)
{
	return (v ? cJSON_AddStringToObject(o, k, v) : cJSON_AddNullToObject(o, k)) ? 0 : -1;
}

/* As a JSON string: exact for every int64 (a JSON number is a double), and
 * jsonb_to_recordset reads it into bigint all the same. */
int db_pg_json_int(cJSON *o, const char *k, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return db_pg_json_text(o, k, buf);
}

int db_pg_json_int_or_null(cJSON *o, const char *k, int64_t v, int unknown)
{
	return unknown ? db_pg_json_text(o, k, NULL) : db_pg_json_int(o, k, v);
}

char *db_pg_json_rows(size_t n, db_pg_json_row_fn fn, const void *arg)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	char *text = NULL;
	size_t i;

	for (i = 0; arr && i < n; i++) {
		o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			break;
		}
		if (fn(o, i, arg) < 0)
			break;
	}
	if (arr && i == n)
		text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return text;
}
