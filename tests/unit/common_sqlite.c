/*
 * Unit tests of common/bbt_sqlite.c, the SQLite layer both programs use:
 * files born 0600 whatever the umask (and their -wal/-shm), a looser file
 * tightened, WAL and synchronous=FULL read back, the user_version
 * migration runner (in order, idempotent, a newer file refused untouched).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bbt_sqlite.h"

static const char *const migrations[] = {
	"CREATE TABLE a (x INTEGER);",
	"CREATE TABLE b (y TEXT); INSERT INTO a VALUES (1);",
};

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/bbt-sqlite-test.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static mode_t mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_mode & 0777;
}

static void test_private_wal_full(void **state)
{
	char p[128], w[140];
	struct bbt_error e = { "" };
	sqlite3 *db;
	mode_t old = umask(0);
	int v = -1;

	snprintf(p, sizeof(p), "%s/x.db", dir);
	assert_int_equal(bbt_sqlite_open_private(p, 1, &db, &e), 0);
	umask(old);
	assert_int_equal(bbt_sqlite_wal_full(db, &e), 0);
	assert_int_equal(bbt_sqlite_int(db, "PRAGMA synchronous", &v, &e), 0);
	assert_int_equal(v, 2);
	assert_int_equal(bbt_sqlite_migrate(db, migrations, 2, &e), 0);
	assert_int_equal(mode_of(p), 0600);
	snprintf(w, sizeof(w), "%s-wal", p);
	assert_int_equal(mode_of(w), 0600);
	sqlite3_close(db);
	/* Made looser by hand: tightened at the next open. */
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(bbt_sqlite_open_private(p, 0, &db, &e), 0);
	assert_int_equal(mode_of(p), 0600);
	sqlite3_close(db);
	/* Not created when create is 0. */
	snprintf(p, sizeof(p), "%s/none.db", dir);
	assert_int_equal(bbt_sqlite_open_private(p, 0, &db, &e), -1);
	sqlite3_close(db);
	assert_int_equal(access(p, F_OK), -1);
}

static void test_migrate(void **state)
{
	char p[128];
	struct bbt_error e = { "" };
	sqlite3 *db;
	int v = -1;

	snprintf(p, sizeof(p), "%s/m.db", dir);
	assert_int_equal(bbt_sqlite_open_private(p, 1, &db, &e), 0);
	assert_int_equal(bbt_sqlite_migrate(db, migrations, 1, &e), 0);
	assert_int_equal(bbt_sqlite_int(db, "PRAGMA user_version", &v, &e), 0);
	assert_int_equal(v, 1);
	/* v1 -> v2 only: the rows of v2's script appear once. */
	assert_int_equal(bbt_sqlite_migrate(db, migrations, 2, &e), 0);
	assert_int_equal(bbt_sqlite_migrate(db, migrations, 2, &e), 0);
	assert_int_equal(bbt_sqlite_int(db, "SELECT count(*) FROM a", &v, &e), 0);
	assert_int_equal(v, 1);
	assert_int_equal(bbt_sqlite_int(db, "PRAGMA user_version", &v, &e), 0);
	assert_int_equal(v, 2);
	/* A program that knows only v1 refuses the file and leaves it. */
	assert_int_equal(bbt_sqlite_migrate(db, migrations, 1, &e), -1);
	assert_non_null(strstr(e.msg, "newer"));
	assert_int_equal(bbt_sqlite_int(db, "PRAGMA user_version", &v, &e), 0);
	assert_int_equal(v, 2);
	/* A failing migration rolls back with the version. */
	{
		const char *const bad[] = { migrations[0], migrations[1],
		    "CREATE TABLE c (z); SELECT nosuchfn();" };

		assert_int_equal(bbt_sqlite_migrate(db, bad, 3, &e), -1);
		assert_non_null(strstr(e.msg, "v3"));
		assert_int_equal(bbt_sqlite_int(db, "PRAGMA user_version", &v, &e), 0);
		assert_int_equal(v, 2);
		assert_int_equal(bbt_sqlite_int(db, "SELECT count(*) FROM sqlite_master"
		    " WHERE name = 'c'", &v, &e), 0);
		assert_int_equal(v, 0);
	}
	sqlite3_close(db);
}

static void bind_row(sqlite3_stmt *st, size_t i, const void *arg)
{
	sqlite3_bind_int(st, 1, ((const int *)arg)[i]);
}

/* One statement over n rows; a failing row stops the batch with the error. */
static void test_batch(void **state)
{
	char path[128];
	sqlite3 *db = NULL;
	struct bbt_error e;
	const int rows[] = { 1, 2, 3, 2, 5 };
	int n = 0;

	snprintf(path, sizeof(path), "%s/b.db", dir);
	assert_int_equal(bbt_sqlite_open_private(path, 1, &db, &e), 0);
	assert_int_equal(bbt_sqlite_exec(db, "CREATE TABLE t (x INTEGER UNIQUE)", &e), 0);
	assert_int_equal(bbt_sqlite_batch(db, "INSERT INTO t VALUES (?1)", 3, bind_row,
	    rows, &e), 0);
	assert_int_equal(bbt_sqlite_int(db, "SELECT count(*) FROM t", &n, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(bbt_sqlite_batch(db, "INSERT INTO t VALUES (?1)", 2, bind_row,
	    rows + 3, &e), -1);
	assert_non_null(strstr(e.msg, "UNIQUE"));
	assert_int_equal(bbt_sqlite_int(db, "SELECT count(*) FROM t", &n, &e), 0);
	assert_int_equal(n, 3);	/* stopped at the failing row: 5 not written */
	assert_int_equal(bbt_sqlite_batch(db, "INSERT INTO nope VALUES (?1)", 1, bind_row,
	    rows, &e), -1);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_private_wal_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
