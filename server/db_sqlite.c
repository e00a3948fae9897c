/*
 * db_sqlite: the SQLite backend of server/db.h — connection setup, the
 * schema and its migrations, and the core tables (schools, tokens, admins,
 * devices, sessions). Topic files (db_sqlite_<topic>.c) add their own
 * functions through db_sqlite_internal.h.
 *
 * Durability: every connection runs WAL with synchronous=FULL, so a commit
 * has fsynced the WAL before db_commit returns: the collector's "acknowledged
 * only after durably committed" holds across power loss, not only across a
 * crash of the process (synchronous=NORMAL would only give the latter).
 *
 * Migrations: `migrations[i]` takes a database from user_version i to i + 1
 * and runs in its own transaction together with the user_version bump, so a
 * crash mid-migration leaves the old version intact. Schema v2 is one more
 * entry; never edit an entry that has shipped.
 *
 * Schema v3 (identity and revocation): revoked_at on admins, enrollment
 * tokens and devices (NULL = active; a lookup by token skips revoked rows,
 * and a request's token is looked up, or served from the credential cache
 * that schema v7 keeps honest, so a revocation holds on every server
 * process once the command has returned); the
 * re-enrollment count and clone evidence on devices; device_tokens_old,
 * the device tokens that re-enrollments replaced, with the public key of
 * the enrollment they belonged to and whether the replacing enrollment
 * presented the same key (the same machine enrolling again).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bbt_array.h"
#include "bbt_log.h"
#include "bbt_sqlite.h"
#include "db.h"
#include "db_backend.h"
#include "db_sql.h"
#include "db_sqlite_internal.h"

/*
 * Column notes: times are Unix seconds; sessions."end" must be quoted (END
 * is an SQL keyword); flags is the comma-separated list of flag names;
 * devices.input_devices is JSON text as the agent reported it; admins.school
 * NULL means a bureau admin; enroll_tokens.uses_left counts down to 0.
 */
/* v7's trigger body: raise the number, log what it changed, forget the log
 * past 10000 numbers (DB_AUTH_CHANGES_KEEP). */
#define AUTH_CHANGE(what) \
	"UPDATE auth_generation SET gen = gen + 1;" \
	"INSERT INTO auth_changes SELECT gen, " what " FROM auth_generation;" \
	"DELETE FROM auth_changes WHERE gen <= (SELECT gen FROM auth_generation) - 10000;"
