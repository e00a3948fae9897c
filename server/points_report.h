/*
 * points_report: the `points` report (CONTRACT 5.1) from sessions and slots, shared
 * by the CLI and GET /api/v1/points (the "points" entry, report_cmds.c), so both
 * always give the same answer.
 *
 * Periods: --week is an ISO week of the rule's week_zone; --from/--to are
 * inclusive dates in the server zone (--tz); neither means the current week.
 * Sessions are fetched for the whole ISO weeks around the period, because the
 * weekly cap is judged over the whole week even when the period cuts it; the
 * rows then count only the sessions that start inside the period.
 *
 * Row shape (JSON): {"teacher_id","teacher_name","school","week","qualifying",
 * "credited","points"} (+ "sessions":[{"id","start","end","duration_s","room",
 * "credited","reason"}] with explain). Table and CSV with explain print one
 * line per session instead (the row's identity, then the session's fields),
 * which is what a spreadsheet can filter.
 */
#ifndef SERVER_POINTS_REPORT_H
#define SERVER_POINTS_REPORT_H

#include <stdint.h>

#include "bbt_error.h"
#include "points.h"
#include "report.h"
#include "timetable.h"

struct points_query {
	const char *week;	/* "2026-W48" or NULL */
	const char *from, *to;	/* dates, both or neither */
	const char *school;	/* NULL = every school */
	int explain;
};

/* The report period [from, to) for q at time now; checks the options' mix. */
int points_query_period(const struct points_query *q, const char *server_zone,
    const struct points_rule *r, int64_t now, int64_t *from, int64_t *to,
    struct bbt_error *e);

/*
 * Attribute and evaluate ss (the sessions of whole weeks), then build the
 * report of the sessions starting in [from, to). JSON-shaped rows when
 * f is REPORT_JSON or explain is off; one line per session otherwise.
 */
struct report *points_report_build(const struct points_rule *r, const char *server_zone,
    const struct timetable_slot *slots, size_t nslots, const struct points_session *ss,
    size_t n, int64_t from, int64_t to, int explain, enum report_format f,
    struct bbt_error *e);

/*
 * The same report from sessions given one at a time, ordered by school,
 * start, id (db_points_sessions_each's order): start, add each session,
 * then finish (which frees run and returns the report, NULL on failure
 * with e set) or abandon. Holds one school-week of sessions and the rows.
 * slots and server_zone must outlive run.
 */
struct points_report_run;
struct points_report_run *points_report_start(const struct points_rule *r,
    const char *server_zone, const struct timetable_slot *slots, size_t nslots,
    int64_t from, int64_t to, int explain, enum report_format f, struct bbt_error *e);
/* Attribute with these slots from now on (points_stream_slots). */
void points_report_slots(struct points_report_run *run, const struct timetable_slot *slots,
    size_t nslots);
int points_report_add(struct points_report_run *run, const struct points_session *s,
    struct bbt_error *e);
struct report *points_report_finish(struct points_report_run *run, struct bbt_error *e);
void points_report_abandon(struct points_report_run *run);

struct db;
/*
 * The report from storage (points_query.c): streams the sessions of the
 * whole weeks around q's period through points_report_start/add/finish,
 * never holding them, with each school's timetable loaded as its sessions
 * begin (so only one school's slots are held, not a bureau's).
 */
struct report *points_report_query(struct db *db, const struct points_rule *r,
    const char *server_zone, const struct points_query *q, int64_t now,
    enum report_format f, struct bbt_error *e);

#endif
