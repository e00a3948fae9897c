/*
 * store: the agent's durable buffer, one SQLite file in WAL mode (store.h
 * has the contract; docs/agent-store.md the design).
 *
 * Durability: every connection runs synchronous=FULL, for checkpoints too.
 * In WAL mode NORMAL skips the fsync at commit and syncs the WAL only when
 * it is copied back into the database (every ~1000 pages), which at one
 * small checkpoint a minute is hours: a power cut would then lose the open
 * session, the very thing a checkpoint is for. One fsync a minute is cheap.
 *
 * Concurrency: the capture process and the sync process (or, on Windows,
 * the loop and the sync thread) each open their own connection on the same
 * file. Writers start with BEGIN IMMEDIATE so a busy database is waited for
 * (busy_timeout) at the start of a transaction, never half-way through
 * one, where SQLite could not retry.
 *
 * Healing across processes: both processes may find the buffer damaged,
 * and a write from one must not land in the file the other has just moved
 * aside (a connection keeps writing to the inode it opened; in WAL mode
 * SQLite does not notice the rename). So a lock file beside the buffer
 * (buffer.db.lock, platform_lock_* of platform.h) orders them: every write
 * transaction holds it shared from its check that the file at the path is
 * still the one it has open (same_file) to its commit; replacing the
 * buffer, or following one replaced, holds it exclusive and checks again
 * once it has it. A write therefore commits into the live file, and a heal
 * sees every write committed before it (salvage carries them over).
 *
 * Healing within a process (run's loop and sync thread on Windows, or any
 * two handles): before a heal moves the file aside it closes every other
 * connection of the process on that path (close_others), and they reopen
 * at their next use. On POSIX that only spares them a stale inode; on
 * Windows it is what makes the heal possible at all: a file another handle
 * holds open cannot be renamed (SQLite opens without FILE_SHARE_DELETE),
 * and SQLite's win32 VFS shares a process's wal-index (-shm) by file name,
 * so a new buffer opened at the path while an old connection lives would
 * attach to the old file's wal-index.
 *
 * Threads: each store's mutex (mu) guards its connection and its fields;
 * its own calls hold it, and so does a heal of another store that closes
 * its connection. Lock order: heal_mu, then the healing store's mu, then
 * the heal lock (exclusive), then another store's mu. So no store's mu is
 * held while waiting for heal_mu or for the heal lock: heal() and
 * take_shared() let their own go first and take it back after. A handle
 * is still used by one thread at a time; its mutex is against heals.
 *
 * Errors: every function returns 0/-1 with SQLite's own message; a failed
 * transaction is rolled back, so what was committed before stays intact.
 */
#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bbt_log.h"
#include "bbt_sqlite.h"
#include "platform.h"

#define STORE_BUSY_MS 10000
#define STORE_KEEP_ACKED_S (180LL * 24 * 3600)

struct store {
	pthread_mutex_t mu;	/* db and the fields below (see Threads above) */
	sqlite3 *db;		/* NULL after a failed reopen or another store's
				 * heal (close_others): reopened at next use */
	char path[PATH_MAX];
	dev_t dev;		/* the file db was opened on: one another */
	ino_t ino;		/* connection replaced is followed */
	int damaged;		/* SQLite said CORRUPT/NOTADB: replace before next use */
	int opening;		/* inside open_private: no refresh */
	struct platform_lock *lock;	/* STORE_LOCK_SUFFIX: the heal lock */
	struct store *next;	/* in stores, under heal_mu */
};

#define STORE_LOCK_SUFFIX ".lock"
/* Rounds of "follow the new file, take the lock shared" before giving up. */
#define STORE_LOCK_TRIES 8

/* The statements of one write transaction (write_tx). */
typedef int (*store_tx_fn)(struct store *st, void *arg, struct bbt_error *e);

/*
 * Schema migrations: entry i brings user_version from i to i + 1. A new
 * version is one more entry; never edit a released one.
 */
static const char *const migrations[] = {
	/* v1 */
	"CREATE TABLE sessions ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" start_s INTEGER NOT NULL, end_s INTEGER NOT NULL,"
	" utc_offset INTEGER NOT NULL, duration_s INTEGER NOT NULL,"
	" touches INTEGER NOT NULL, active_minutes INTEGER NOT NULL,"
	" teacher TEXT NOT NULL DEFAULT '',"
	" input_name TEXT NOT NULL DEFAULT '', input_vid TEXT NOT NULL DEFAULT '',"
	" input_pid TEXT NOT NULL DEFAULT '', flags INTEGER NOT NULL DEFAULT 0,"
	" boot_id TEXT NOT NULL DEFAULT '', boot_start_us INTEGER NOT NULL DEFAULT 0,"
	" boot_end_us INTEGER NOT NULL DEFAULT 0,"
	" logged_at INTEGER NOT NULL, acked_at INTEGER);"
	"CREATE INDEX sessions_outbox ON sessions(logged_at) WHERE acked_at IS NULL;"
	"CREATE INDEX sessions_start ON sessions(start_s);"
	"CREATE INDEX sessions_acked ON sessions(acked_at) WHERE acked_at IS NOT NULL;"
	"CREATE TABLE checkpoint ("
	" one INTEGER PRIMARY KEY CHECK (one = 1),"
	" id TEXT NOT NULL,"
	" start_s INTEGER NOT NULL, end_s INTEGER NOT NULL,"
	" utc_offset INTEGER NOT NULL, duration_s INTEGER NOT NULL,"
	" touches INTEGER NOT NULL, active_minutes INTEGER NOT NULL,"
	" teacher TEXT NOT NULL DEFAULT '',"
	" input_name TEXT NOT NULL DEFAULT '', input_vid TEXT NOT NULL DEFAULT '',"
	" input_pid TEXT NOT NULL DEFAULT '', flags INTEGER NOT NULL DEFAULT 0,"
	" boot_id TEXT NOT NULL DEFAULT '', boot_start_us INTEGER NOT NULL DEFAULT 0,"
	" boot_end_us INTEGER NOT NULL DEFAULT 0,"
	" saved_at INTEGER NOT NULL);"
	"CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);",
	/* v2: sessions the collector rejected, kept with the reason (store.h). */
	"CREATE TABLE quarantine ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" error TEXT NOT NULL,"
	" first_rejected_at INTEGER NOT NULL, rejected_at INTEGER NOT NULL,"
	" rejections INTEGER NOT NULL DEFAULT 1);",
};
#define STORE_SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* Columns of a session row, in the order bind_session/read_session use. */
#define SESSION_COLS "id, start_s, end_s, utc_offset, duration_s, touches," \
	" active_minutes, teacher, input_name, input_vid, input_pid, flags," \
	" boot_id, boot_start_us, boot_end_us"