static const char *const migrations[] = {
	/* v1 */
	"CREATE TABLE schools ("
	"  code TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  district TEXT);"
	"CREATE TABLE enroll_tokens ("
	"  hash TEXT PRIMARY KEY,"
	"  school TEXT NOT NULL REFERENCES schools(code),"
	"  uses_left INTEGER NOT NULL CHECK (uses_left >= 0),"
	"  expires_at INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE admins ("
	"  name TEXT PRIMARY KEY,"
	"  token_hash TEXT NOT NULL UNIQUE,"
	"  school TEXT REFERENCES schools(code),"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE devices ("
	"  device_id TEXT PRIMARY KEY,"
	"  hw_id TEXT NOT NULL UNIQUE,"
	"  school TEXT NOT NULL REFERENCES schools(code),"
	"  room TEXT NOT NULL,"
	"  hostname TEXT NOT NULL DEFAULT '',"
	"  agent_version TEXT NOT NULL DEFAULT '',"
	"  public_key TEXT NOT NULL,"
	"  token_hash TEXT NOT NULL UNIQUE,"
	"  enrolled_at INTEGER NOT NULL,"
	"  last_seen INTEGER,"
	"  clock_offset_s INTEGER,"
	"  buffer_depth INTEGER,"
	"  input_devices TEXT);"
	"CREATE INDEX devices_school ON devices(school, room);"
	"CREATE TABLE sessions ("
	"  id TEXT PRIMARY KEY,"
	"  device_id TEXT NOT NULL REFERENCES devices(device_id),"
	"  school TEXT NOT NULL,"
	"  room TEXT NOT NULL,"
	"  start INTEGER NOT NULL,"
	"  \"end\" INTEGER NOT NULL,"
	"  utc_offset INTEGER NOT NULL,"
	"  duration_s INTEGER NOT NULL,"
	"  touches INTEGER NOT NULL,"
	"  active_minutes INTEGER NOT NULL,"
	"  teacher TEXT,"
	"  input_name TEXT,"
	"  input_vid TEXT,"
	"  input_pid TEXT,"
	"  flags TEXT NOT NULL DEFAULT '',"
	"  received_at INTEGER NOT NULL,"
	"  via TEXT NOT NULL CHECK (via IN ('http', 'bundle')));"
	"CREATE INDEX sessions_start ON sessions(start);"
	"CREATE INDEX sessions_school_start ON sessions(school, start);"
	"CREATE INDEX sessions_device ON sessions(device_id, start);"
	"CREATE TABLE timetable ("
	"  school TEXT NOT NULL REFERENCES schools(code),"
	"  room TEXT NOT NULL,"
	"  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),"
	"  start_min INTEGER NOT NULL,"
	"  end_min INTEGER NOT NULL,"
	"  teacher_id TEXT NOT NULL,"
	"  teacher_name TEXT NOT NULL,"
	"  subject TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX timetable_slot ON timetable(school, room, weekday);",
	/* v2: the live-lesson schedule (CONTRACT 5.5), sessions by room. */
	"CREATE TABLE live_lessons ("
	"  seq TEXT NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  type TEXT NOT NULL, subject TEXT NOT NULL, teacher TEXT NOT NULL,"
	"  course TEXT NOT NULL, area TEXT NOT NULL, stage TEXT NOT NULL,"
	"  grade TEXT NOT NULL, platform TEXT NOT NULL, note TEXT NOT NULL,"
	"  start INTEGER NOT NULL,"
	"  \"end\" INTEGER NOT NULL,"
	"  school TEXT NOT NULL REFERENCES schools(code),"
	"  room TEXT NOT NULL,"
	"  recv_school TEXT REFERENCES schools(code),"
	"  recv_room TEXT NOT NULL,"
	"  PRIMARY KEY (seq, day));"
	"CREATE INDEX live_start ON live_lessons(start);"
	"CREATE INDEX sessions_room ON sessions(school, room, start);",
	/* v3: revocation, token prefixes, re-enrollment and clone evidence. */
	"ALTER TABLE enroll_tokens ADD COLUMN prefix TEXT;"
	"ALTER TABLE enroll_tokens ADD COLUMN revoked_at INTEGER;"
	"CREATE INDEX enroll_tokens_school ON enroll_tokens(school, created_at);"
	"ALTER TABLE admins ADD COLUMN revoked_at INTEGER;"
	"ALTER TABLE devices ADD COLUMN revoked_at INTEGER;"
	"ALTER TABLE devices ADD COLUMN reenrolled INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE devices ADD COLUMN reenrolled_at INTEGER;"
	"ALTER TABLE devices ADD COLUMN clone_at INTEGER;"
	"CREATE TABLE device_tokens_old ("
	"  token_hash TEXT PRIMARY KEY,"
	"  device_id TEXT NOT NULL REFERENCES devices(device_id),"
	"  public_key TEXT NOT NULL,"
	"  superseded_at INTEGER NOT NULL,"
	"  same_key INTEGER NOT NULL);"
	"CREATE INDEX device_tokens_old_device ON device_tokens_old(device_id, public_key);",
	/* v4 (owner: bureau, db_sqlite_stats.c): contact history, one row per
	 * device and UTC day with a bit per hour, seeded from last_seen; the
	 * per-school detector settings; the schedule's two contact columns. */
	"CREATE TABLE device_contacts ("
	"  device_id TEXT NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  hours INTEGER NOT NULL,"
	"  PRIMARY KEY (device_id, day)) WITHOUT ROWID;"
	"INSERT INTO device_contacts SELECT device_id, last_seen / 86400,"
	"  1 << ((last_seen % 86400) / 3600) FROM devices WHERE last_seen > 0;"
	"ALTER TABLE schools ADD COLUMN detector_idle_gap INTEGER;"
	"ALTER TABLE schools ADD COLUMN detector_min_session INTEGER;"
	"ALTER TABLE schools ADD COLUMN detector_stuck_contact INTEGER;"
	"ALTER TABLE live_lessons ADD COLUMN owner TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE live_lessons ADD COLUMN contact TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE devices ADD COLUMN sync_interval_s INTEGER;",
	/* v5 (owner: sign-in, db_sqlite_auth.c): admins' password hashes, sign-in
	 * sessions by the SHA-256 of their cookie, wrong attempts for the
	 * throttle (key "name:N" or "addr:A"). */
	"CREATE TABLE admin_passwords ("
	"  name TEXT PRIMARY KEY REFERENCES admins(name),"
	"  hash TEXT NOT NULL,"
	"  set_at INTEGER NOT NULL);"
	"CREATE TABLE admin_sessions ("
	"  id_hash TEXT PRIMARY KEY,"
	"  admin TEXT NOT NULL REFERENCES admins(name),"
	"  csrf TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL);"
	"CREATE INDEX admin_sessions_admin ON admin_sessions(admin);"
	"CREATE TABLE signin_failures ("
	"  key TEXT NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX signin_failures_key ON signin_failures(key, at);",
	/* v6 (school move): the address the school's agents are told the
	 * collector moved to; NULL: none. */
	"ALTER TABLE schools ADD COLUMN collector_url TEXT;",
	/* v7 (the credential cache, server/credcache.h): one number that every
	 * change to what a device token stands for raises, in the writer's own
	 * transaction, whoever the writer is (a trigger, not the code), and a
	 * log of what each number changed (a device, or everything of a
	 * school), so a collector that reads a new number forgets just those
	 * entries. The log keeps the last DB_AUTH_CHANGES_KEEP (10000) numbers.
	 * Heartbeats and uploads (last_seen, buffer_depth ...) raise nothing. */
	"CREATE TABLE auth_generation ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  gen INTEGER NOT NULL);"
	"INSERT INTO auth_generation VALUES (1, 0);"
	"CREATE TABLE auth_changes ("
	"  gen INTEGER PRIMARY KEY,"
	"  device_id TEXT,"
	"  school TEXT);"
	"CREATE TRIGGER devices_auth_update AFTER UPDATE OF token_hash, revoked_at,"
	"  school, room ON devices BEGIN " AUTH_CHANGE("OLD.device_id, NULL") " END;"
	"CREATE TRIGGER devices_auth_delete AFTER DELETE ON devices"
	"  BEGIN " AUTH_CHANGE("OLD.device_id, NULL") " END;"
	"CREATE TRIGGER schools_auth_update AFTER UPDATE OF code, detector_idle_gap,"
	"  detector_min_session, detector_stuck_contact, collector_url ON schools"
	"  BEGIN " AUTH_CHANGE("NULL, OLD.code") " END;"
	"CREATE TRIGGER schools_auth_delete AFTER DELETE ON schools"
	"  BEGIN " AUTH_CHANGE("NULL, OLD.code") " END;",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))
