/*
 * db_pg_points: the timetable and points functions of db_points.h on
 * PostgreSQL (the same statements as db_sqlite_points.c): the timetable's
 * halves of db_timetable_replace (db_points.c runs them in one transaction,
 * so a reader on another collector never sees half of a file), its load,
 * and the sessions the points report reads, as an array or in pages.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bbt_array.h"
#include "db_pg_internal.h"
#include "points.h"
#include "timetable.h"

int db_pg_timetable_clear(struct db *db, const char *school, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, school);
	return db_pg_run(db, "DELETE FROM timetable WHERE school = ?1", &a, "delete timetable",
	    e) < 0 ? -1 : 0;
}

/* One slot as the recordset row of TIMETABLE_ADD (i: its index). */
static int slot_json(cJSON *o, size_t i, const void *arg)
{
	const struct timetable_slot *t = &((const struct timetable_slot *)arg)[i];

	if (db_pg_json_int(o, "i", (int64_t)i) < 0 ||
	    db_pg_json_text(o, "school", t->school) < 0 ||
	    db_pg_json_text(o, "room", t->room) < 0 ||
	    db_pg_json_int(o, "weekday", t->weekday) < 0 ||
	    db_pg_json_int(o, "start_min", t->start_min) < 0 ||
	    db_pg_json_int(o, "end_min", t->end_min) < 0 ||
	    db_pg_json_text(o, "teacher_id", t->teacher_id) < 0 ||
	    db_pg_json_text(o, "teacher_name", t->teacher_name) < 0 ||
	    db_pg_json_text(o, "subject", t->subject) < 0)
		return -1;
	return 0;
}

/* The batch, inserted in the file's order as SQLite's INSERT a slot does. */
#define TIMETABLE_ADD \
	"INSERT INTO timetable (school, room, weekday, start_min, end_min, teacher_id, " \
	"teacher_name, subject) SELECT school, room, weekday, start_min, end_min, " \
	"teacher_id, teacher_name, subject FROM jsonb_to_recordset(CAST(?1 AS jsonb)) AS " \
	"x(i bigint, school text, room text, weekday bigint, start_min bigint, end_min " \
	"bigint, teacher_id text, teacher_name text, subject text) ORDER BY i"

int db_pg_timetable_add(struct db *db, const struct timetable_slot *t, size_t n,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	char *rows;
	int64_t rc;

	if (n == 0)
		return 0;
	rows = db_pg_json_rows(n, slot_json, t);
	if (!rows)
		return bbt_error_set(e, "insert timetable: out of memory");
	db_pg_put_text(&a, rows);
	rc = db_pg_run(db, TIMETABLE_ADD, &a, "insert timetable", e);
	cJSON_free(rows);
	return rc < 0 ? -1 : 0;
}