#define SESSION_PARAMS "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15"
#define SESSION_NCOLS 15

/*
 * One heal at a time in this process (run's loop and sync thread), and the
 * list of its open stores. Every open, reopen and replacement is a heal.
 */
static pthread_mutex_t heal_mu = PTHREAD_MUTEX_INITIALIZER;
/*
 * Stores open in this process (under heal_mu): a heal closes the others on
 * its file (close_others). Also, POSIX locks belong to the process and any
 * close() of the file drops them all: bad_header()'s fopen/fclose while
 * another connection here holds the database would drop that connection's
 * locks, and another process's connection could then think itself the
 * last one and delete the -wal under us. So the header is read only when
 * no other store is open (others_open).
 */
static struct store *stores;

static int refresh(struct store *st, struct bbt_error *e);
static int write_lock(struct store *st, struct bbt_error *e);
static int is_corrupt_code(int rc);
static int count_query(struct store *st, const char *sql, int64_t *count,
    struct bbt_error *e);

static void stores_add(struct store *st)
{
	pthread_mutex_lock(&heal_mu);
	st->next = stores;
	stores = st;
	pthread_mutex_unlock(&heal_mu);
}

static void stores_remove(struct store *st)
{
	pthread_mutex_lock(&heal_mu);
	for (struct store **p = &stores; *p != NULL; p = &(*p)->next) {
		if (*p == st) {
			*p = st->next;
			break;
		}
	}
	pthread_mutex_unlock(&heal_mu);
}

/* 1 if another store is open in this process (heal_mu held). */
static int others_open(const struct store *st)
{
	for (const struct store *o = stores; o != NULL; o = o->next)
		if (o != st)
			return 1;
	return 0;
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* A call of st's own holds its mutex (see Threads at the top). */
static void enter(struct store *st)
{
	pthread_mutex_lock(&st->mu);
}

/* Let go of the mutex and pass rc on. */
static int leave(struct store *st, int rc)
{
	pthread_mutex_unlock(&st->mu);
	return rc;
}

static int db_error(struct bbt_error *e, sqlite3 *db, const char *what)
{
	return bbt_error_set(e, "%s: %s", what, sqlite3_errmsg(db));
}

/* Remember a damaged file (the next use replaces it, see refresh). */
static void mark(struct store *st)
{
	if (st->db != NULL && is_corrupt_code(sqlite3_extended_errcode(st->db)))
		st->damaged = 1;
}

static int st_error(struct store *st, struct bbt_error *e, const char *what)
{
	mark(st);
	return db_error(e, st->db, what);
}

/* A write transaction on the live file, the heal lock held shared. */
static int begin(struct store *st, struct bbt_error *e)
{
	if (write_lock(st, e) < 0)
		return -1;
	if (bbt_sqlite_exec(st->db, "BEGIN IMMEDIATE", e) < 0) {
		mark(st);
		platform_lock_drop(st->lock);
		return -1;
	}
	return 0;
}

/* On failure the transaction (and the lock) is the caller's rollback's. */
static int commit(struct store *st, struct bbt_error *e)
{
	if (bbt_sqlite_exec(st->db, "COMMIT", e) < 0) {
		mark(st);
		return -1;
	}
	platform_lock_drop(st->lock);
	return 0;
}

/* Roll back after a failure; the first error stays the one reported. */
static void rollback(struct store *st)
{
	mark(st);
	if (st->db != NULL && !sqlite3_get_autocommit(st->db))
		bbt_sqlite_exec(st->db, "ROLLBACK", NULL);
	platform_lock_drop(st->lock);
}

static int healed(struct store *st);

/*
 * fn's statements in one write transaction; if it failed because the
 * buffer is damaged, the buffer is replaced (rows carried over) and fn
 * runs once more, on the new one. Every write of the store goes through
 * here (or begin/commit), so every write holds the heal lock.
 */
static int write_tx(struct store *st, store_tx_fn fn, void *arg, struct bbt_error *e)
{
	enter(st);
	for (int round = 0; round < 2; round++) {
		if (begin(st, e) == 0 && fn(st, arg, e) == 0 && commit(st, e) == 0)
			return leave(st, 0);
		rollback(st);
		if (round > 0 || !healed(st))
			break;
	}
	return leave(st, -1);
}

static int prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
    struct bbt_error *e)
{
	*stmt = NULL;
	if (refresh(st, e) < 0)
		return -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
		return st_error(st, e, "prepare");
	return 0;
}

/*
 * The end of a loop over rows: finalize; then the callback's stop value
 * (ret, non-zero) if it stopped, else the step's error unless it ran out.
 */
static int rows_done(struct store *st, sqlite3_stmt *stmt, int rc, int ret,
    const char *what, struct bbt_error *e)
{
	sqlite3_finalize(stmt);
	if (ret != 0)
		return ret;
	if (rc != SQLITE_DONE)
		return st_error(st, e, what);
	return 0;
}

/* Step a statement that returns no rows, then finalize it. */
static int step_done(struct store *st, sqlite3_stmt *stmt, const char *what,
    struct bbt_error *e)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_DONE)
		st_error(st, e, what);
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void bind_session(sqlite3_stmt *stmt, const struct bbt_session *s)
{
	bbt_sqlite_bind_text(stmt, 1, s->id);
	sqlite3_bind_int64(stmt, 2, s->start);
	sqlite3_bind_int64(stmt, 3, s->end);
	sqlite3_bind_int(stmt, 4, s->utc_offset);
	sqlite3_bind_int64(stmt, 5, s->end - s->start);
	sqlite3_bind_int(stmt, 6, s->touches);
	sqlite3_bind_int(stmt, 7, s->active_minutes);
	bbt_sqlite_bind_text(stmt, 8, s->teacher);
	bbt_sqlite_bind_text(stmt, 9, s->input.name);
	bbt_sqlite_bind_text(stmt, 10, s->input.vid);
	bbt_sqlite_bind_text(stmt, 11, s->input.pid);
	sqlite3_bind_int64(stmt, 12, (sqlite3_int64)s->flags);
	bbt_sqlite_bind_text(stmt, 13, s->boot_id);
	sqlite3_bind_int64(stmt, 14, s->boot_start_us);
	sqlite3_bind_int64(stmt, 15, s->boot_end_us);
}