_Static_assert(NMIGRATIONS == DB_SCHEMA_VERSION, "one migration per schema version");

int db_sqlite_fail(struct db *db, struct bbt_error *e, const char *what)
{
	return bbt_error_set(e, "%s: %s", what, db && db_sq(db)->h ? sqlite3_errmsg(db_sq(db)->h) :
	    "no database");
}

int db_sqlite_exec(struct db *db, const char *sql, struct bbt_error *e)
{
	char *msg = NULL;

	if (sqlite3_exec(db_sq(db)->h, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	bbt_error_set(e, "database: %s", msg ? msg : sqlite3_errmsg(db_sq(db)->h));
	sqlite3_free(msg);
	return -1;
}

/*
 * gcc -fanalyzer loses the cache once it has grown (through bbt_grow, or
 * realloc before it) and so reports the strdup stored in the new entry as
 * leaked; the entry is freed with the cache in sqlite_close.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
sqlite3_stmt *db_sqlite_stmt(struct db *db, const char *sql, struct bbt_error *e)
{
	struct db_sqlite *sq = db_sq(db);
	struct db_sqlite_cached *c;
	sqlite3_stmt *st = NULL;

	for (size_t i = 0; i < sq->ncache; i++) {
		if (strcmp(sq->cache[i].sql, sql) != 0)
			continue;
		sqlite3_reset(sq->cache[i].stmt);
		sqlite3_clear_bindings(sq->cache[i].stmt);
		return sq->cache[i].stmt;
	}
	if (bbt_grow(&sq->cache, &sq->capcache, sq->ncache + 1, sizeof(*sq->cache)) < 0) {
		bbt_error_set(e, "out of memory");
		return NULL;
	}
	if (sqlite3_prepare_v3(sq->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		db_sqlite_fail(db, e, "prepare");
		return NULL;
	}
	c = &sq->cache[sq->ncache];
	c->sql = strdup(sql);
	if (!c->sql) {
		sqlite3_finalize(st);
		bbt_error_set(e, "out of memory");
		return NULL;
	}
	c->stmt = st;
	sq->ncache++;
	return st;
}
#pragma GCC diagnostic pop

void db_sqlite_text(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	bbt_sqlite_col_text(st, col, buf, len);
}

int db_sqlite_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	return bbt_sqlite_bind_text(st, idx, s);
}

void db_sqlite_int64s(sqlite3_stmt *st, void *out)
{
	int64_t *v = out;

	for (int i = 0; i < sqlite3_data_count(st); i++)
		v[i] = sqlite3_column_int64(st, i);
}

/* The outermost level of a transaction (server/db.c nests them). */
static int tx_begin(struct db *db, struct bbt_error *e)
{
	return db_sqlite_exec(db, "BEGIN IMMEDIATE", e);
}

static int tx_commit(struct db *db, struct bbt_error *e)
{
	return db_sqlite_exec(db, "COMMIT", e);
}

static void tx_rollback(struct db *db)
{
	struct db_sqlite *sq = db_sq(db);

	/* Reset cached statements first: a pending read would keep the lock. */
	for (size_t i = 0; i < sq->ncache; i++)
		sqlite3_reset(sq->cache[i].stmt);
	if (sqlite3_get_autocommit(sq->h) == 0 &&
	    sqlite3_exec(sq->h, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		log_warn("database rollback failed: %s", sqlite3_errmsg(sq->h));
}

int db_sqlite_tx(struct db *db, int (*fn)(struct db *db, void *arg, struct bbt_error *e),
    void *arg, struct bbt_error *e)
{
	if (db_begin(db, e) < 0)
		return -1;
	if (fn(db, arg, e) < 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db, e);
}

int db_sqlite_schema_version(struct db *db, int *version, struct bbt_error *e)
{
	int64_t v;

	if (db_sqlite_one(db, db_sqlite_stmt(db, "PRAGMA user_version", e), db_sqlite_int64s,
	    &v, NULL, e, "user_version") < 0)
		return -1;
	*version = (int)v;
	return 0;
}

int db_sqlite_check(struct db *db, int *ok, char *problem, size_t len, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "PRAGMA integrity_check", e);
	int rc;

	*ok = 0;
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		db_sqlite_text(st, 0, problem, len);
		*ok = strcmp(problem, "ok") == 0;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_sqlite_fail(db, e, "integrity check");
}

static int configure(struct db *db, struct bbt_error *e)
{
	sqlite3_busy_timeout(db_sq(db)->h, DB_SQLITE_BUSY_MS);
	if (bbt_sqlite_wal_full(db_sq(db)->h, e) < 0)
		return -1;
	return db_sqlite_exec(db, "PRAGMA foreign_keys=ON;", e);
}

static void sqlite_close(struct db *db)
{
	struct db_sqlite *sq = db_sq(db);

	for (size_t i = 0; i < sq->ncache; i++) {
		sqlite3_finalize(sq->cache[i].stmt);
		free(sq->cache[i].sql);
	}
	free(sq->cache);
	sqlite3_close(sq->h);
	free(sq);
}

static const struct db_backend backend = {
	.name = "sqlite",
	.enroll = &db_sqlite_enroll_steps,
	.stats_ints = db_sqlite_stats_ints,
#define DB_SQLITE_SLOT(name, params, args) .name = db_sqlite_##name,
	DB_FUNCS(DB_SQLITE_SLOT)
#undef DB_SQLITE_SLOT
	.close = sqlite_close,
	.tx_begin = tx_begin,
	.tx_commit = tx_commit,
	.tx_rollback = tx_rollback,
};

/*
 * No memory statistics: with them every SQLite allocation of every
 * connection takes one process-wide mutex, which the collector's worker
 * threads then queue on (a tenth of a heartbeat's cost, bench/heartbeat.sh).
 * The collector never reads them. Only possible before SQLite initialises,
 * so the first open does it; the worker threads open theirs later.
 */
static void sqlite_global_once(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int db_sqlite_open(const char *where, struct db **out, struct bbt_error *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct db_sqlite *sq;

	*out = NULL;
	pthread_once(&once, sqlite_global_once);
	sq = calloc(1, sizeof(*sq));
	if (!sq)
		return bbt_error_set(e, "out of memory");
	sq->base.be = &backend;
	/* Private (0600), WAL + FULL, user_version migrations: common/bbt_sqlite. */
	if (bbt_sqlite_open_private(where, 1, &sq->h, e) < 0)
		goto fail;
	if (configure(&sq->base, e) < 0 ||
	    bbt_sqlite_migrate(sq->h, migrations, NMIGRATIONS, e) < 0) {
		bbt_error_prefix(e, "%s", where);
		goto fail;
	}
	*out = &sq->base;
	return 0;
fail:
	sqlite_close(&sq->base);
	return -1;
}

/* Step a write statement to completion. */
int db_sqlite_done(struct db *db, sqlite3_stmt *st, struct bbt_error *e, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	return db_sqlite_fail(db, e, what);
}

/* Step a lookup: 1 row found (left for reading), 0 none, -1 error. */
int db_sqlite_row(struct db *db, sqlite3_stmt *st, struct bbt_error *e, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	return db_sqlite_fail(db, e, what);
}

int db_sqlite_returning(struct db *db, sqlite3_stmt *st, struct bbt_error *e,
    const char *what)
{
	int rc = sqlite3_step(st), got = rc == SQLITE_ROW;

	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return got;
	return db_sqlite_fail(db, e, what);
}

int db_sqlite_one(struct db *db, sqlite3_stmt *st, db_sqlite_row_fn fn, void *out,
    int *found, struct bbt_error *e, const char *what)
{
	int rc;

	if (found)
		*found = 0;
	if (!st)
		return -1;
	rc = db_sqlite_row(db, st, e, what);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return found ? 0 : db_sqlite_fail(db, e, what);
	if (fn)
		fn(st, out);
	sqlite3_reset(st);
	if (found)
		*found = 1;
	return 0;
}

int db_sqlite_one_key(struct db *db, const char *sql, const char *key, db_sqlite_row_fn fn,
    void *out, int *found, struct bbt_error *e, const char *what)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, sql, e);

	if (st)
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	return db_sqlite_one(db, st, fn, out, found, e, what);
}

int db_sqlite_done_key_int(struct db *db, const char *sql, const char *key, int64_t n,
    struct bbt_error *e, const char *what)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, n);
	return db_sqlite_done(db, st, e, what);
}

