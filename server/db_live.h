/*
 * db_live: the live-lesson schedule (CONTRACT 5.5) and the per-room sessions
 * and devices its verification reads. SQLite: db_sqlite_live.c.
 */
#ifndef SERVER_DB_LIVE_H
#define SERVER_DB_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct db_live_lesson {
	char seq[64];			/* 序号; with day, the lesson's identity */
	int64_t day;			/* local date as days since 1970-01-01 */
	char type[256], subject[256], teacher[256], course[256], area[256];
	char stage[64], grade[64], platform[256], note[256];
	char owner[256], contact[256];	/* 学校排课负责人, 联系方式 (schema v4) */
	int64_t start, end;		/* Unix seconds */
	char school[DB_SCHOOL_LEN];	/* delivering school (code) and room */
	char room[DB_ROOM_LEN];		/* "" = not given */
	char recv_school[DB_SCHOOL_LEN];	/* "" = no receiving end */
	char recv_room[DB_ROOM_LEN];
};

/* Insert a lesson, or update the one with the same seq and day. */
int db_live_upsert(struct db *db, const struct db_live_lesson *l, struct bbt_error *e);
/* Lessons starting in [from, to) with either end in school (NULL = all),
 * ordered by start, seq. */
typedef int (*db_live_fn)(void *arg, const struct db_live_lesson *l, struct bbt_error *e);
int db_live_each(struct db *db, const char *school, int64_t from, int64_t to,
    db_live_fn fn, void *arg, struct bbt_error *e);
/* Sessions of a school's room overlapping [from, to), ordered by start. */
typedef int (*db_span_fn)(void *arg, const char *id, int64_t start, int64_t end,
    struct bbt_error *e);
int db_room_sessions(struct db *db, const char *school, const char *room, int64_t from,
    int64_t to, db_span_fn fn, void *arg, struct bbt_error *e);
/* Enrolled devices in a school's room and the latest last_seen among them;
 * a revoked device is no room's device (docs/verify.md). */
int db_room_devices(struct db *db, const char *school, const char *room, int *ndevices,
    int64_t *last_seen, struct bbt_error *e);

#endif
