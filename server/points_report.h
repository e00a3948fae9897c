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
    const struct timetable_slot *slots, size_t nslots, struct points_session *ss,
    size_t n, int64_t from, int64_t to, int explain, enum report_format f,
    struct bbt_error *e);

struct db;
/*
 * The report from storage (points_query.c): loads the timetable and the
 * sessions of the whole weeks around q's period, then points_report_build.
 */
struct report *points_report_query(struct db *db, const struct points_rule *r,
    const char *server_zone, const struct points_query *q, int64_t now,
    enum report_format f, struct bbt_error *e);

#endif