int db_sqlite_each(struct db *db, sqlite3_stmt *st, db_sqlite_walk_fn fn, void *arg,
    struct bbt_error *e, const char *what)
{
	int rc;

	if (!st)
		return -1;
	while ((rc = db_sqlite_row(db, st, e, what)) == 1) {
		if (fn(st, arg, e) < 0) {
			sqlite3_reset(st);
			return -1;
		}
	}
	return rc;
}

/* ---- schools ---- */

/*
 * One statement decides (the code's primary key): a second process adding
 * the same code at the same moment gets "exists", never a constraint error.
 * The name in the message is read afterwards, for the message only.
 */
int db_sqlite_school_add(struct db *db, const struct db_school *s, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_SCHOOL_ADD, e);
	struct db_school old;
	int rc, found;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, s->code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, s->name, -1, SQLITE_TRANSIENT);
	db_sqlite_bind_text(st, 3, s->district[0] ? s->district : NULL);
	rc = db_sqlite_returning(db, st, e, "add school");
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	if (db_sqlite_school_get(db, s->code, &old, &found, e) < 0)
		return -1;
	return bbt_error_set(e, "school %s exists (%s)", s->code, found ? old.name : "?");
}

static void school_from_row(sqlite3_stmt *st, void *out)
{
	struct db_school *s = out;

	db_sqlite_text(st, 0, s->code, sizeof(s->code));
	db_sqlite_text(st, 1, s->name, sizeof(s->name));
	db_sqlite_text(st, 2, s->district, sizeof(s->district));
}

int db_sqlite_school_get(struct db *db, const char *code, struct db_school *out,
    int *found, struct bbt_error *e)
{
	return db_sqlite_one_key(db, DB_SQL_SCHOOL_GET, code, school_from_row, out, found, e,
	    "school");
}

/* ---- enrollment tokens ---- */

static void token_from_row(sqlite3_stmt *st, void *out)
{
	struct db_enroll_token *t = out;

	db_sqlite_text(st, 0, t->hash, sizeof(t->hash));
	db_sqlite_text(st, 1, t->school, sizeof(t->school));
	t->uses_left = sqlite3_column_int64(st, 2);
	t->expires_at = sqlite3_column_int64(st, 3);
	t->created_at = sqlite3_column_int64(st, 4);
	db_sqlite_text(st, 5, t->prefix, sizeof(t->prefix));
	t->revoked_at = sqlite3_column_int64(st, 6);
}

