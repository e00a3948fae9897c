/*
 * bbt_sqlite: private files, WAL + FULL, the user_version migration
 * runner and small column/bind helpers shared by both programs' storage
 * (bbt_sqlite.h has the contract).
 *
 * Why FULL with WAL: NORMAL skips the fsync at commit, so a power cut
 * could lose an acknowledged write (the agent's checkpoint of an open
 * lesson, the collector's stored session the agent then deleted).
 */
#include "bbt_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bbt_log.h"

static int fail(struct bbt_error *e, sqlite3 *db, const char *what)
{
	return bbt_error_set(e, "%s: %s", what, db ? sqlite3_errmsg(db) : "no database");
}

int bbt_sqlite_exec(sqlite3 *db, const char *sql, struct bbt_error *e)
{
	const char *tail = sql;

	while (tail != NULL && *tail != '\0') {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);

		if (rc != SQLITE_OK)
			return fail(e, db, "prepare");
		if (st == NULL)
			continue;	/* whitespace or comment */
		do
			rc = sqlite3_step(st);
		while (rc == SQLITE_ROW);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return fail(e, db, "exec");
	}
	return 0;
}

int bbt_sqlite_batch(sqlite3 *db, const char *sql, size_t n, bbt_sqlite_bind_fn bind,
    const void *arg, struct bbt_error *e)
{
	sqlite3_stmt *st = NULL;
	int ret = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(e, db, "prepare");
	for (size_t i = 0; i < n; i++) {
		bind(st, i, arg);
		if (sqlite3_step(st) != SQLITE_DONE) {
			ret = fail(e, db, "batch");
			break;
		}
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	sqlite3_finalize(st);
	return ret;
}

int bbt_sqlite_int(sqlite3 *db, const char *sql, int *out, struct bbt_error *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(e, db, sql);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return fail(e, db, sql);
	return 0;
}

/* Created exactly 0600 whatever the umask (0277 would make it unwritable). */
static int create_private(const char *path, struct bbt_error *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return bbt_error_set(e, "%s: %s", path, strerror(errno));
	if (fchmod(fd, 0600) != 0) {
		bbt_error_set(e, "%s: chmod 600: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* A file, -wal or -shm open to group or others: 0600 with a warning, or refused. */
static int make_private(const char *db, struct bbt_error *e)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char path[4096];
	struct stat st;

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s%s", db, suffix[i]) >= sizeof(path))
			return bbt_error_set(e, "database path too long");
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) == 0)
			continue;
		if (chmod(path, 0600) != 0)
			return bbt_error_set(e, "%s is mode %04o, open to group or others, and "
			    "cannot be made 0600 (%s): its owner must run chmod 600 %s", path,
			    (unsigned)(st.st_mode & 07777), strerror(errno), path);
		log_warn("%s was mode %04o, open to group or others: set to 0600", path,
		    (unsigned)(st.st_mode & 07777));
	}
	return 0;
}

int bbt_sqlite_open_private(const char *path, int create, sqlite3 **db,
    struct bbt_error *e)
{
	*db = NULL;
	if (create && access(path, F_OK) != 0 && create_private(path, e) < 0)
		return -1;
	if (make_private(path, e) < 0)
		return -1;
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK)
		return fail(e, *db, path);
	sqlite3_extended_result_codes(*db, 1);
	return 0;
}

int bbt_sqlite_wal_full(sqlite3 *db, struct bbt_error *e)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *mode;
	int ok, sync = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK)
		return fail(e, db, "journal_mode");
	ok = sqlite3_step(st) == SQLITE_ROW;
	mode = ok ? sqlite3_column_text(st, 0) : NULL;
	ok = mode && strcmp((const char *)mode, "wal") == 0;
	sqlite3_finalize(st);
	if (!ok)
		return bbt_error_set(e, "database: cannot switch to WAL journal mode: %s",
		    sqlite3_errmsg(db));
	if (bbt_sqlite_exec(db, "PRAGMA synchronous=FULL", e) < 0 ||
	    bbt_sqlite_int(db, "PRAGMA synchronous", &sync, e) < 0)
		return -1;
	if (sync != 2)
		return bbt_error_set(e, "database: synchronous is %d, not FULL (2)", sync);
	return 0;
}

/* One step: 1 migrated, 0 already current, -1 error (rolled back). */
static int migrate_one(sqlite3 *db, const char *const *migrations, int n,
    struct bbt_error *e)
{
	char sql[64];
	int v = 0;

	if (bbt_sqlite_exec(db, "BEGIN IMMEDIATE", e) < 0)
		return -1;
	if (bbt_sqlite_int(db, "PRAGMA user_version", &v, e) < 0)
		goto fail;
	if (v > n) {
		bbt_error_set(e, "schema version %d is newer than this program's %d "
		    "(downgrade?)", v, n);
		goto fail;
	}
	if (v == n)
		return bbt_sqlite_exec(db, "COMMIT", e);
	if (bbt_sqlite_exec(db, migrations[v], e) < 0) {
		bbt_error_prefix(e, "migration to schema v%d", v + 1);
		goto fail;
	}
	/* A pragma takes no bound parameter; v is our own integer. */
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
	if (bbt_sqlite_exec(db, sql, e) < 0 || bbt_sqlite_exec(db, "COMMIT", e) < 0)
		goto fail;
	log_debug("database schema migrated to v%d", v + 1);
	return 1;
fail:
	if (!sqlite3_get_autocommit(db))
		bbt_sqlite_exec(db, "ROLLBACK", NULL);
	return -1;
}

int bbt_sqlite_migrate(sqlite3 *db, const char *const *migrations, int n,
    struct bbt_error *e)
{
	int rc;

	while ((rc = migrate_one(db, migrations, n, e)) == 1)
		;
	return rc;
}

void bbt_sqlite_col_text(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	size_t n;

	/* As snprintf "%s" (cut at len - 1 bytes), without its cost. */
	if (len == 0)
		return;
	n = t ? strnlen(t, len - 1) : 0;
	if (n)
		memcpy(buf, t, n);
	buf[n] = '\0';
}

int bbt_sqlite_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}