int db_pg_timetable_load(struct db *db, const char *school, struct timetable *tt,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	PGresult *r;
	int n;

	memset(tt, 0, sizeof(*tt));
	db_pg_put_text(&a, school);
	r = db_pg_query(db, "SELECT school, room, weekday, start_min, end_min, teacher_id, "
	    "teacher_name, subject FROM timetable WHERE CAST(?1 AS TEXT) IS NULL OR "
	    "school = ?1 ORDER BY school, room, weekday, start_min", &a, "read timetable", e);
	if (!r)
		return -1;
	n = PQntuples(r);
	if (n > 0 && bbt_grow(&tt->slots, &tt->cap, (size_t)n, sizeof(*tt->slots)) < 0) {
		PQclear(r);
		return bbt_error_set(e, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		struct timetable_slot *t = &tt->slots[i];

		memset(t, 0, sizeof(*t));
		db_pg_get_text(r, i, 0, t->school, sizeof(t->school));
		db_pg_get_text(r, i, 1, t->room, sizeof(t->room));
		t->weekday = (int)db_pg_get_int(r, i, 2);
		t->start_min = (int)db_pg_get_int(r, i, 3);
		t->end_min = (int)db_pg_get_int(r, i, 4);
		db_pg_get_text(r, i, 5, t->teacher_id, sizeof(t->teacher_id));
		db_pg_get_text(r, i, 6, t->teacher_name, sizeof(t->teacher_name));
		db_pg_get_text(r, i, 7, t->subject, sizeof(t->subject));
	}
	tt->n = (size_t)n;
	PQclear(r);
	return 0;
}

/* The columns both session reads select, in session_from_row's order. */
#define SESSION_COLS "SELECT id, school, room, start, \"end\", duration_s, teacher FROM sessions "

static void session_from_row(const PGresult *r, int i, struct points_session *s)
{
	memset(s, 0, sizeof(*s));
	db_pg_get_text(r, i, 0, s->id, sizeof(s->id));
	db_pg_get_text(r, i, 1, s->school, sizeof(s->school));
	db_pg_get_text(r, i, 2, s->room, sizeof(s->room));
	s->start = db_pg_get_int(r, i, 3);
	s->end = db_pg_get_int(r, i, 4);
	s->duration_s = db_pg_get_int(r, i, 5);
	db_pg_get_text(r, i, 6, s->teacher, sizeof(s->teacher));
}

int db_pg_points_sessions(struct db *db, int64_t from, int64_t to, const char *school,
    struct points_session **out, size_t *n, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	struct points_session *v = NULL;
	size_t cap = 0;
	PGresult *r;
	int rows;

	*out = NULL;
	*n = 0;
	db_pg_put_int(&a, from);
	db_pg_put_int(&a, to);
	db_pg_put_text(&a, school);
	r = db_pg_query(db, SESSION_COLS "WHERE start >= ?1 AND start < ?2 AND "
	    "(CAST(?3 AS TEXT) IS NULL OR school = ?3) ORDER BY start, id", &a, "read sessions",
	    e);
	if (!r)
		return -1;
	rows = PQntuples(r);
	if (rows > 0 && bbt_grow(&v, &cap, (size_t)rows, sizeof(*v)) < 0) {
		PQclear(r);
		return bbt_error_set(e, "out of memory");
	}
	for (int i = 0; i < rows; i++)
		session_from_row(r, i, &v[i]);
	PQclear(r);
	*out = v;
	*n = (size_t)rows;
	return 0;
}

/*
 * A period may hold a term of a district's sessions: they are read in
 * keyset pages of PAGE rows by (school, start, id), each page starting
 * after the last row of the one before (the first after ('', INT64_MIN,
 * ''), before every row), so memory stays one page's. One statement with
 * the school and one without, not an "?3 IS NULL OR" test: with that the
 * planner cannot take the row comparison into the (school, start) index,
 * and each page was a scan (500,000 sessions: 56 s, now seconds).
 */
#define PAGE 2000

int db_pg_points_sessions_each(struct db *db, int64_t from, int64_t to, const char *school,
    db_points_fn fn, void *arg, struct bbt_error *e)
{
	static const char *const sql[2] = {
		SESSION_COLS "WHERE start >= ?1 AND start < ?2 AND (school, start, id) > "
		"(?3, ?4, ?5) ORDER BY school, start, id LIMIT ?6",
		SESSION_COLS "WHERE start >= ?1 AND start < ?2 AND (school, start, id) > "
		"(?3, ?4, ?5) AND school = ?7 ORDER BY school, start, id LIMIT ?6",
	};
	struct points_session s;
	int rc = 0, got;

	memset(&s, 0, sizeof(s));
	s.start = INT64_MIN;
	do {
		struct db_pg_args a = { 0 };
		PGresult *r;

		db_pg_put_int(&a, from);
		db_pg_put_int(&a, to);
		db_pg_put_text(&a, s.school);
		db_pg_put_int(&a, s.start);
		db_pg_put_text(&a, s.id);
		db_pg_put_int(&a, PAGE);
		if (school != NULL)
			db_pg_put_text(&a, school);
		r = db_pg_query(db, sql[school != NULL], &a, "read sessions", e);
		if (!r)
			return -1;
		got = PQntuples(r);
		for (int i = 0; rc == 0 && i < got; i++) {
			session_from_row(r, i, &s);
			rc = fn(arg, &s, e) != 0 ? -1 : 0;
		}
		PQclear(r);
	} while (rc == 0 && got == PAGE);
	return rc;
}