int db_sqlite_enroll_token_add(struct db *db, const struct db_enroll_token *t,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_TOKEN_ADD, e);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, t->hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, t->school, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, t->uses_left);
	sqlite3_bind_int64(st, 4, t->expires_at);
	sqlite3_bind_int64(st, 5, t->created_at);
	db_sqlite_bind_text(st, 6, t->prefix[0] ? t->prefix : NULL);
	return db_sqlite_done(db, st, e, "add enrollment token");
}

int db_sqlite_enroll_token_get(struct db *db, const char *hash, struct db_enroll_token *out,
    int *found, struct bbt_error *e)
{
	return db_sqlite_one_key(db, "SELECT " DB_SQL_TOKEN_COLS " FROM enroll_tokens WHERE hash = ?1",
	    hash, token_from_row, out, found, e, "enrollment token");
}

int db_sqlite_enroll_token_take(struct db *db, const char *hash, int *taken,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_TOKEN_TAKE, e);

	*taken = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	if (db_sqlite_done(db, st, e, "use enrollment token") < 0)
		return -1;
	*taken = sqlite3_changes(db_sq(db)->h) == 1;
	return 0;
}

static int token_visit(sqlite3_stmt *st, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	struct db_enroll_token t;

	token_from_row(st, &t);
	return w->fn.token(w->arg, &t, e);
}

int db_sqlite_enroll_tokens_each(struct db *db, const char *school, db_token_fn fn, void *arg,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "SELECT " DB_SQL_TOKEN_COLS " FROM enroll_tokens "
	    "WHERE CAST(?1 AS TEXT) IS NULL OR school = ?1 ORDER BY school, created_at, hash", e);
	struct db_walk w = { .fn.token = fn, .arg = arg };

	if (st)
		db_sqlite_bind_text(st, 1, school);
	return db_sqlite_each(db, st, token_visit, &w, e, "enrollment tokens");
}

int db_sqlite_enroll_tokens_match(struct db *db, const char *prefix, int by_hash,
    struct db_enroll_token *out, size_t max, size_t *n, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, by_hash ?
	    "SELECT " DB_SQL_TOKEN_COLS " FROM enroll_tokens WHERE "
	    "substr(hash, 1, ?2) = ?1 ORDER BY created_at, hash" :
	    "SELECT " DB_SQL_TOKEN_COLS " FROM enroll_tokens WHERE prefix IS NOT NULL AND "
	    "substr(prefix, 1, ?2) = ?1 ORDER BY created_at, hash", e);
	int rc;

	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_TRANSIENT);
	/* The length is a parameter: length(?) has no type to go by on PostgreSQL. */
	sqlite3_bind_int64(st, 2, (int64_t)strlen(prefix));
	while ((rc = db_sqlite_row(db, st, e, "enrollment tokens")) == 1) {
		if (*n < max)
			token_from_row(st, &out[*n]);
		(*n)++;
	}
	return rc;
}

int db_sqlite_enroll_token_revoke(struct db *db, const char *hash, int64_t now,
    struct bbt_error *e)
{
	return db_sqlite_done_key_int(db, DB_SQL_TOKEN_REVOKE, hash, now, e,
	    "revoke enrollment token");
}

/* ---- admins ---- */

/*
 * One statement: insert, or take over the name only if its admin is
 * revoked (the DO UPDATE's WHERE); no row back means an active admin has
 * the name, whatever another process did a moment before.
 */
int db_sqlite_admin_add(struct db *db, const struct db_admin *a, const char *token_hash,
    int64_t created_at, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_ADMIN_ADD, e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, a->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, token_hash, -1, SQLITE_TRANSIENT);
	db_sqlite_bind_text(st, 3, a->school[0] ? a->school : NULL);
	sqlite3_bind_int64(st, 4, created_at);
	rc = db_sqlite_returning(db, st, e, "add admin");
	if (rc < 0)
		return -1;
	return rc ? 0 : bbt_error_set(e, "admin %s exists", a->name);
}

static void admin_from_row(sqlite3_stmt *st, void *out)
{
	struct db_admin *a = out;

	db_sqlite_text(st, 0, a->name, sizeof(a->name));
	db_sqlite_text(st, 1, a->school, sizeof(a->school));
	a->created_at = sqlite3_column_int64(st, 2);
	a->revoked_at = sqlite3_column_int64(st, 3);
}

int db_sqlite_admin_by_token(struct db *db, const char *token_hash, struct db_admin *out,
    int *found, struct bbt_error *e)
{
	return db_sqlite_one_key(db, "SELECT " DB_SQL_ADMIN_COLS " FROM admins WHERE token_hash = ?1 "
	    "AND revoked_at IS NULL", token_hash, admin_from_row, out, found, e, "admin");
}

static int admin_visit(sqlite3_stmt *st, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	struct db_admin a;

	admin_from_row(st, &a);
	return w->fn.admin(w->arg, &a, e);
}

int db_sqlite_admins_each(struct db *db, db_admin_fn fn, void *arg, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "SELECT " DB_SQL_ADMIN_COLS " FROM admins "
	    "ORDER BY name", e);
	struct db_walk w = { .fn.admin = fn, .arg = arg };

	return db_sqlite_each(db, st, admin_visit, &w, e, "admins");
}