/* Read SESSION_COLS starting at column 0. */
static void read_session(sqlite3_stmt *stmt, struct bbt_session *s)
{
	memset(s, 0, sizeof(*s));
	bbt_sqlite_col_text(stmt, 0, s->id, sizeof(s->id));
	s->start = sqlite3_column_int64(stmt, 1);
	s->end = sqlite3_column_int64(stmt, 2);
	s->utc_offset = sqlite3_column_int(stmt, 3);
	s->duration_s = sqlite3_column_int64(stmt, 4);
	s->touches = sqlite3_column_int(stmt, 5);
	s->active_minutes = sqlite3_column_int(stmt, 6);
	bbt_sqlite_col_text(stmt, 7, s->teacher, sizeof(s->teacher));
	bbt_sqlite_col_text(stmt, 8, s->input.name, sizeof(s->input.name));
	bbt_sqlite_col_text(stmt, 9, s->input.vid, sizeof(s->input.vid));
	bbt_sqlite_col_text(stmt, 10, s->input.pid, sizeof(s->input.pid));
	s->flags = (unsigned)sqlite3_column_int64(stmt, 11);
	bbt_sqlite_col_text(stmt, 12, s->boot_id, sizeof(s->boot_id));
	s->boot_start_us = sqlite3_column_int64(stmt, 13);
	s->boot_end_us = sqlite3_column_int64(stmt, 14);
}

/* ---- opening ---- */

/* mkdir -p with mode 0700 for what we create; an existing dir is left as is. */
static int make_dir(const char *dir, struct bbt_error *e)
{
	char buf[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf))
		return bbt_error_set(e, "bad state directory '%s'", dir);
	memcpy(buf, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return bbt_error_set(e, "cannot create %s: %s", buf,
			    strerror(errno));
		buf[i] = dir[i];
	}
	return 0;
}

static int is_corrupt_code(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT;
}

/*
 * quick_check: 1 if the file is damaged, 0 if fine, -1 on another error
 * (busy, I/O), which must not make us throw the buffer away.
 */
static int check_damaged(sqlite3 *db, struct bbt_error *e)
{
	sqlite3_stmt *stmt = NULL;
	int rc, damaged = 0;

	rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(stmt, 0);

		damaged = t == NULL || strcmp((const char *)t, "ok") != 0;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK && is_corrupt_code(rc))
		damaged = 1;
	else if (rc != SQLITE_OK)
		damaged = db_error(e, db, "quick_check");
	sqlite3_finalize(stmt);
	return damaged;
}

/* Rename path (and -wal, -shm) to path.corrupt-<UTC stamp>[.N]. */
static int move_aside(const char *path, char *aside, size_t len,
    struct bbt_error *e)
{
	static const char *const sfx[] = { "-wal", "-shm" };
	char stamp[32], from[PATH_MAX + 8], to[PATH_MAX + 48];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (int n = 0; n < 1000; n++) {
		if (n == 0)
			snprintf(aside, len, "%s.corrupt-%s", path, stamp);
		else
			snprintf(aside, len, "%s.corrupt-%s.%d", path, stamp, n);
		if (access(aside, F_OK) < 0)
			break;
	}
	if (rename(path, aside) < 0)
		return bbt_error_set(e, "cannot move %s aside: %s", path,
		    strerror(errno));
	for (size_t i = 0; i < 2; i++) {
		snprintf(from, sizeof(from), "%s%s", path, sfx[i]);
		snprintf(to, sizeof(to), "%s%s", aside, sfx[i]);
		if (rename(from, to) < 0 && errno != ENOENT)
			log_warn_errno("cannot move %s aside", from);
	}
	return 0;
}

/* Bring the schema to STORE_SCHEMA_VERSION (common/bbt_sqlite.h). */
static int migrate(struct store *st, struct bbt_error *e)
{
	if (bbt_sqlite_migrate(st->db, migrations, STORE_SCHEMA_VERSION, e) < 0)
		return bbt_error_prefix(e, "%s", st->path);
	return 0;
}

/*
 * Acknowledged sessions older than STORE_KEEP_ACKED_S go. "Older" is
 * measured back from the newest acknowledgement, or from now if that is
 * earlier, never from now alone: a wall clock stepped ahead (a dead CMOS
 * battery, a wrong NTP answer) would otherwise empty `sessions` at the
 * next open, and one stepped back cannot make an ack look old either.
 */
static int prune_tx(struct store *st, void *arg, struct bbt_error *e)
{
	sqlite3_stmt *stmt = NULL;

	if (prepare(st, "DELETE FROM sessions WHERE acked_at IS NOT NULL"
	    " AND acked_at < min(?1, (SELECT max(acked_at) FROM sessions)) - ?2"
	    " AND id NOT IN (SELECT id FROM quarantine)", &stmt, e) < 0)
		return -1;
	sqlite3_bind_int64(stmt, 1, now_s());
	sqlite3_bind_int64(stmt, 2, STORE_KEEP_ACKED_S);
	return step_done(st, stmt, "prune", e);
}

static int prune(struct store *st, struct bbt_error *e)
{
	return write_tx(st, prune_tx, NULL, e);
}

/*
 * 1 if the file exists, is not empty and lacks SQLite's magic. Checked
 * before SQLite opens it because SQLite deletes a -wal file it finds next
 * to a database not in WAL mode, and the -wal is evidence worth keeping.
 */
static int bad_header(const char *path)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	return n > 0 && (n < sizeof(head) || memcmp(head, magic, sizeof(magic)) != 0);
}

