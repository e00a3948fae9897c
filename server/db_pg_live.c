/*
 * db_pg_live: the live-lesson part of server/db.h on PostgreSQL: schedule
 * rows, and the per-room sessions and devices verification needs (the
 * same statements as db_sqlite_live.c). Sessions last at most 24 h (CONTRACT
 * 5.3), so "overlaps [from, to)" is searched as start in [from - 24 h, to),
 * on the (school, room, start) index and only the partitions it touches.
 */
#include <stdio.h>
#include <string.h>

#include "db_pg_internal.h"
#include "db_sql.h"

#define DAY_S 86400

static void code_from_row(const PGresult *r, int i, void *out)
{
	db_pg_get_text(r, i, 0, out, DB_SCHOOL_LEN);
}

int db_pg_school_resolve(struct db *db, const char *ref, char code[DB_SCHOOL_LEN],
    int *found, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, ref);
	return db_pg_one(db, DB_SQL_SCHOOL_RESOLVE, &a, code_from_row, code, found, "school",
	    e);
}

int db_pg_live_upsert(struct db *db, const struct db_live_lesson *l, struct bbt_error *e)
{
	const char *texts[] = { l->type, l->subject, l->teacher, l->course, l->area,
		l->stage, l->grade, l->platform, l->note };
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, l->seq);
	db_pg_put_int(&a, l->day);
	for (int i = 0; i < 9; i++)
		db_pg_put_text(&a, texts[i]);
	db_pg_put_int(&a, l->start);
	db_pg_put_int(&a, l->end);
	db_pg_put_text(&a, l->school);
	db_pg_put_text(&a, l->room);
	db_pg_put_text(&a, l->recv_school[0] ? l->recv_school : NULL);
	db_pg_put_text(&a, l->recv_room);
	db_pg_put_text(&a, l->owner);
	db_pg_put_text(&a, l->contact);
	return db_pg_run(db, DB_SQL_LIVE_UPSERT, &a, "store live lesson", e) < 0 ? -1 : 0;
}

static void lesson_from_row(const PGresult *r, int row, struct db_live_lesson *l)
{
	char *texts[] = { l->type, l->subject, l->teacher, l->course, l->area, l->stage,
		l->grade, l->platform, l->note };
	size_t lens[] = { sizeof(l->type), sizeof(l->subject), sizeof(l->teacher),
		sizeof(l->course), sizeof(l->area), sizeof(l->stage), sizeof(l->grade),
		sizeof(l->platform), sizeof(l->note) };

	db_pg_get_text(r, row, 0, l->seq, sizeof(l->seq));
	l->day = db_pg_get_int(r, row, 1);
	for (int i = 0; i < 9; i++)
		db_pg_get_text(r, row, 2 + i, texts[i], lens[i]);
	l->start = db_pg_get_int(r, row, 11);
	l->end = db_pg_get_int(r, row, 12);
	db_pg_get_text(r, row, 13, l->school, sizeof(l->school));
	db_pg_get_text(r, row, 14, l->room, sizeof(l->room));
	db_pg_get_text(r, row, 15, l->recv_school, sizeof(l->recv_school));
	db_pg_get_text(r, row, 16, l->recv_room, sizeof(l->recv_room));
	db_pg_get_text(r, row, 17, l->owner, sizeof(l->owner));
	db_pg_get_text(r, row, 18, l->contact, sizeof(l->contact));
}

static int lesson_visit(const PGresult *r, int i, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	struct db_live_lesson l;

	lesson_from_row(r, i, &l);
	return w->fn.lesson(w->arg, &l, e);
}

int db_pg_live_each(struct db *db, const char *school, int64_t from, int64_t to,
    db_live_fn fn, void *arg, struct bbt_error *e)
{
	struct db_walk w = { .fn.lesson = fn, .arg = arg };
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, school);
	db_pg_put_int(&a, from);
	db_pg_put_int(&a, to);
	return db_pg_each(db, DB_SQL_LIVE_EACH, &a, lesson_visit, &w, "live lessons", e);
}

/* A session's id, start and end. */
static int span_visit(const PGresult *r, int i, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	char id[64];

	db_pg_get_text(r, i, 0, id, sizeof(id));
	return w->fn.span(w->arg, id, db_pg_get_int(r, i, 1), db_pg_get_int(r, i, 2), e);
}

int db_pg_room_sessions(struct db *db, const char *school, const char *room, int64_t from,
    int64_t to, db_span_fn fn, void *arg, struct bbt_error *e)
{
	struct db_walk w = { .fn.span = fn, .arg = arg };
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, school);
	db_pg_put_text(&a, room);
	db_pg_put_int(&a, from - DAY_S);
	db_pg_put_int(&a, to);
	db_pg_put_int(&a, from);
	return db_pg_each(db, DB_SQL_ROOM_SESSIONS, &a, span_visit, &w, "room sessions", e);
}

int db_pg_room_devices(struct db *db, const char *school, const char *room, int *ndevices,
    int64_t *last_seen, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	int64_t v[2];

	db_pg_put_text(&a, school);
	db_pg_put_text(&a, room);
	if (db_pg_one(db, DB_SQL_ROOM_DEVICES, &a, db_pg_int64s, v, NULL, "room devices",
	    e) < 0)
		return -1;
	*ndevices = (int)v[0];
	*last_seen = v[1];
	return 0;
}
