/*
 * points_query: the points report straight from storage. Fetches the
 * sessions of the whole ISO weeks around the period (the weekly cap needs
 * them) and the timetable, then hands both to points_report_build. Shared by
 * `bbt-server points` and GET /api/v1/points; backend-neutral (db.h only).
 */
#include "points_report.h"

#include <stdlib.h>

#include "db.h"

struct report *points_report_query(struct db *db, const struct points_rule *r,
    const char *server_zone, const struct points_query *q, int64_t now,
    enum report_format f, struct bbt_error *e)
{
	struct timetable tt = { 0 };
	struct points_session *ss = NULL;
	struct report *rep = NULL;
	int64_t from, to, wfrom, wto;
	size_t n = 0;

	if (points_query_period(q, server_zone, r, now, &from, &to, e) < 0)
		return NULL;
	period_whole_weeks(r->week_zone, from, to, &wfrom, &wto);
	if (db_timetable_load(db, q->school, &tt, e) < 0 ||
	    db_points_sessions(db, wfrom, wto, q->school, &ss, &n, e) < 0)
		goto out;
	rep = points_report_build(r, server_zone, tt.slots, tt.n, ss, n, from, to, q->explain,
	    f, e);
out:
	free(ss);
	timetable_free(&tt);
	return rep;
}