/* Open path and check it; *damaged = 1 if it is not a usable database. */
static int open_db(struct store *st, int *damaged, struct bbt_error *e)
{
	struct stat sb;
	int rc;

	*damaged = !others_open(st) && bad_header(st->path);
	if (*damaged)
		return bbt_error_set(e, "%s: not an SQLite database", st->path);
	/* 0600 before SQLite creates its -wal and -shm with the file's mode. */
	if (bbt_sqlite_open_private(st->path, 1, &st->db, e) < 0) {
		*damaged = st->db != NULL &&
		    is_corrupt_code(sqlite3_extended_errcode(st->db));
		return -1;
	}
	if (stat(st->path, &sb) == 0) {
		st->dev = sb.st_dev;
		st->ino = sb.st_ino;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	rc = check_damaged(st->db, e);
	if (rc > 0)
		*damaged = 1;
	if (rc > 0)
		return bbt_error_set(e, "%s: not a valid database", st->path);
	if (rc < 0)
		return bbt_error_prefix(e, "%s", st->path);
	if (bbt_sqlite_wal_full(st->db, e) < 0 ||
	    bbt_sqlite_exec(st->db, "PRAGMA foreign_keys = ON", e) < 0 ||
	    migrate(st, e) < 0) {
		*damaged = is_corrupt_code(sqlite3_extended_errcode(st->db));
		return -1;
	}
	return 0;
}

/* Close; with as_is, no checkpoint of the -wal into the file (damaged). */
static void close_conn(struct store *st, int as_is)
{
	if (st->db != NULL && as_is)
		sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	/* Between calls no statement is left open, so this closes the file. */
	if (sqlite3_close(st->db) != SQLITE_OK)
		log_err("closing %s: %s", st->path, sqlite3_errmsg(st->db));
	st->db = NULL;
}

/* Close; a damaged file is left as it is. */
static void close_db(struct store *st)
{
	close_conn(st, st->damaged);
}

/*
 * Before st's heal replaces its file (heal_mu and the heal lock held, so
 * none of them is in a write transaction or can reopen until the heal is
 * over): close every other connection of the process on that path, each
 * under its own mutex, without checkpointing the damaged file. They reopen
 * on the new file at their next use. Stores are matched by path, as the
 * agent's threads all open the configured state dir.
 */
static void close_others(struct store *st)
{
	for (struct store *o = stores; o != NULL; o = o->next) {
		if (o == st || strcmp(o->path, st->path) != 0)
			continue;
		pthread_mutex_lock(&o->mu);
		close_conn(o, 1);
		pthread_mutex_unlock(&o->mu);
	}
}

/* Open and check st->path (under heal_mu); private: common/bbt_sqlite.h. */
static int open_private(struct store *st, int *damaged, struct bbt_error *e)
{
	int rc;

	st->opening = 1;
	rc = open_db(st, damaged, e);
	st->opening = 0;
	return rc;
}

/* ---- salvage: what a damaged buffer still holds goes into the new one ---- */

/* Every table and every column, so nothing readable is left behind. */
static const struct salvage_table {
	const char *name, *cols;
	int ncols;
} salvage_tables[] = {
	{ "sessions", SESSION_COLS ", logged_at, acked_at", SESSION_NCOLS + 2 },
	{ "quarantine", "id, error, first_rejected_at, rejected_at, rejections", 5 },
	{ "meta", "key, value", 2 },
	{ "checkpoint", "one, " SESSION_COLS ", saved_at", SESSION_NCOLS + 2 },
};
#define SALVAGE_NTABLES (sizeof(salvage_tables) / sizeof(salvage_tables[0]))
/* Rowids tried one by one past an unreadable page before striding. */
#define SALVAGE_STEP_TRIES 4096

static int salvage_prepare(const struct salvage_table *t, sqlite3 *from,
    sqlite3 *to, sqlite3_stmt **q, sqlite3_stmt **w)
{
	char sql[768], params[128] = "?1";
	size_t used = 2;

	for (int i = 2; i <= t->ncols; i++)
		used += (size_t)snprintf(params + used, sizeof(params) - used, ", ?%d", i);
	/* NOT INDEXED: walk the table's own b-tree, a damaged index is no loss. */
	snprintf(sql, sizeof(sql), "SELECT rowid, %s FROM %s NOT INDEXED WHERE rowid > ?1"
	    " ORDER BY rowid", t->cols, t->name);
	if (sqlite3_prepare_v2(from, sql, -1, q, NULL) != SQLITE_OK)
		return -1;
	snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO %s (%s) VALUES (%s)", t->name,
	    t->cols, params);
	if (sqlite3_prepare_v2(to, sql, -1, w, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

/* Copy rows with rowid > *last until the end (0) or an unreadable page (-1). */
static int salvage_run(sqlite3_stmt *q, sqlite3_stmt *w, int ncols, sqlite3 *to,
    int64_t *last, int64_t *copied)
{
	int rc;

	sqlite3_bind_int64(q, 1, *last);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		*last = sqlite3_column_int64(q, 0);
		for (int i = 0; i < ncols; i++)
			sqlite3_bind_value(w, i + 1, sqlite3_column_value(q, i + 1));
		if (sqlite3_step(w) == SQLITE_DONE && sqlite3_changes(to) > 0)
			(*copied)++;
		sqlite3_reset(w);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * One table: a scan in rowid order that, at an unreadable page, seeks past
 * it and goes on (one rowid at a time, then in growing strides, so a
 * damaged leaf costs only its own rows and a damaged interior page ends).
 */
static int64_t salvage_table(sqlite3 *from, sqlite3 *to,
    const struct salvage_table *t)
{
	sqlite3_stmt *q = NULL, *w = NULL;
	int64_t last = 0, copied = 0, stride = 1;
	int tries = 0;

	if (salvage_prepare(t, from, to, &q, &w) < 0)
		goto out;	/* no such table (an older schema) or no schema left */
	while (salvage_run(q, w, t->ncols, to, &last, &copied) < 0) {
		if (++tries > SALVAGE_STEP_TRIES)
			stride *= 2;
		if (stride > INT64_MAX / 4 || last > INT64_MAX - stride)
			break;
		last += stride;
	}
out:
	sqlite3_finalize(q);
	sqlite3_finalize(w);
	return copied;
}

/*
 * Carry every row SQLite can still read in the damaged file `aside` into
 * st (new and empty), in one transaction; one log line says what came.
 * The damaged file is opened so that closing it changes nothing in it: no
 * checkpoint of its -wal into it, no writes. Runs under the heal lock held
 * exclusive (heal), so its transaction is not begin()'s, which would take
 * it shared on the same handle.
 */
static void salvage(struct store *st, const char *aside)
{
	int64_t n[SALVAGE_NTABLES] = { 0 }, unsynced = 0;
	struct bbt_error e;
	sqlite3 *from = NULL;

	if (bad_header(aside))
		return;	/* not a database at all: SQLite cannot read a row of it */
	if (sqlite3_open_v2(aside, &from, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		goto out;
	sqlite3_db_config(from, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	bbt_sqlite_exec(from, "PRAGMA query_only = 1", NULL);
	if (bbt_sqlite_exec(st->db, "BEGIN IMMEDIATE", &e) < 0) {
		log_err("salvaging %s: %s", aside, e.msg);
		goto out;
	}
	for (size_t i = 0; i < SALVAGE_NTABLES; i++)
		n[i] = salvage_table(from, st->db, &salvage_tables[i]);
	if (bbt_sqlite_exec(st->db, "COMMIT", &e) < 0) {
		bbt_sqlite_exec(st->db, "ROLLBACK", NULL);
		log_err("salvaging %s: %s", aside, e.msg);
		goto out;
	}
	count_query(st, "SELECT count(*) FROM sessions WHERE acked_at IS NULL",
	    &unsynced, NULL);
	log_err("carried from %s into the new buffer: %" PRId64 " sessions (%" PRId64
	    " not yet synced), %" PRId64 " quarantined, %" PRId64 " settings"
	    " (enrollment), %" PRId64 " open-session checkpoint", aside, n[0], unsynced,
	    n[1], n[2], n[3]);
out:
	sqlite3_close(from);
}

/*
 * The damaged file at st->path (closed) goes aside, a new buffer takes its
 * place and receives every row the old one still gives (salvage).
 */
static int replace_damaged(struct store *st, const char *why, struct bbt_error *e)
{
	char aside[PATH_MAX + 48];
	int damaged;

	close_others(st);
	if (move_aside(st->path, aside, sizeof(aside), e) < 0)
		return bbt_error_prefix(e, "damaged buffer (%s)", why);
	log_err("damaged buffer %s moved to %s, starting a new one (%s)",
	    st->path, aside, why);
	st->damaged = 0;
	if (open_private(st, &damaged, e) < 0) {
		close_db(st);
		return -1;
	}
	salvage(st, aside);
	return 0;
}

/* Open st->path; a damaged file is replaced (with its rows carried over). */
static int open_or_replace(struct store *st, struct bbt_error *e)
{
	char why[BBT_ERROR_LEN];
	int damaged;

	if (open_private(st, &damaged, e) == 0)
		return 0;
	close_db(st);
	if (!damaged)
		return -1;
	snprintf(why, sizeof(why), "%s", bbt_error_msg(e));
	return replace_damaged(st, why, e);
}

static int same_file(const struct store *st)
{
	struct stat sb;

	return stat(st->path, &sb) == 0 && sb.st_dev == st->dev && sb.st_ino == st->ino;
}

/*
 * With the heal lock exclusive, so that no writer of any process is
 * between its same_file() and its commit (see the top of this file): open
 * st->path if st has no connection, replace the file if it is still the
 * damaged one st has open, follow it if another connection replaced it;
 * decided only now that the lock is held, as another process may have
 * healed the file while we waited.
 */
static int heal(struct store *st, struct bbt_error *e)
{
	int rc = 0;

	/* heal_mu first (the lock order at the top): st->mu goes meanwhile. */
	pthread_mutex_unlock(&st->mu);
	pthread_mutex_lock(&heal_mu);
	pthread_mutex_lock(&st->mu);
	if (platform_lock_take(st->lock, 1, e) < 0) {
		pthread_mutex_unlock(&heal_mu);
		return -1;
	}
	if (st->db != NULL && st->damaged && same_file(st)) {
		close_db(st);
		rc = replace_damaged(st, "SQLite reported damage while running", e);
	} else if (st->db == NULL || !same_file(st)) {
		close_db(st);
		st->damaged = 0;
		rc = open_or_replace(st, e);
	}
	platform_lock_drop(st->lock);
	pthread_mutex_unlock(&heal_mu);
	return rc;
}

/*
 * Before each use outside a transaction: a file SQLite found damaged is
 * replaced now (moved aside, rows carried over, CONTRACT 4.2), and a file that
 * another connection (this process's or another's) replaced is followed,
 * so every connection writes to the one live buffer. A failed reopen
 * leaves db NULL and is tried again at the next use.
 */
static int refresh(struct store *st, struct bbt_error *e)
{
	struct bbt_error err = { "" };

	if (st->opening || (st->db != NULL && !sqlite3_get_autocommit(st->db)))
		return 0;
	if (st->db != NULL && !st->damaged && same_file(st))
		return 0;
	if (heal(st, &err) < 0)
		return bbt_error_set(e, "reopening the buffer: %s", err.msg);
	return 0;
}

/*
 * The heal lock shared, st->mu let go while waiting for it: a heal of this
 * process holding it exclusive may need st->mu (close_others).
 */
static int take_shared(struct store *st, struct bbt_error *e)
{
	int rc;

	pthread_mutex_unlock(&st->mu);
	rc = platform_lock_take(st->lock, 0, e);
	pthread_mutex_lock(&st->mu);
	return rc;
}

/*
 * Refresh, then take the heal lock shared and check that the file at the
 * path is still the one open: if another process replaced it in between,
 * drop the lock and follow it. On 0 the lock is held until commit/rollback.
 */
static int write_lock(struct store *st, struct bbt_error *e)
{
	for (int i = 0; i < STORE_LOCK_TRIES; i++) {
		if (refresh(st, e) < 0)
			return -1;
		if (take_shared(st, e) < 0)
			return -1;
		/* Checked again: a heal may have closed db while we waited. */
		if (st->db != NULL && !st->damaged && same_file(st))
			return 0;
		platform_lock_drop(st->lock);
	}
	return bbt_error_set(e, "the buffer was replaced %d times while waiting to write",
	    STORE_LOCK_TRIES);
}

/* After a failed call: 1 if the buffer was damaged and is now replaced. */
static int healed(struct store *st)
{
	if (!st->damaged)
		return 0;
	return refresh(st, NULL) == 0 && st->db != NULL;
}

/* store_open's work, with an error buffer that is never NULL (for the log). */
static int open_store(struct store *st, const char *state_dir,
    struct bbt_error *e)
{
	char lock[PATH_MAX + sizeof(STORE_LOCK_SUFFIX)];

	if (make_dir(state_dir, e) < 0)
		return -1;
	if ((size_t)snprintf(st->path, sizeof(st->path), "%s/%s", state_dir,
	    STORE_DB_NAME) >= sizeof(st->path))
		return bbt_error_set(e, "state directory path too long");
	snprintf(lock, sizeof(lock), "%s" STORE_LOCK_SUFFIX, st->path);
	/* Its owner: the buffer's if it exists, else the state dir's. */
	if (platform_lock_open(lock, access(st->path, F_OK) == 0 ? st->path : state_dir,
	    &st->lock, e) < 0)
		return -1;
	/* Listed from its first heal on: a heal of another store may then
	 * have to close this one's connection too. */
	stores_add(st);
	enter(st);
	/* A file damaged at start is healed as one found while running is. */
	if (leave(st, heal(st, e)) < 0)
		return -1;
	return prune(st, e);
}

/* Out of the list first: then no heal of another store can reach it. */
static void free_store(struct store *st)
{
	stores_remove(st);
	close_db(st);
	platform_lock_close(st->lock);
	pthread_mutex_destroy(&st->mu);
	free(st);
}

int store_open(struct store **out, const char *state_dir, struct bbt_error *e)
{
	struct bbt_error err = { "" };
	struct store *st;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return bbt_error_set(e, "out of memory");
	pthread_mutex_init(&st->mu, NULL);
	if (open_store(st, state_dir, &err) < 0) {
		free_store(st);
		return bbt_error_set(e, "%s", err.msg);
	}
	*out = st;
	return 0;
}

int store_open_existing(struct store **out, const char *state_dir,
    struct bbt_error *e)
{
	char path[PATH_MAX];

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir, STORE_DB_NAME)
	    >= sizeof(path))
		return bbt_error_set(e, "state directory path too long");
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	return store_open(out, state_dir, e);
}

void store_close(struct store *st)
{
	if (st != NULL)
		free_store(st);
}

struct sqlite3 *store_sqlite(struct store *st)
{
	return st->db;
}

void store_with_sqlite(struct store *st, void (*fn)(struct sqlite3 *db))
{
	enter(st);
	if (st->db != NULL)
		fn(st->db);
	leave(st, 0);
}

const char *store_path(const struct store *st)
{
	return st->path;
}

/* ---- sessions ---- */

static int insert_session(struct store *st, const struct bbt_session *s,
    int ignore_dup, struct bbt_error *e)
{
	sqlite3_stmt *stmt = NULL;

	if (prepare(st, ignore_dup ?
	    "INSERT OR IGNORE INTO sessions (" SESSION_COLS ", logged_at) VALUES ("
	    SESSION_PARAMS ", ?16)" :
	    "INSERT INTO sessions (" SESSION_COLS ", logged_at) VALUES ("
	    SESSION_PARAMS ", ?16)", &stmt, e) < 0)
		return -1;
	bind_session(stmt, s);
	sqlite3_bind_int64(stmt, SESSION_NCOLS + 1, now_s());
	return step_done(st, stmt, "log session", e);
}

static int delete_checkpoint(struct store *st, const char *id,
    struct bbt_error *e)
{
	sqlite3_stmt *stmt = NULL;

	if (prepare(st, id != NULL ? "DELETE FROM checkpoint WHERE id = ?1" :
	    "DELETE FROM checkpoint", &stmt, e) < 0)
		return -1;
	if (id != NULL)
		bbt_sqlite_bind_text(stmt, 1, id);
	return step_done(st, stmt, "clear checkpoint", e);
}

static int session_add_tx(struct store *st, void *arg, struct bbt_error *e)
{
	const struct bbt_session *s = arg;

	if (insert_session(st, s, 0, e) < 0 ||
	    delete_checkpoint(st, s->id, e) < 0)
		return -1;
	return 0;
}

int store_session_add(struct store *st, const struct bbt_session *s,
    struct bbt_error *e)
{
	return write_tx(st, session_add_tx, (void *)s, e);
}

static int update_times_tx(struct store *st, void *arg, struct bbt_error *e)
{
	const struct bbt_session *s = arg;
	sqlite3_stmt *stmt = NULL;

	if (prepare(st, "UPDATE sessions SET start_s = ?2, end_s = ?3,"
	    " utc_offset = ?4, duration_s = ?5, flags = ?6 WHERE id = ?1",
	    &stmt, e) < 0)
		return -1;
	bbt_sqlite_bind_text(stmt, 1, s->id);
	sqlite3_bind_int64(stmt, 2, s->start);
	sqlite3_bind_int64(stmt, 3, s->end);
	sqlite3_bind_int(stmt, 4, s->utc_offset);
	sqlite3_bind_int64(stmt, 5, s->end - s->start);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)s->flags);
	if (step_done(st, stmt, "update session", e) < 0)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return bbt_error_set(e, "update session: no session %s", s->id);
	return 0;
}

int store_session_update_times(struct store *st, const struct bbt_session *s,
    struct bbt_error *e)
{
	return write_tx(st, update_times_tx, (void *)s, e);
}

struct batch {
	const char *sql;
	size_t n;
	bbt_sqlite_bind_fn bind;
	const void *arg;
};

static int batch_run(struct store *st, void *arg, struct bbt_error *e)
{
	const struct batch *b = arg;

	if (bbt_sqlite_batch(st->db, b->sql, b->n, b->bind, b->arg, e) < 0) {
		mark(st);
		return -1;
	}
	return 0;
}

/* One statement over n rows in one transaction (one fsync). */
static int batch_tx(struct store *st, const char *sql, size_t n,
    bbt_sqlite_bind_fn bind, const void *arg, const char *what,
    struct bbt_error *e)
{
	struct batch b = { sql, n, bind, arg };

	if (n == 0)
		return 0;
	if (write_tx(st, batch_run, &b, e) < 0)
		return bbt_error_prefix(e, "%s", what);
	return 0;
}

static void bind_times(sqlite3_stmt *stmt, size_t i, const void *arg)
{
	const struct bbt_session *s = (const struct bbt_session *)arg + i;

	bbt_sqlite_bind_text(stmt, 1, s->id);
	sqlite3_bind_int64(stmt, 2, s->start);
	sqlite3_bind_int64(stmt, 3, s->end);
	sqlite3_bind_int(stmt, 4, s->utc_offset);
	sqlite3_bind_int64(stmt, 5, s->end - s->start);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)s->flags);
}

/*
 * One transaction for the batch, and a row is written only if a value
 * differs: a pass that corrects nothing writes no page and syncs nothing,
 * one that corrects 200 sessions syncs once (was once per session).
 */
int store_sessions_update_times(struct store *st, const struct bbt_session *s,
    size_t n, struct bbt_error *e)
{
	return batch_tx(st, "UPDATE sessions SET start_s = ?2, end_s = ?3,"
	    " utc_offset = ?4, duration_s = ?5, flags = ?6 WHERE id = ?1 AND"
	    " (start_s <> ?2 OR end_s <> ?3 OR utc_offset <> ?4 OR duration_s <> ?5"
	    " OR flags <> ?6)", n, bind_times, s, "update sessions", e);
}

/* ---- checkpoint ---- */

static int checkpoint_save_tx(struct store *st, void *arg, struct bbt_error *e)
{
	const struct bbt_session *open = arg;
	sqlite3_stmt *stmt = NULL;

	if (prepare(st, "INSERT OR REPLACE INTO checkpoint (one, " SESSION_COLS
	    ", saved_at) VALUES (1, " SESSION_PARAMS ", ?16)", &stmt, e) < 0)
		return -1;
	bind_session(stmt, open);
	sqlite3_bind_int64(stmt, SESSION_NCOLS + 1, now_s());
	return step_done(st, stmt, "save checkpoint", e);
}

int store_checkpoint_save(struct store *st, const struct bbt_session *open,
    struct bbt_error *e)
{
	return write_tx(st, checkpoint_save_tx, (void *)open, e);
}

static int checkpoint_clear_tx(struct store *st, void *arg, struct bbt_error *e)
{
	return delete_checkpoint(st, NULL, e);
}

int store_checkpoint_clear(struct store *st, struct bbt_error *e)
{
	return write_tx(st, checkpoint_clear_tx, NULL, e);
}

static int checkpoint_load(struct store *st, struct bbt_session *out,
    struct bbt_error *e)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (prepare(st, "SELECT " SESSION_COLS " FROM checkpoint WHERE one = 1",
	    &stmt, e) < 0)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		read_session(stmt, out);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return st_error(st, e, "load checkpoint");
	return 0;
}