/* The UPDATE decides; only when it declined is the row read, to say why. */
int db_sqlite_admin_revoke(struct db *db, const char *name, int64_t now, int *found,
    int *already, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_ADMIN_REVOKE, e);
	int rc;

	*found = *already = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	rc = db_sqlite_returning(db, st, e, "revoke admin");
	if (rc != 0) {
		*found = rc > 0;
		return rc > 0 ? 0 : -1;
	}
	if (db_sqlite_one_key(db, "SELECT 1 FROM admins WHERE name = ?1", name, NULL, NULL,
	    found, e, "admin") < 0)
		return -1;
	*already = *found;
	return 0;
}

/* ---- devices ---- */

static void device_from_row(sqlite3_stmt *st, void *out)
{
	struct db_device *d = out;

	db_sqlite_text(st, 0, d->device_id, sizeof(d->device_id));
	db_sqlite_text(st, 1, d->hw_id, sizeof(d->hw_id));
	db_sqlite_text(st, 2, d->school, sizeof(d->school));
	db_sqlite_text(st, 3, d->room, sizeof(d->room));
	db_sqlite_text(st, 4, d->hostname, sizeof(d->hostname));
	db_sqlite_text(st, 5, d->agent_version, sizeof(d->agent_version));
	db_sqlite_text(st, 6, d->public_key, sizeof(d->public_key));
	db_sqlite_text(st, 7, d->token_hash, sizeof(d->token_hash));
	d->enrolled_at = sqlite3_column_int64(st, 8);
	d->last_seen = sqlite3_column_int64(st, 9);
	d->clock_offset_s = sqlite3_column_type(st, 10) == SQLITE_NULL ? DB_OFFSET_UNKNOWN :
	    sqlite3_column_int64(st, 10);
	d->buffer_depth = sqlite3_column_type(st, 11) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, 11);
	d->revoked_at = sqlite3_column_int64(st, 12);
	d->reenrolled = sqlite3_column_int64(st, 13);
	d->reenrolled_at = sqlite3_column_int64(st, 14);
	d->clone_at = sqlite3_column_int64(st, 15);
	d->state_resets = sqlite3_column_int64(st, 16);
	d->school_detector = (struct db_detector){ -1, -1, -1 };
	d->school_collector_url[0] = '\0';
}

/* device_from_row, then the DB_SQL_DEVICE_SCHOOL_DETECTOR columns after it. */
static void device_school_from_row(sqlite3_stmt *st, void *out)
{
	struct db_device *d = out;

	device_from_row(st, d);
	d->school_detector.idle_gap = sqlite3_column_int64(st, DB_SQL_DEVICE_NCOLS);
	d->school_detector.min_session = sqlite3_column_int64(st, DB_SQL_DEVICE_NCOLS + 1);
	d->school_detector.stuck_contact = sqlite3_column_int64(st, DB_SQL_DEVICE_NCOLS + 2);
	bbt_sqlite_col_text(st, DB_SQL_DEVICE_NCOLS + 3, d->school_collector_url,
	    sizeof(d->school_collector_url));
}

/* school_cols: sql has DB_SQL_DEVICE_SCHOOL_DETECTOR after the device's columns. */
static int device_lookup(struct db *db, const char *sql, const char *key,
    int school_cols, struct db_device *out, int *found, struct bbt_error *e)
{
	return db_sqlite_one_key(db, sql, key, school_cols ? device_school_from_row :
	    device_from_row, out, found, e, "device");
}

/* The school's detector settings join the device (db_devices.h): one read
 * per authenticated request, not two. */
int db_sqlite_device_by_token(struct db *db, const char *token_hash, struct db_device *out,
    int *found, struct bbt_error *e)
{
	return device_lookup(db, "SELECT " DB_SQL_DEVICE_COLS ", " DB_SQL_DEVICE_SCHOOL_DETECTOR
	    " FROM devices LEFT JOIN schools s ON s.code = devices.school "
	    "WHERE token_hash = ?1 AND revoked_at IS NULL", token_hash, 1, out, found, e);
}

int db_sqlite_device_get(struct db *db, const char *device_id, struct db_device *out,
    int *found, struct bbt_error *e)
{
	return device_lookup(db, "SELECT " DB_SQL_DEVICE_COLS " FROM devices WHERE device_id = ?1",
	    device_id, 0, out, found, e);
}

/* The steps of db_device_enroll (server/db.c; the statements, db_sql.h). */
static int enroll_insert(struct db *db, const struct db_device *d, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_ENROLL_INSERT, e);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, d->device_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, d->school, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, d->room, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, d->hostname, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, d->agent_version, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, d->public_key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, d->token_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 8, d->enrolled_at);
	sqlite3_bind_text(st, 9, d->hw_id, -1, SQLITE_TRANSIENT);
	return db_sqlite_returning(db, st, e, "enroll device");
}

static int enroll_lookup(struct db *db, const char *hw_id, struct db_device *out,
    int *found, struct bbt_error *e)
{
	return device_lookup(db, DB_SQL_DEVICE_BY_HW, hw_id, 0, out, found, e);
}

static int enroll_keep_old(struct db *db, const struct db_device *old,
    const struct db_device *d, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_ENROLL_KEEP_OLD, e);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, old->token_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, old->device_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, old->public_key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, d->enrolled_at);
	sqlite3_bind_int(st, 5, strcmp(old->public_key, d->public_key) == 0);
	return db_sqlite_done(db, st, e, "keep superseded device token");
}

static int enroll_swap(struct db *db, const struct db_device *old,
    const struct db_device *d, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_ENROLL_SWAP, e);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, old->device_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, d->room, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, d->hostname, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, d->agent_version, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, d->public_key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, d->token_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, d->enrolled_at);
	sqlite3_bind_text(st, 8, old->token_hash, -1, SQLITE_TRANSIENT);
	return db_sqlite_returning(db, st, e, "enroll device again");
}

