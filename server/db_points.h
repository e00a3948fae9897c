/*
 * db_points: the timetable and the sessions the points report reads
 * (CONTRACT 5.4). SQLite: db_sqlite_points.c, PostgreSQL: db_pg_points.c;
 * what both share (the timetable's replace-in-one-transaction): db_points.c.
 */
#ifndef SERVER_DB_POINTS_H
#define SERVER_DB_POINTS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct timetable;	/* server/timetable.h */
struct timetable_slot;
struct points_session;	/* server/points.h */

/*
 * Replace, in one transaction, the whole timetable of every school that has
 * a slot in tt with tt's slots; other schools keep theirs. Fails (storing
 * nothing) if a school of tt is not registered.
 */
int db_timetable_replace(struct db *db, const struct timetable *tt, struct bbt_error *e);
/* The slots of one school (NULL = all), ordered by school, room, weekday, start. */
int db_timetable_load(struct db *db, const char *school, struct timetable *tt,
    struct bbt_error *e);
/*
 * Sessions starting in [from, to), of one school (NULL = all), with their
 * device's school and room and their teacher; *out is malloc'd (caller
 * frees) with only the input fields of struct points_session filled.
 */
int db_points_sessions(struct db *db, int64_t from, int64_t to, const char *school,
    struct points_session **out, size_t *n, struct bbt_error *e);

/* One session of db_points_sessions_each (only the input fields filled);
 * a non-zero return stops the walk, and the walk returns -1. */
typedef int (*db_points_fn)(void *arg, const struct points_session *s, struct bbt_error *e);
/*
 * The same sessions one at a time, ordered by school, start, id (so each
 * school's come together, by start), without holding them: memory stays
 * one row's (SQLite: one statement stepped) or one page's (PostgreSQL:
 * keyset pages of 2000 rows) however many the period holds.
 */
int db_points_sessions_each(struct db *db, int64_t from, int64_t to, const char *school,
    db_points_fn fn, void *arg, struct bbt_error *e);

/* The backends' halves of db_timetable_replace (db_points.c), inside its
 * transaction: remove one school's slots; add n slots (on PostgreSQL one
 * statement: a province's timetable is some 800,000 slots, and a round
 * trip each took minutes). */
int db_timetable_clear(struct db *db, const char *school, struct bbt_error *e);
int db_timetable_add(struct db *db, const struct timetable_slot *t, size_t n,
    struct bbt_error *e);
/* At most this many slots a db_timetable_add call (bounds its statement). */
#define DB_TIMETABLE_BATCH 4096

#endif