int store_checkpoint_load(struct store *st, struct bbt_session *out,
    struct bbt_error *e)
{
	enter(st);
	return leave(st, checkpoint_load(st, out, e));
}

static int recover(struct store *st, int min_session, struct bbt_session *out,
    struct bbt_error *e)
{
	struct bbt_session s;
	int have, logged = 0;

	if (begin(st, e) < 0)
		return -1;
	have = checkpoint_load(st, &s, e);
	if (have < 0)
		goto fail;
	if (have) {
		/* The checkpoint's end is its last activity: the session ends there. */
		s.flags |= BBT_FLAG_RECOVERED;
		s.duration_s = s.end - s.start;
		logged = s.duration_s >= min_session;
		if (logged && insert_session(st, &s, 1, e) < 0)
			goto fail;
		/* Already logged under this id (cannot happen by store.h): once only. */
		if (logged && sqlite3_changes(st->db) == 0)
			logged = 0;
		if (delete_checkpoint(st, NULL, e) < 0)
			goto fail;
	}
	if (commit(st, e) < 0)
		goto fail;
	if (logged && out != NULL)
		*out = s;
	return logged;
fail:
	rollback(st);
	return -1;
}

int store_recover(struct store *st, int min_session, struct bbt_session *out,
    struct bbt_error *e)
{
	enter(st);
	return leave(st, recover(st, min_session, out, e));
}

