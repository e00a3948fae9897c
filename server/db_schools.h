/*
 * db_schools: schools, their lookup by code or name, and their detector
 * settings (CONTRACT 4.1 keys pushed to their agents). SQLite: db_sqlite.c
 * (schools), db_sqlite_live.c (resolve), db_sqlite_stats.c (each, detector).
 */
#ifndef SERVER_DB_SCHOOLS_H
#define SERVER_DB_SCHOOLS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct db_school {
	char code[DB_SCHOOL_LEN];
	char name[DB_NAME_LEN];
	char district[DB_NAME_LEN];	/* "" = none */
};

/* Add a school; -1 with "school CODE exists" if the code is taken. */
int db_school_add(struct db *db, const struct db_school *s, struct bbt_error *e);
int db_school_get(struct db *db, const char *code, struct db_school *out,
    int *found, struct bbt_error *e);
/* 0 if code is NULL or a registered school, else -1 with "unknown school
 * CODE": a --school typo must not look like an empty report. */
int db_school_check(struct db *db, const char *code, struct bbt_error *e);

/* The code of the school whose code or name is ref; *found = 0 if none. */
int db_school_resolve(struct db *db, const char *ref, char code[DB_SCHOOL_LEN],
    int *found, struct bbt_error *e);
typedef int (*db_school_fn)(void *arg, const struct db_school *s, struct bbt_error *e);
/* Every school, ordered by district, code. */
int db_schools_each(struct db *db, db_school_fn fn, void *arg, struct bbt_error *e);

/* struct db_detector, a school's detector settings, is in db.h: a device
 * carries its school's (db_devices.h). */
/* Replace the school's settings with d; -1 with "unknown school" if none. */
int db_school_detector_set(struct db *db, const char *code, const struct db_detector *d,
    struct bbt_error *e);
/* The school's settings (all -1 for an unknown school or none set). */
int db_school_detector_get(struct db *db, const char *code, struct db_detector *out,
    struct bbt_error *e);
/* The collector address told to the school's agents in heartbeat replies
 * (`school move`, CONTRACT 4.4): url, or none if NULL; code NULL: every
 * school. *changed: how many schools. An unknown code is not an error
 * here (*changed 0): the caller checks with db_school_check. */
int db_school_collector_set(struct db *db, const char *code, const char *url,
    int64_t *changed, struct bbt_error *e);

#endif
