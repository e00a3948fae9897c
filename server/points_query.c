/*
 * points_query: the points report straight from storage. Walks the
 * sessions of the whole ISO weeks around the period (the weekly cap needs
 * them) by school, start, id through the report's stream, so no more than
 * one school-week of them is held, and loads each school's timetable as its
 * sessions begin (a bureau's timetable is never held whole). Shared by
 * `bbt-server points` and GET /api/v1/points; backend-neutral (db.h only).
 */
#include "points_report.h"

#include <stdio.h>
#include <string.h>

#include "db.h"

/* The walk: the report being made, and the timetable of the school whose
 * sessions are arriving. */
struct walk {
	struct db *db;
	struct points_report_run *run;
	struct timetable tt;
	char school[TIMETABLE_SCHOOL_LEN];
	int loaded;
};

static int on_session(void *arg, const struct points_session *s, struct bbt_error *e)
{
	struct walk *w = arg;

	if (!w->loaded || strcmp(w->school, s->school) != 0) {
		timetable_free(&w->tt);
		if (db_timetable_load(w->db, s->school, &w->tt, e) < 0)
			return -1;
		points_report_slots(w->run, w->tt.slots, w->tt.n);
		snprintf(w->school, sizeof(w->school), "%s", s->school);
		w->loaded = 1;
	}
	return points_report_add(w->run, s, e);
}

struct report *points_report_query(struct db *db, const struct points_rule *r,
    const char *server_zone, const struct points_query *q, int64_t now,
    enum report_format f, struct bbt_error *e)
{
	struct walk w = { .db = db };
	struct report *rep = NULL;
	int64_t from, to, wfrom, wto;

	if (points_query_period(q, server_zone, r, now, &from, &to, e) < 0)
		return NULL;
	period_whole_weeks(r->week_zone, from, to, &wfrom, &wto);
	w.run = points_report_start(r, server_zone, NULL, 0, from, to, q->explain, f, e);
	if (w.run == NULL)
		return NULL;
	if (db_points_sessions_each(db, wfrom, wto, q->school, on_session, &w, e) < 0)
		points_report_abandon(w.run);
	else
		rep = points_report_finish(w.run, e);
	timetable_free(&w.tt);
	return rep;
}
