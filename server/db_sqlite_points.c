/*
 * db_sqlite_points: the SQLite side of the timetable and points functions of
 * db_points.h: the timetable's halves of db_timetable_replace (db_points.c
 * runs them in one transaction), its load, and the sessions the points
 * report reads, either as an array or stepped one row at a time. Report
 * reads use the sessions-by-start and sessions-by-school-start indexes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_sqlite_internal.h"
#include "points.h"
#include "timetable.h"
#include "bbt_array.h"

int db_sqlite_timetable_clear(struct db *db, const char *school, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "DELETE FROM timetable WHERE school = ?1", e);

	if (st == NULL)
		return -1;
	db_sqlite_bind_text(st, 1, school);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_sqlite_fail(db, e, "delete timetable");
	sqlite3_reset(st);
	return 0;
}

static int slot_insert(struct db *db, const struct timetable_slot *t, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "INSERT INTO timetable (school, room, weekday, "
	    "start_min, end_min, teacher_id, teacher_name, subject) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", e);

	if (st == NULL)
		return -1;
	db_sqlite_bind_text(st, 1, t->school);
	db_sqlite_bind_text(st, 2, t->room);
	sqlite3_bind_int(st, 3, t->weekday);
	sqlite3_bind_int(st, 4, t->start_min);
	sqlite3_bind_int(st, 5, t->end_min);
	db_sqlite_bind_text(st, 6, t->teacher_id);
	db_sqlite_bind_text(st, 7, t->teacher_name);
	db_sqlite_bind_text(st, 8, t->subject);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_sqlite_fail(db, e, "insert timetable slot");
	sqlite3_reset(st);
	return 0;
}

/* In the caller's transaction (db_timetable_replace): a statement a slot
 * costs SQLite no round trip. */
int db_sqlite_timetable_add(struct db *db, const struct timetable_slot *t, size_t n,
    struct bbt_error *e)
{
	for (size_t i = 0; i < n; i++) {
		if (slot_insert(db, &t[i], e) < 0)
			return -1;
	}
	return 0;
}

static int push(struct timetable *tt, struct bbt_error *e)
{
	if (bbt_grow(&tt->slots, &tt->cap, tt->n + 1, sizeof(*tt->slots)) < 0)
		return bbt_error_set(e, "out of memory");
	memset(&tt->slots[tt->n], 0, sizeof(tt->slots[0]));
	tt->n++;
	return 0;
}

int db_sqlite_timetable_load(struct db *db, const char *school, struct timetable *tt,
    struct bbt_error *e)
{
	static const char *const cols = "SELECT school, room, weekday, start_min, end_min, "
	    "teacher_id, teacher_name, subject FROM timetable ";
	char sql[512];
	sqlite3_stmt *st;
	int rc;

	memset(tt, 0, sizeof(*tt));
	snprintf(sql, sizeof(sql), "%s%s ORDER BY school, room, weekday, start_min", cols,
	    school ? "WHERE school = ?1" : "");
	st = db_sqlite_stmt(db, sql, e);
	if (st == NULL)
		return -1;
	if (school != NULL)
		db_sqlite_bind_text(st, 1, school);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct timetable_slot *t;

		if (push(tt, e) < 0)
			goto fail;
		t = &tt->slots[tt->n - 1];
		db_sqlite_text(st, 0, t->school, sizeof(t->school));
		db_sqlite_text(st, 1, t->room, sizeof(t->room));
		t->weekday = sqlite3_column_int(st, 2);
		t->start_min = sqlite3_column_int(st, 3);
		t->end_min = sqlite3_column_int(st, 4);
		db_sqlite_text(st, 5, t->teacher_id, sizeof(t->teacher_id));
		db_sqlite_text(st, 6, t->teacher_name, sizeof(t->teacher_name));
		db_sqlite_text(st, 7, t->subject, sizeof(t->subject));
	}
	if (rc != SQLITE_DONE) {
		db_sqlite_fail(db, e, "read timetable");
		goto fail;
	}
	sqlite3_reset(st);
	return 0;
fail:
	sqlite3_reset(st);
	timetable_free(tt);
	return -1;
}

/*
 * Sessions starting in [from, to) (of school, NULL = all) in the given
 * order, one at a time to fn: one statement stepped, so memory stays one
 * row's. The sessions-by-start and sessions-by-school-start indexes serve.
 */
static int each(struct db *db, int64_t from, int64_t to, const char *school,
    const char *order, db_points_fn fn, void *arg, struct bbt_error *e)
{
	char sql[512];
	struct points_session s;
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT id, school, room, start, \"end\", duration_s, teacher "
	    "FROM sessions WHERE start >= ?1 AND start < ?2%s ORDER BY %s",
	    school ? " AND school = ?3" : "", order);
	st = db_sqlite_stmt(db, sql, e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	if (school != NULL)
		db_sqlite_bind_text(st, 3, school);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&s, 0, sizeof(s));
		db_sqlite_text(st, 0, s.id, sizeof(s.id));
		db_sqlite_text(st, 1, s.school, sizeof(s.school));
		db_sqlite_text(st, 2, s.room, sizeof(s.room));
		s.start = sqlite3_column_int64(st, 3);
		s.end = sqlite3_column_int64(st, 4);
		s.duration_s = sqlite3_column_int64(st, 5);
		db_sqlite_text(st, 6, s.teacher, sizeof(s.teacher));
		if (fn(arg, &s, e) != 0) {
			sqlite3_reset(st);
			return -1;
		}
	}
	if (rc != SQLITE_DONE)
		db_sqlite_fail(db, e, "read sessions");
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_sqlite_points_sessions_each(struct db *db, int64_t from, int64_t to,
    const char *school, db_points_fn fn, void *arg, struct bbt_error *e)
{
	return each(db, from, to, school, "school, start, id", fn, arg, e);
}

/* db_points_sessions' array, grown one session at a time. */
struct list {
	struct points_session *v;
	size_t n, cap;
};

static int push_session(void *arg, const struct points_session *s, struct bbt_error *e)
{
	struct list *l = arg;

	if (bbt_grow(&l->v, &l->cap, l->n + 1, sizeof(*l->v)) < 0)
		return bbt_error_set(e, "out of memory");
	l->v[l->n++] = *s;
	return 0;
}

int db_sqlite_points_sessions(struct db *db, int64_t from, int64_t to, const char *school,
    struct points_session **out, size_t *n, struct bbt_error *e)
{
	struct list l = { NULL, 0, 0 };

	if (each(db, from, to, school, "start, id", push_session, &l, e) < 0) {
		free(l.v);
		return -1;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}
