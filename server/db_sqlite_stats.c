/*
 * db_sqlite_stats: the statistics part of server/db.h on SQLite: a school's
 * classrooms, devices and qualifying sessions in a period, each one
 * indexed query (sessions by (school, start), devices by (school, room)).
 */
#include <string.h>

#include "db_sqlite_internal.h"

int db_schools_each(struct db *db, db_school_fn fn, void *arg, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "SELECT code, name, coalesce(district, '') "
	    "FROM schools ORDER BY coalesce(district, ''), code", e);
	struct db_school s;
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_sqlite_text(st, 0, s.code, sizeof(s.code));
		db_sqlite_text(st, 1, s.name, sizeof(s.name));
		db_sqlite_text(st, 2, s.district, sizeof(s.district));
		if (fn(arg, &s, e) < 0) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_sqlite_fail(db, e, "schools");
}

/* One row of integers from sql bound to (school, a, b, c). */
static int ints(struct db *db, const char *sql, const char *school, int64_t a, int64_t b,
    int64_t c, int64_t *out, int nout, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, sql, e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, school, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, a);
	sqlite3_bind_int64(st, 3, b);
	sqlite3_bind_int64(st, 4, c);
	rc = sqlite3_step(st);
	for (int i = 0; rc == SQLITE_ROW && i < nout; i++)
		out[i] = sqlite3_column_int64(st, i);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_sqlite_fail(db, e, "school counts");
}

int db_school_counts(struct db *db, const char *school, int64_t from, int64_t to,
    int64_t min_duration_s, struct db_school_counts *out, struct bbt_error *e)
{
	int64_t dev[2], ses[3];

	memset(out, 0, sizeof(*out));
	/* ints binds ?2..?4 for every statement: a bind past a statement's
	 * last parameter is SQLITE_RANGE and changes nothing. */
	if (ints(db, "SELECT count(*) FROM (SELECT room FROM timetable WHERE school = ?1 "
	    "UNION SELECT room FROM devices WHERE school = ?1)", school, 0, 0, 0,
	    &out->classrooms, 1, e) < 0 ||
	    ints(db, "SELECT count(*), coalesce(sum(last_seen >= ?2), 0) FROM devices "
	    "WHERE school = ?1", school, from, 0, 0, dev, 2, e) < 0 ||
	    ints(db, "SELECT count(*), count(DISTINCT room), coalesce(sum(duration_s), 0) "
	    "FROM sessions WHERE school = ?1 AND start >= ?2 AND start < ?3 "
	    "AND duration_s >= ?4", school, from, to, min_duration_s, ses, 3, e) < 0)
		return -1;
	out->enrolled = dev[0];
	out->seen = dev[1];
	out->qualifying = ses[0];
	out->active_classrooms = ses[1];
	out->qualifying_s = ses[2];
	return 0;
}