const struct db_enroll_steps db_sqlite_enroll_steps = {
	.insert = enroll_insert,
	.lookup = enroll_lookup,
	.keep_old = enroll_keep_old,
	.swap = enroll_swap,
};

/* A superseded device token's row. */
struct superseded {
	char id[DB_ID_LEN];
	int same_key;
};

static void superseded_from_row(sqlite3_stmt *st, void *out)
{
	struct superseded *s = out;

	db_sqlite_text(st, 0, s->id, sizeof(s->id));
	s->same_key = sqlite3_column_int(st, 1);
}

int db_sqlite_device_token_refused(struct db *db, const char *token_hash, int64_t now,
    enum db_token_refusal *why, struct bbt_error *e)
{
	struct superseded old;
	sqlite3_stmt *st;
	int found;

	*why = DB_TOKEN_UNKNOWN;
	if (db_sqlite_one_key(db, DB_SQL_SUPERSEDED_GET, token_hash, superseded_from_row, &old,
	    &found, e, "superseded device token") < 0)
		return -1;
	if (found) {
		*why = DB_TOKEN_SUPERSEDED;
		if (old.same_key)
			return 0;
		/* At most one write a second per device, however often it knocks. */
		st = db_sqlite_stmt(db, DB_SQL_CLONE_SET, e);
		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, old.id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, now);
		return db_sqlite_done(db, st, e, "clone evidence");
	}
	if (db_sqlite_one_key(db, DB_SQL_DEVICE_REVOKED, token_hash, NULL, NULL, &found, e,
	    "revoked device") < 0)
		return -1;
	if (found)
		*why = DB_TOKEN_REVOKED;
	return 0;
}

int db_sqlite_device_revoke(struct db *db, const char *device_id, int64_t now,
    struct bbt_error *e)
{
	return db_sqlite_done_key_int(db, DB_SQL_DEVICE_REVOKE, device_id, now, e,
	    "revoke device");
}

int db_sqlite_device_move(struct db *db, const char *device_id, const char *school,
    const char *room, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_DEVICE_MOVE, e);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, device_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, school, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, room, -1, SQLITE_TRANSIENT);
	return db_sqlite_done(db, st, e, "move device");
}

int db_sqlite_device_seen(struct db *db, const char *device_id, int64_t now,
    int64_t clock_offset_s, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_DEVICE_SEEN, e);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, device_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	if (clock_offset_s != DB_OFFSET_UNKNOWN)
		sqlite3_bind_int64(st, 3, clock_offset_s);
	if (db_sqlite_done(db, st, e, "device seen") < 0)
		return -1;
	return db_sqlite_device_contact(db, device_id, now, e);
}

int db_sqlite_device_heartbeat(struct db *db, const char *device_id, int64_t now,
    int64_t clock_offset_s, const char *agent_version, int64_t buffer_depth,
    const char *devices_json, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_DEVICE_HEARTBEAT, e);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, device_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	if (clock_offset_s != DB_OFFSET_UNKNOWN)
		sqlite3_bind_int64(st, 3, clock_offset_s);
	db_sqlite_bind_text(st, 4, agent_version);
	if (buffer_depth >= 0)
		sqlite3_bind_int64(st, 5, buffer_depth);
	db_sqlite_bind_text(st, 6, devices_json);
	if (db_sqlite_done(db, st, e, "device heartbeat") < 0)
		return -1;
	return db_sqlite_device_contact(db, device_id, now, e);
}

/* One writer at a time already: the batch is the calls in one transaction. */
int db_sqlite_devices_heartbeat(struct db *db, const struct db_heartbeat *hb, size_t n,
    struct bbt_error *e)
{
	if (db_begin(db, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct db_heartbeat *h = &hb[i];

		if (db_sqlite_device_heartbeat(db, h->device_id, h->now, h->clock_offset_s,
		    h->agent_version, h->buffer_depth, h->devices_json, e) < 0 ||
		    db_sqlite_device_interval_set(db, h->device_id, h->interval_s, e) < 0) {
			db_rollback(db);
			return -1;
		}
	}
	return db_commit(db, e);
}

int db_sqlite_device_counts(struct db *db, int64_t since, int64_t *enrolled, int64_t *seen,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_DEVICE_COUNTS, e);
	int64_t v[2];

	if (st)
		sqlite3_bind_int64(st, 1, since);
	if (db_sqlite_one(db, st, db_sqlite_int64s, v, NULL, e, "device counts") < 0)
		return -1;
	*enrolled = v[0];
	*seen = v[1];
	return 0;
}

/* A device row, and its input_devices JSON after the device's columns. */
static int device_visit(sqlite3_stmt *st, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	struct db_device d;

	device_from_row(st, &d);
	return w->fn.device(w->arg, &d, (const char *)sqlite3_column_text(st, DB_SQL_DEVICE_NCOLS), e);
}

int db_sqlite_devices_each(struct db *db, const char *school, db_device_fn fn, void *arg,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "SELECT " DB_SQL_DEVICE_COLS ", input_devices "
	    "FROM devices WHERE CAST(?1 AS TEXT) IS NULL OR school = ?1 ORDER BY school, room, hostname, "
	    "device_id", e);
	struct db_walk w = { .fn.device = fn, .arg = arg };

	if (st)
		db_sqlite_bind_text(st, 1, school);
	return db_sqlite_each(db, st, device_visit, &w, e, "devices");
}

/* ---- sessions ---- */