/* ---- outbox ---- */

static int count_query(struct store *st, const char *sql, int64_t *count,
    struct bbt_error *e)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (prepare(st, sql, &stmt, e) < 0)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW)
		return st_error(st, e, "count");
	return 0;
}

int store_outbox_count(struct store *st, int64_t *count, struct bbt_error *e)
{
	enter(st);
	return leave(st, count_query(st, "SELECT count(*) FROM sessions WHERE"
	    " acked_at IS NULL", count, e));
}

int store_session_count(struct store *st, int64_t *count, struct bbt_error *e)
{
	enter(st);
	return leave(st, count_query(st, "SELECT count(*) FROM sessions", count, e));
}

int store_outbox_list(struct store *st, struct bbt_session *out, size_t max,
    size_t *n, struct bbt_error *e)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	*n = 0;
	enter(st);
	if (prepare(st, "SELECT " SESSION_COLS " FROM sessions WHERE acked_at IS NULL"
	    " ORDER BY logged_at, rowid LIMIT ?1", &stmt, e) < 0)
		return leave(st, -1);
	sqlite3_bind_int64(stmt, 1, max > INT64_MAX ? INT64_MAX : (int64_t)max);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		read_session(stmt, &out[(*n)++]);
	return leave(st, rows_done(st, stmt, rc, 0, "list outbox", e));
}

