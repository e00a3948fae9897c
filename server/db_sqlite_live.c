/*
 * db_sqlite_live: the live-lesson part of server/db.h on SQLite: schedule
 * rows, and the per-room sessions and devices verification needs. Sessions
 * last at most 24 h (CONTRACT 5.3), so "overlaps [from, to)" is searched as
 * start in [from - 24 h, to) to use the (school, room, start) index.
 */
#include <stdio.h>
#include <string.h>

#include "db_sql.h"
#include "db_sqlite_internal.h"

#define DAY_S 86400

static void code_from_row(sqlite3_stmt *st, void *out)
{
	db_sqlite_text(st, 0, out, DB_SCHOOL_LEN);
}

int db_sqlite_school_resolve(struct db *db, const char *ref, char code[DB_SCHOOL_LEN],
    int *found, struct bbt_error *e)
{
	return db_sqlite_one_key(db, DB_SQL_SCHOOL_RESOLVE, ref, code_from_row, code, found, e,
	    "school");
}

int db_sqlite_live_upsert(struct db *db, const struct db_live_lesson *l, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_LIVE_UPSERT, e);
	const char *texts[] = { l->type, l->subject, l->teacher, l->course, l->area,
		l->stage, l->grade, l->platform, l->note };

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, l->seq, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, l->day);
	for (int i = 0; i < 9; i++)
		sqlite3_bind_text(st, 3 + i, texts[i], -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 12, l->start);
	sqlite3_bind_int64(st, 13, l->end);
	sqlite3_bind_text(st, 14, l->school, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 15, l->room, -1, SQLITE_TRANSIENT);
	db_sqlite_bind_text(st, 16, l->recv_school[0] ? l->recv_school : NULL);
	sqlite3_bind_text(st, 17, l->recv_room, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 18, l->owner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 19, l->contact, -1, SQLITE_TRANSIENT);
	return db_sqlite_done(db, st, e, "store live lesson");
}

static void lesson_from_row(sqlite3_stmt *st, struct db_live_lesson *l)
{
	char *texts[] = { l->type, l->subject, l->teacher, l->course, l->area, l->stage,
		l->grade, l->platform, l->note };
	size_t lens[] = { sizeof(l->type), sizeof(l->subject), sizeof(l->teacher),
		sizeof(l->course), sizeof(l->area), sizeof(l->stage), sizeof(l->grade),
		sizeof(l->platform), sizeof(l->note) };

	db_sqlite_text(st, 0, l->seq, sizeof(l->seq));
	l->day = sqlite3_column_int64(st, 1);
	for (int i = 0; i < 9; i++)
		db_sqlite_text(st, 2 + i, texts[i], lens[i]);
	l->start = sqlite3_column_int64(st, 11);
	l->end = sqlite3_column_int64(st, 12);
	db_sqlite_text(st, 13, l->school, sizeof(l->school));
	db_sqlite_text(st, 14, l->room, sizeof(l->room));
	db_sqlite_text(st, 15, l->recv_school, sizeof(l->recv_school));
	db_sqlite_text(st, 16, l->recv_room, sizeof(l->recv_room));
	db_sqlite_text(st, 17, l->owner, sizeof(l->owner));
	db_sqlite_text(st, 18, l->contact, sizeof(l->contact));
}

static int lesson_visit(sqlite3_stmt *st, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	struct db_live_lesson l;

	lesson_from_row(st, &l);
	return w->fn.lesson(w->arg, &l, e);
}

int db_sqlite_live_each(struct db *db, const char *school, int64_t from, int64_t to,
    db_live_fn fn, void *arg, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_LIVE_EACH, e);
	struct db_walk w = { .fn.lesson = fn, .arg = arg };

	if (st) {
		db_sqlite_bind_text(st, 1, school);
		sqlite3_bind_int64(st, 2, from);
		sqlite3_bind_int64(st, 3, to);
	}
	return db_sqlite_each(db, st, lesson_visit, &w, e, "live lessons");
}

/* A session's id, start and end. */
static int span_visit(sqlite3_stmt *st, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	char id[64];

	db_sqlite_text(st, 0, id, sizeof(id));
	return w->fn.span(w->arg, id, sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), e);
}

int db_sqlite_room_sessions(struct db *db, const char *school, const char *room, int64_t from,
    int64_t to, db_span_fn fn, void *arg, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_ROOM_SESSIONS, e);
	struct db_walk w = { .fn.span = fn, .arg = arg };

	if (st) {
		sqlite3_bind_text(st, 1, school, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, room, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, from - DAY_S);
		sqlite3_bind_int64(st, 4, to);
		sqlite3_bind_int64(st, 5, from);
	}
	return db_sqlite_each(db, st, span_visit, &w, e, "room sessions");
}

int db_sqlite_room_devices(struct db *db, const char *school, const char *room, int *ndevices,
    int64_t *last_seen, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_ROOM_DEVICES, e);
	int64_t v[2];

	if (st) {
		sqlite3_bind_text(st, 1, school, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, room, -1, SQLITE_TRANSIENT);
	}
	if (db_sqlite_one(db, st, db_sqlite_int64s, v, NULL, e, "room devices") < 0)
		return -1;
	*ndevices = (int)v[0];
	*last_seen = v[1];
	return 0;
}
