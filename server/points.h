/*
 * points: attribution of sessions to teachers and the interactive-teaching
 * points rule (CONTRACT 5.4). Pure: no I/O and no clock; every time is passed in,
 * and zones are named explicitly (looked up in the system tz database).
 *
 * Attribution: a session belongs to the teacher it names (matched to a
 * timetable teacher_id of its school when equal, else taken as both id and
 * name); else to the teacher of the slot of the same school and room, on the
 * weekday of the session's start in the server zone, that overlaps it most
 * (seconds of overlap on that day; a tie goes to the earlier slot); else it
 * is unattributed.
 *
 * The rule: a session qualifies when duration_s >= min_duration_s. Per
 * teacher (a teacher is a school plus a teacher_id) and ISO week in the
 * rule's week_zone, the earliest qualifying sessions by start (then id) are
 * credited, at most max_per_week (0 = no cap), each earning
 * points_per_session. Everything is recomputed from the sessions given, so a
 * late session changes its week's outcome and nothing is ever cached.
 */
#ifndef SERVER_POINTS_H
#define SERVER_POINTS_H

#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"
#include "bbt_session.h"
#include "period.h"
#include "timetable.h"

#define POINTS_NAME_LEN 64
#define POINTS_ZONE_LEN PERIOD_ZONE_LEN
#define POINTS_REASON_LEN 48

struct points_rule {
	char name[POINTS_NAME_LEN];	/* "互动授课" */
	int points_per_session;		/* 5 */
	int64_t min_duration_s;		/* 900 */
	int max_per_week;		/* 2; 0 = no cap */
	char week_zone[POINTS_ZONE_LEN];	/* "Asia/Shanghai" */
};

enum points_reason {
	POINTS_CREDITED,
	POINTS_WEEKLY_CAP,
	POINTS_TOO_SHORT,
	POINTS_UNATTRIBUTED,
};

struct points_session {
	/* Input. */
	char id[BBT_UUID_LEN];
	int64_t start, end, duration_s;
	char school[TIMETABLE_SCHOOL_LEN];
	char room[TIMETABLE_ROOM_LEN];
	char teacher[BBT_TEACHER_LEN];		/* named at the device; "" = none */
	/* Output of points_attribute. */
	int attributed;
	char teacher_id[TIMETABLE_TEACHER_ID_LEN];
	char teacher_name[TIMETABLE_TEACHER_NAME_LEN];
	/* Output of points_evaluate. */
	int iso_year, iso_week;			/* in the rule's week_zone */
	int qualifying, credited;
	enum points_reason reason;
};

/* One report row: one teacher (or the unattributed) of one school, one week. */
struct points_row {
	const char *school;
	const char *teacher_id;		/* NULL for the unattributed sessions */
	const char *teacher_name;	/* NULL with teacher_id */
	int iso_year, iso_week;
	int qualifying, credited, points;
	size_t *sessions;		/* indices into the session array, by start */
	size_t nsessions;
};

/* The shipped default: 互动授课, 5 points, 900 s, 2 per week, Asia/Shanghai. */
void points_rule_default(struct points_rule *r);
/* "credited", "weekly cap reached", "shorter than 15 min", "unattributed". */
void points_reason_text(const struct points_rule *r, enum points_reason reason,
    char out[POINTS_REASON_LEN]);

/* Attribute each session (fills attributed, teacher_id, teacher_name). */
void points_attribute(const struct timetable_slot *slots, size_t nslots,
    const char *server_zone, struct points_session *ss, size_t n);
/* Apply the rule to every session (fills week, qualifying, credited, reason). */
int points_evaluate(const struct points_rule *r, struct points_session *ss, size_t n,
    struct bbt_error *e);
/*
 * Group evaluated sessions whose start lies in [from, to) into rows ordered
 * by week, school, teacher_id (the unattributed row last in its school).
 */
int points_rows(const struct points_rule *r, const struct points_session *ss, size_t n,
    int64_t from, int64_t to, struct points_row **rows, size_t *nrows,
    struct bbt_error *e);
void points_rows_free(struct points_row *rows, size_t nrows);

/*
 * The same rows from sessions given one at a time, holding one school-week
 * of sessions, never the period's: memory grows with the rows made (and,
 * with keep, the sessions they list), not with the sessions read.
 * Sessions must come ordered by school, start, id (each school's together,
 * by start; db_points_sessions_each's order); a school's week going back is
 * refused. from, to: the rows' period, as points_rows. keep: hand each
 * row its sessions. zone and slots must outlive the stream.
 */
struct points_stream;
/* One finished row; ss: its row->nsessions sessions by start (NULL unless
 * keep), row->sessions NULL. A non-zero return stops the walk. */
typedef int (*points_row_fn)(void *arg, const struct points_row *row,
    const struct points_session *ss, struct bbt_error *e);
/* NULL if out of memory. */
struct points_stream *points_stream_new(const struct points_rule *r, const char *server_zone,
    const struct timetable_slot *slots, size_t nslots, int64_t from, int64_t to, int keep);
/* Attribute the sessions added from now on with these slots instead (a
 * school's own, loaded as its sessions begin); they must outlive their use. */
void points_stream_slots(struct points_stream *ps, const struct timetable_slot *slots,
    size_t nslots);
/* Attribute s and add it to its school-week (a copy is kept). */
int points_stream_add(struct points_stream *ps, const struct points_session *s,
    struct bbt_error *e);
/* Evaluate the last school-week, then fn for every row in points_rows' order. */
int points_stream_finish(struct points_stream *ps, points_row_fn fn, void *arg,
    struct bbt_error *e);
void points_stream_free(struct points_stream *ps);

#endif