struct ack_rows {
	const char *const *ids;
	int64_t now;
};

static void bind_ack(sqlite3_stmt *stmt, size_t i, const void *arg)
{
	const struct ack_rows *a = arg;

	bbt_sqlite_bind_text(stmt, 1, a->ids[i]);
	sqlite3_bind_int64(stmt, 2, a->now);
}

int store_outbox_ack(struct store *st, const char *const *ids, size_t n,
    struct bbt_error *e)
{
	const struct ack_rows a = { ids, now_s() };

	return batch_tx(st, "UPDATE sessions SET acked_at = ?2 WHERE id = ?1"
	    " AND acked_at IS NULL", n, bind_ack, &a, "ack", e);
}

int store_sessions_each(struct store *st, int64_t since, store_session_fn fn,
    void *arg, struct bbt_error *e)
{
	sqlite3_stmt *stmt = NULL;
	struct bbt_session s;
	int rc, ret = 0;

	enter(st);
	if (prepare(st, "SELECT " SESSION_COLS ", CASE WHEN EXISTS (SELECT 1 FROM"
	    " quarantine q WHERE q.id = sessions.id) THEN 2 ELSE acked_at IS NOT NULL END"
	    " FROM sessions WHERE start_s >= ?1 ORDER BY start_s, rowid", &stmt, e) < 0)
		return leave(st, -1);
	sqlite3_bind_int64(stmt, 1, since);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		read_session(stmt, &s);
		ret = fn(&s, sqlite3_column_int(stmt, SESSION_NCOLS), arg);
		if (ret != 0)
			break;
	}
	return leave(st, rows_done(st, stmt, rc, ret, "list sessions", e));
}

/* ---- quarantine ---- */

/* One outcome inside the settle transaction. */
static int settle_one(struct store *st, sqlite3_stmt *ack, sqlite3_stmt *put,
    sqlite3_stmt *release, const struct store_outcome *o, int64_t now,
    struct bbt_error *e)
{
	sqlite3_stmt *q = o->rejected ? put : release;

	bbt_sqlite_bind_text(ack, 1, o->id);
	sqlite3_bind_int64(ack, 2, now);
	if (sqlite3_step(ack) != SQLITE_DONE)
		return st_error(st, e, "ack");
	sqlite3_reset(ack);
	bbt_sqlite_bind_text(q, 1, o->id);
	if (o->rejected) {
		bbt_sqlite_bind_text(q, 2, o->error ? o->error : "");
		sqlite3_bind_int64(q, 3, now);
	}
	if (sqlite3_step(q) != SQLITE_DONE)
		return st_error(st, e, o->rejected ? "quarantine" : "release");
	sqlite3_reset(q);
	return 0;
}

struct outcomes {
	const struct store_outcome *o;
	size_t n;
};

