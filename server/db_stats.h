/*
 * db_stats: a school's counts for the statistics report (CONTRACT 5.6).
 * SQLite: db_sqlite_stats.c.
 */
#ifndef SERVER_DB_STATS_H
#define SERVER_DB_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct db_school;	/* db_schools.h */

/*
 * "Seen in [from, to)": the device made contact (heartbeat or upload,
 * recorded by hour in the contact history) in the period, or a session it
 * recorded starting in the period has arrived since (offline data).
 */
struct db_school_counts {
	int64_t classrooms;		/* rooms in its timetable or with a device */
	int64_t timetable_rooms;	/* rooms in its timetable */
	int64_t enrolled;		/* devices enrolled (not revoked by `to`) */
	int64_t seen;			/* devices seen in the period */
	int64_t active_classrooms;	/* rooms with a qualifying session */
	int64_t qualifying;		/* sessions of >= min_duration_s */
	int64_t qualifying_s;		/* their total duration */
	int64_t equipped;		/* timetable rooms with a device seen in the period */
	int64_t enrolled_rooms;		/* classrooms with a device enrolled before `to` */
};
/* A school's counts for sessions starting in [from, to). */
int db_school_counts(struct db *db, const char *school, int64_t from, int64_t to,
    int64_t min_duration_s, struct db_school_counts *out, struct bbt_error *e);
/*
 * Every school (or the one named by school; NULL = all), ordered by
 * district, code (as db_schools_each), with the counts db_school_counts
 * gives it for [from, to): one set-based read (a GROUP BY per table) where
 * the report did three queries per school.
 */
typedef int (*db_school_counts_fn)(void *arg, const struct db_school *s,
    const struct db_school_counts *c, struct bbt_error *e);
int db_schools_counts_each(struct db *db, const char *school, int64_t from, int64_t to,
    int64_t min_duration_s, db_school_counts_fn fn, void *arg, struct bbt_error *e);

#endif