/* One table, no partitions (db_sessions.h). */
int db_sqlite_session_ready(struct db *db, int64_t start, struct bbt_error *e)
{
	return 0;
}

static int session_insert(struct db *db, const struct bbt_session *s,
    const struct db_session_origin *o, unsigned char *inserted, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "INSERT INTO sessions (id, device_id, school, "
	    "room, start, \"end\", utc_offset, duration_s, touches, active_minutes, "
	    "teacher, input_name, input_vid, input_pid, flags, received_at, via) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
	    "ON CONFLICT (id) DO NOTHING", e);
	char flags[128];

	*inserted = 0;
	if (!st)
		return -1;
	bbt_flags_format(s->flags, ",", flags, sizeof(flags));
	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, o->device_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, o->school, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, o->room, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, s->start);
	sqlite3_bind_int64(st, 6, s->end);
	sqlite3_bind_int(st, 7, s->utc_offset);
	sqlite3_bind_int64(st, 8, s->duration_s);
	sqlite3_bind_int(st, 9, s->touches);
	sqlite3_bind_int(st, 10, s->active_minutes);
	db_sqlite_bind_text(st, 11, s->teacher[0] ? s->teacher : NULL);
	db_sqlite_bind_text(st, 12, s->input.name[0] ? s->input.name : NULL);
	db_sqlite_bind_text(st, 13, s->input.vid[0] ? s->input.vid : NULL);
	db_sqlite_bind_text(st, 14, s->input.pid[0] ? s->input.pid : NULL);
	sqlite3_bind_text(st, 15, flags, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 16, o->received_at);
	sqlite3_bind_text(st, 17, o->via == DB_VIA_BUNDLE ? "bundle" : "http", -1,
	    SQLITE_STATIC);
	if (db_sqlite_done(db, st, e, "store session") < 0)
		return -1;
	*inserted = sqlite3_changes(db_sq(db)->h) == 1;
	return 0;
}

/* In-process, a statement a session costs no round trip; the batch's own
 * transaction (nested in the caller's) makes it all or nothing. */
int db_sqlite_sessions_insert(struct db *db, const struct bbt_session *const *s, size_t n,
    const struct db_session_origin *o, unsigned char *inserted, struct bbt_error *e)
{
	if (db_begin(db, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (session_insert(db, s[i], o, &inserted[i], e) < 0) {
			db_rollback(db);
			return -1;
		}
	}
	return db_commit(db, e);
}

int db_sqlite_session_exists(struct db *db, const char *id, int *exists, struct bbt_error *e)
{
	return db_sqlite_one_key(db, "SELECT 1 FROM sessions WHERE id = ?1", id, NULL, NULL,
	    exists, e, "session");
}

int db_sqlite_session_count(struct db *db, int64_t *n, struct bbt_error *e)
{
	return db_sqlite_one(db, db_sqlite_stmt(db, "SELECT count(*) FROM sessions", e),
	    db_sqlite_int64s, n, NULL, e, "session count");
}

static void session_from_row(sqlite3_stmt *st, struct db_session_row *r)
{
	struct bbt_session *s = &r->s;
	char flags[128];

	memset(r, 0, sizeof(*r));
	db_sqlite_text(st, 0, s->id, sizeof(s->id));
	db_sqlite_text(st, 1, r->device_id, sizeof(r->device_id));
	db_sqlite_text(st, 2, r->school, sizeof(r->school));
	db_sqlite_text(st, 3, r->room, sizeof(r->room));
	s->start = sqlite3_column_int64(st, 4);
	s->end = sqlite3_column_int64(st, 5);
	s->utc_offset = sqlite3_column_int(st, 6);
	s->duration_s = sqlite3_column_int64(st, 7);
	s->touches = sqlite3_column_int(st, 8);
	s->active_minutes = sqlite3_column_int(st, 9);
	db_sqlite_text(st, 10, s->teacher, sizeof(s->teacher));
	db_sqlite_text(st, 11, s->input.name, sizeof(s->input.name));
	db_sqlite_text(st, 12, s->input.vid, sizeof(s->input.vid));
	db_sqlite_text(st, 13, s->input.pid, sizeof(s->input.pid));
	db_sqlite_text(st, 14, flags, sizeof(flags));
	s->flags = bbt_flags_parse(flags);
	r->received_at = sqlite3_column_int64(st, 15);
	db_sqlite_text(st, 16, flags, sizeof(flags));
	r->via = strcmp(flags, "bundle") == 0 ? DB_VIA_BUNDLE : DB_VIA_HTTP;
}

static int session_visit(sqlite3_stmt *st, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	struct db_session_row r;

	session_from_row(st, &r);
	return w->fn.session(w->arg, &r, e);
}

int db_sqlite_sessions_each(struct db *db, const char *school, const char *device_id,
    db_session_fn fn, void *arg, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "SELECT id, device_id, school, room, start, "
	    "\"end\", utc_offset, duration_s, touches, active_minutes, teacher, input_name, "
	    "input_vid, input_pid, flags, received_at, via FROM sessions "
	    "WHERE (CAST(?1 AS TEXT) IS NULL OR school = ?1) "
	    "AND (CAST(?2 AS TEXT) IS NULL OR device_id = ?2) ORDER BY start, id", e);
	struct db_walk w = { .fn.session = fn, .arg = arg };

	if (st) {
		db_sqlite_bind_text(st, 1, school);
		db_sqlite_bind_text(st, 2, device_id);
	}
	return db_sqlite_each(db, st, session_visit, &w, e, "sessions");
}