static int outbox_settle_tx(struct store *st, void *arg, struct bbt_error *e)
{
	const struct outcomes *oc = arg;
	sqlite3_stmt *ack = NULL, *put = NULL, *release = NULL;
	int64_t now = now_s();
	int rc = -1;

	if (prepare(st, "UPDATE sessions SET acked_at = ?2 WHERE id = ?1"
	    " AND acked_at IS NULL", &ack, e) < 0 ||
	    prepare(st, "INSERT INTO quarantine (id, error, first_rejected_at,"
	    " rejected_at) SELECT ?1, ?2, ?3, ?3 WHERE EXISTS (SELECT 1 FROM sessions"
	    " WHERE id = ?1) ON CONFLICT(id) DO UPDATE SET error = excluded.error,"
	    " rejected_at = excluded.rejected_at, rejections = rejections + 1",
	    &put, e) < 0 ||
	    prepare(st, "DELETE FROM quarantine WHERE id = ?1", &release, e) < 0)
		goto out;
	for (size_t i = 0; i < oc->n; i++)
		if (settle_one(st, ack, put, release, &oc->o[i], now, e) < 0)
			goto out;
	rc = 0;
out:
	sqlite3_finalize(ack);
	sqlite3_finalize(put);
	sqlite3_finalize(release);
	return rc;
}

int store_outbox_settle(struct store *st, const struct store_outcome *o, size_t n,
    struct bbt_error *e)
{
	struct outcomes oc = { o, n };

	if (n == 0)
		return 0;
	return write_tx(st, outbox_settle_tx, &oc, e);
}

int store_quarantine_count(struct store *st, int64_t *count, struct bbt_error *e)
{
	enter(st);
	return leave(st, count_query(st, "SELECT count(*) FROM quarantine", count, e));
}

struct reoffer {
	int64_t before, *n;
};

static int reoffer_tx(struct store *st, void *arg, struct bbt_error *e)
{
	struct reoffer *r = arg;
	sqlite3_stmt *stmt = NULL;

	if (prepare(st, "UPDATE sessions SET acked_at = NULL WHERE acked_at IS NOT NULL"
	    " AND id IN (SELECT id FROM quarantine WHERE rejected_at < ?1"
	    " OR rejected_at > ?2)", &stmt, e) < 0)
		return -1;
	sqlite3_bind_int64(stmt, 1, r->before);
	/* A rejection "in the future" means the clock was stepped back: due. */
	sqlite3_bind_int64(stmt, 2, now_s() + 60);
	if (step_done(st, stmt, "re-offer quarantine", e) < 0)
		return -1;
	*r->n = sqlite3_changes(st->db);
	return 0;
}

int store_quarantine_reoffer(struct store *st, int64_t before, int64_t *n,
    struct bbt_error *e)
{
	struct reoffer r = { before, n };

	*n = 0;
	if (write_tx(st, reoffer_tx, &r, e) < 0) {
		*n = 0;
		return -1;
	}
	return 0;
}

int store_quarantine_each(struct store *st, store_rejected_fn fn, void *arg,
    struct bbt_error *e)
{
	sqlite3_stmt *stmt = NULL;
	struct store_rejection r;
	struct bbt_session s;
	int rc, ret = 0;

	enter(st);
	if (prepare(st, "SELECT " SESSION_COLS ", q.error, q.first_rejected_at,"
	    " q.rejected_at, q.rejections, sessions.acked_at IS NULL FROM quarantine q"
	    " JOIN sessions USING (id) ORDER BY start_s, sessions.rowid", &stmt, e) < 0)
		return leave(st, -1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		read_session(stmt, &s);
		bbt_sqlite_col_text(stmt, SESSION_NCOLS, r.error, sizeof(r.error));
		r.first_at = sqlite3_column_int64(stmt, SESSION_NCOLS + 1);
		r.last_at = sqlite3_column_int64(stmt, SESSION_NCOLS + 2);
		r.count = sqlite3_column_int64(stmt, SESSION_NCOLS + 3);
		r.reoffered = sqlite3_column_int(stmt, SESSION_NCOLS + 4);
		ret = fn(&s, &r, arg);
		if (ret != 0)
			break;
	}
	return leave(st, rows_done(st, stmt, rc, ret, "list quarantine", e));
}

/* ---- meta ---- */

int store_meta_get(struct store *st, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (len > 0)
		buf[0] = '\0';
	enter(st);
	if (prepare(st, "SELECT value FROM meta WHERE key = ?1", &stmt, NULL) < 0)
		return leave(st, -1);
	bbt_sqlite_bind_text(stmt, 1, key);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && len > 0)
		bbt_sqlite_col_text(stmt, 0, buf, len);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_ROW)
		return leave(st, 1);
	return leave(st, rc == SQLITE_DONE ? 0 : -1);
}

static int meta_set_once(struct store *st, const char *key, const char *value,
    struct bbt_error *e)
{
	sqlite3_stmt *stmt = NULL;

	if (prepare(st, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
	    &stmt, e) < 0)
		return -1;
	bbt_sqlite_bind_text(stmt, 1, key);
	bbt_sqlite_bind_text(stmt, 2, value);
	return step_done(st, stmt, "set meta", e);
}

struct meta_kvs {
	const struct store_meta_kv *kv;
	size_t n;
};

static int meta_set_tx(struct store *st, void *arg, struct bbt_error *e)
{
	const struct meta_kvs *m = arg;

	for (size_t i = 0; i < m->n; i++)
		if (meta_set_once(st, m->kv[i].key, m->kv[i].value, e) < 0)
			return -1;
	return 0;
}

int store_meta_set_all(struct store *st, const struct store_meta_kv *kv, size_t n,
    struct bbt_error *e)
{
	struct meta_kvs m = { kv, n };

	return write_tx(st, meta_set_tx, &m, e);
}

int store_meta_set(struct store *st, const char *key, const char *value,
    struct bbt_error *e)
{
	const struct store_meta_kv kv = { key, value };

	return store_meta_set_all(st, &kv, 1, e);
}

static int meta_delete_tx(struct store *st, void *arg, struct bbt_error *e)
{
	sqlite3_stmt *stmt = NULL;

	if (prepare(st, "DELETE FROM meta WHERE key = ?1", &stmt, e) < 0)
		return -1;
	bbt_sqlite_bind_text(stmt, 1, arg);
	return step_done(st, stmt, "delete meta", e);
}

int store_meta_delete(struct store *st, const char *key, struct bbt_error *e)
{
	return write_tx(st, meta_delete_tx, (void *)key, e);
}
