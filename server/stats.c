/*
 * stats: see stats.h. Rows come per district: its schools, then the
 * district's own row; schools without a district come first with no
 * district row; a bureau-wide request ends with the total.
 */
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_array.h"
#include "bbt_time.h"
#include "points_report.h"

void stats_add(struct stats_figures *into, const struct stats_figures *add)
{
	into->c.classrooms += add->c.classrooms;
	into->c.enrolled += add->c.enrolled;
	into->c.seen += add->c.seen;
	into->c.active_classrooms += add->c.active_classrooms;
	into->c.qualifying += add->c.qualifying;
	into->c.qualifying_s += add->c.qualifying_s;
	into->c.equipped += add->c.equipped;
	into->c.timetable_rooms += add->c.timetable_rooms;
	into->c.enrolled_rooms += add->c.enrolled_rooms;
	into->points += add->points;
	into->live.scheduled += add->live.scheduled;
	into->live.delivered += add->live.delivered;
	into->live.partial += add->live.partial;
	into->live.missed += add->live.missed;
	into->live.unknown += add->live.unknown;
	into->live.no_device += add->live.no_device;
}

/* num / den in tenths, rounded half up (integers only: 2 of 5 is 40.0). */
static int64_t tenths(int64_t num, int64_t scale, int64_t den)
{
	return den > 0 ? (num * scale * 2 + den) / (den * 2) : 0;
}

int64_t stats_coverage_tenths(const struct stats_figures *f)
{
	return tenths(f->c.active_classrooms, 1000, f->c.classrooms);
}

int64_t stats_hours_tenths(const struct stats_figures *f)
{
	return tenths(f->c.qualifying_s, 10, 3600);
}

int64_t stats_share_tenths(int64_t num, int64_t den)
{
	return den > 0 ? num * 1000 / den : 0;
}

/* "62.5" or "60" for a threshold in tenths. */
static void pct_text(int64_t tenths, char out[16])
{
	if (tenths % 10)
		snprintf(out, 16, "%lld.%lld", (long long)(tenths / 10), (long long)(tenths % 10));
	else
		snprintf(out, 16, "%lld", (long long)(tenths / 10));
}

int stats_equipment_points(const struct rules_stats *r, int64_t equipped,
    int64_t classrooms, char *why, size_t len)
{
	int64_t share = stats_share_tenths(equipped, classrooms);
	char t[16];

	if (why && len)
		why[0] = '\0';
	if (r->all_points >= 0 && classrooms > 0 && equipped >= classrooms) {
		if (why)
			snprintf(why, len, "equipment: all %lld classrooms reported: %d points",
			    (long long)classrooms, r->all_points);
		return r->all_points;
	}
	for (size_t i = 0; i < r->nbrackets; i++) {
		/* Exact: equipped / classrooms >= min, in integers. */
		if (classrooms > 0 && equipped * 1000 >= r->brackets[i].min_tenths * classrooms) {
			pct_text(r->brackets[i].min_tenths, t);
			if (why)
				snprintf(why, len, "equipment: %lld of %lld classrooms reported = "
				    "%lld.%lld%% >= %s%%: %d points", (long long)equipped,
				    (long long)classrooms, (long long)(share / 10),
				    (long long)(share % 10), t, r->brackets[i].points);
			return r->brackets[i].points;
		}
	}
	if (why) {
		if (r->nbrackets > 0) {
			pct_text(r->brackets[r->nbrackets - 1].min_tenths, t);
			snprintf(why, len, "equipment: %lld of %lld classrooms reported = "
			    "%lld.%lld%% < %s%%: 0 points", (long long)equipped,
			    (long long)classrooms, (long long)(share / 10), (long long)(share % 10),
			    t);
		} else {
			snprintf(why, len, "equipment: %lld of %lld classrooms reported, not all: "
			    "0 points", (long long)equipped, (long long)classrooms);
		}
	}
	return 0;
}

int stats_target_index(const struct rules_stats *r, int64_t day)
{
	int k = -1;

	for (size_t i = 0; i < r->ntargets; i++)
		if (r->targets[i].day <= day)
			k = (int)i;
	return k;
}

enum { C_LEVEL, C_DISTRICT, C_SCHOOL, C_NAME, C_ROOMS, C_ENROLLED, C_SEEN, C_ACTIVE,
	C_COVERAGE, C_QUAL, C_HOURS, C_POINTS, C_LSCHED, C_LDELIV, C_LPART, C_LMISS,
	C_LUNK, C_LNODEV, C_EQPCT, C_EQSCORE, C_DSCORE, C_ENPCT, C_TARGET, C_MET, C_EXPLAIN,
	C_N };

static const char *const columns[C_N] = { "level", "district", "school", "name",
	"classrooms", "enrolled_devices", "devices_seen", "active_classrooms",
	"coverage_pct", "qualifying_sessions", "teaching_hours", "points",
	"live_scheduled", "live_delivered", "live_partial", "live_missed", "live_unknown",
	"live_no_device", "equipped_pct", "equipment_score", "district_score",
	"enrolled_pct", "target_pct", "target_met", "explain" };

/* One row, judged; printed after the walk (--behind filters and sorts). */
struct line {
	char level[12];
	char district[DB_NAME_LEN];
	char school[DB_SCHOOL_LEN];
	char name[DB_NAME_LEN];
	struct stats_figures f;
	int equipment, district_score;	/* -1 = null */
	int target;			/* the target in force, tenths; -1 = none */
	int met;
	char why[512];
};

struct walk {
	struct db *db;
	const struct points_rule *rule;
	const struct rules_stats *rs;
	const char *zone, *school;
	const struct stats_query *q;
	int64_t pfrom, pto, now, last_day;
	struct line *v;
	size_t n, cap;
	char district[DB_NAME_LEN];	/* the district being added up */
	struct stats_figures dsum, total;
	int in_district;
	int dist_ok;			/* every school so far reaches district_all_at */
	char dist_short[160];		/* the first that does not */
};

static int put_row(struct report *rep, const struct line *l, int explain)
{
	const struct stats_figures *f = &l->f;
	const long long v[] = { f->c.classrooms, f->c.enrolled, f->c.seen,
		f->c.active_classrooms };
	const long long w[] = { f->c.qualifying, 0, f->points, f->live.scheduled,
		f->live.delivered, f->live.partial, f->live.missed, f->live.unknown,
		f->live.no_device };
	int rc = report_row(rep);

	rc |= report_str(rep, C_LEVEL, l->level);
	rc |= report_str(rep, C_DISTRICT, l->district[0] ? l->district : NULL);
	rc |= report_str(rep, C_SCHOOL, l->school[0] ? l->school : NULL);
	rc |= report_str(rep, C_NAME, l->name);
	for (int i = 0; i < 4; i++)
		rc |= report_int(rep, C_ROOMS + i, v[i]);
	rc |= report_tenths(rep, C_COVERAGE, stats_coverage_tenths(f));
	for (int i = 0; i < 9; i++) {
		if (C_QUAL + i == C_HOURS)
			rc |= report_tenths(rep, C_HOURS, stats_hours_tenths(f));
		else
			rc |= report_int(rep, C_QUAL + i, w[i]);
	}
	rc |= report_tenths(rep, C_EQPCT, stats_share_tenths(f->c.equipped,
	    f->c.timetable_rooms));
	if (l->equipment >= 0)
		rc |= report_int(rep, C_EQSCORE, l->equipment);
	if (l->district_score >= 0)
		rc |= report_int(rep, C_DSCORE, l->district_score);
	rc |= report_tenths(rep, C_ENPCT,
	    stats_share_tenths(f->c.enrolled_rooms, f->c.classrooms));
	if (l->target >= 0) {
		rc |= report_tenths(rep, C_TARGET, l->target);
		rc |= report_bool(rep, C_MET, l->met);
	}
	if (explain)
		rc |= report_str(rep, C_EXPLAIN, l->why);
	return rc;
}

/* Fill target, met and their words for a line's figures. */
static void judge_target(const struct walk *w, struct line *l)
{
	const struct stats_figures *f = &l->f;
	int64_t share = stats_share_tenths(f->c.enrolled_rooms, f->c.classrooms);
	int k = stats_target_index(w->rs, w->last_day);
	size_t used = strlen(l->why);
	char t[16];
	int y, m, d;

	l->target = -1;
	if (k < 0) {
		snprintf(l->why + used, sizeof(l->why) - used, "%starget: none due by the "
		    "period's end", used ? "; " : "");
		return;
	}
	l->target = (int)w->rs->targets[k].pct_tenths;
	l->met = f->c.classrooms > 0 &&
	    f->c.enrolled_rooms * 1000 >= w->rs->targets[k].pct_tenths * f->c.classrooms;
	if (w->rs->targets[k].pct_tenths == 0)
		l->met = 1;
	pct_text(w->rs->targets[k].pct_tenths, t);
	bbt_civil_from_days(w->rs->targets[k].day, &y, &m, &d);
	snprintf(l->why + used, sizeof(l->why) - used, "%starget: %lld of %lld classrooms "
	    "enrolled = %lld.%lld%% %s %s%% due %04d-%02d-%02d: %s", used ? "; " : "",
	    (long long)f->c.enrolled_rooms, (long long)f->c.classrooms,
	    (long long)(share / 10), (long long)(share % 10), l->met ? ">=" : "<", t, y, m, d,
	    l->met ? "met" : "not met");
}

static struct line *new_line(struct walk *w, const char *level, const char *district,
    const char *school, const char *name, const struct stats_figures *f)
{
	struct line *l;

	if (bbt_grow(&w->v, &w->cap, w->n + 1, sizeof(*w->v)) < 0)
		return NULL;
	l = &w->v[w->n++];
	memset(l, 0, sizeof(*l));
	snprintf(l->level, sizeof(l->level), "%s", level);
	snprintf(l->district, sizeof(l->district), "%s", district ? district : "");
	snprintf(l->school, sizeof(l->school), "%s", school ? school : "");
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->f = *f;
	l->equipment = -1;
	l->district_score = -1;
	return l;
}

/* Credited points of one school in the period, by the points report itself. */
static int school_points(struct walk *w, const char *code, int64_t *out,
    struct bbt_error *e)
{
	struct points_query q = { NULL, w->q->from, w->q->to, code, 0 };
	struct report *rep = points_report_query(w->db, w->rule, w->zone, &q, w->now,
	    REPORT_JSON, e);
	cJSON *arr, *row;

	if (rep == NULL)
		return -1;
	arr = report_to_json(rep);
	report_free(rep);
	if (arr == NULL)
		return bbt_error_set(e, "out of memory");
	*out = 0;
	cJSON_ArrayForEach(row, arr)
		*out += (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(row, "points"));
	cJSON_Delete(arr);
	return 0;
}

static int close_district(struct walk *w)
{
	struct line *l;
	char t[16];

	if (w->in_district && w->district[0] && w->school == NULL) {
		l = new_line(w, "district", w->district, NULL, w->district, &w->dsum);
		if (l == NULL)
			return -1;
		if (w->rs->equipment && w->rs->district_at_tenths >= 0) {
			l->district_score = w->dist_ok ? w->rs->district_points : 0;
			pct_text(w->rs->district_at_tenths, t);
			if (w->dist_ok)
				snprintf(l->why, sizeof(l->why), "district: every school >= %s%%: "
				    "%d points", t, w->rs->district_points);
			else
				snprintf(l->why, sizeof(l->why), "district: %s < %s%%: 0 points",
				    w->dist_short, t);
		}
		judge_target(w, l);
	}
	memset(&w->dsum, 0, sizeof(w->dsum));
	w->in_district = 0;
	w->dist_ok = 1;
	w->dist_short[0] = '\0';
	return 0;
}

static int on_school(void *arg, const struct db_school *s, const struct db_school_counts *c,
    struct bbt_error *e)
{
	struct walk *w = arg;
	struct stats_figures f = { .c = *c };
	struct line *l;

	if (w->school && strcmp(w->school, s->code) != 0)
		return 0;
	if (!w->in_district || strcmp(w->district, s->district) != 0) {
		if (close_district(w) < 0)
			return bbt_error_set(e, "out of memory");
		snprintf(w->district, sizeof(w->district), "%s", s->district);
		w->in_district = 1;
	}
	if (school_points(w, s->code, &f.points, e) < 0 ||
	    verify_tally_school(w->db, s->code, w->pfrom, w->pto, &f.live, e) < 0)
		return -1;
	stats_add(&w->dsum, &f);
	stats_add(&w->total, &f);
	l = new_line(w, "school", s->district, s->code, s->name, &f);
	if (l == NULL)
		return bbt_error_set(e, "out of memory");
	if (w->rs->equipment)
		l->equipment = stats_equipment_points(w->rs, f.c.equipped,
		    f.c.timetable_rooms, l->why, sizeof(l->why));
	if (w->rs->district_at_tenths >= 0 && w->dist_ok &&
	    !(f.c.timetable_rooms > 0 &&
	    f.c.equipped * 1000 >= w->rs->district_at_tenths * f.c.timetable_rooms)) {
		int64_t sh = stats_share_tenths(f.c.equipped, f.c.timetable_rooms);

		w->dist_ok = 0;
		snprintf(w->dist_short, sizeof(w->dist_short), "%.63s at %lld.%lld%%", s->code,
		    (long long)(sh / 10), (long long)(sh % 10));
	}
	judge_target(w, l);
	return 0;
}

/* Worst first: the largest shortfall (target - enrolled share), then order. */
static int cmp_behind(const void *a, const void *b)
{
	const struct line *x = *(struct line *const *)a, *y = *(struct line *const *)b;
	int64_t gx = x->target - stats_share_tenths(x->f.c.enrolled_rooms, x->f.c.classrooms);
	int64_t gy = y->target - stats_share_tenths(y->f.c.enrolled_rooms, y->f.c.classrooms);

	if (gx != gy)
		return gx > gy ? -1 : 1;
	return x < y ? -1 : x > y;
}

static struct report *emit(struct walk *w)
{
	size_t ncols = w->q->explain ? C_N : C_N - 1;
	struct report *rep = report_new(ncols, columns);
	struct line **order = malloc((w->n ? w->n : 1) * sizeof(*order));
	size_t k = 0;
	int rc = 0;

	if (rep == NULL || order == NULL)
		goto fail;
	for (size_t i = 0; i < w->n; i++)
		if (!w->q->behind || (w->v[i].target >= 0 && !w->v[i].met))
			order[k++] = &w->v[i];
	if (w->q->behind)
		qsort(order, k, sizeof(*order), cmp_behind);
	for (size_t i = 0; i < k && rc == 0; i++)
		rc = put_row(rep, order[i], w->q->explain);
	if (rc != 0)
		goto fail;
	free(order);
	return rep;
fail:
	free(order);
	report_free(rep);
	return NULL;
}

struct report *stats_report(struct db *db, const struct points_rule *rule,
    const struct rules_stats *rs, const char *zone, const struct stats_query *q,
    int64_t now, struct bbt_error *e)
{
	struct walk w = { .db = db, .rule = rule, .rs = rs, .zone = zone, .q = q,
		.school = q->school, .now = now, .dist_ok = 1 };
	struct report *rep = NULL;
	struct line *l;

	if (verify_period(zone, q->from, q->to, now, &w.pfrom, &w.pto, e) < 0)
		return NULL;
	/* The period's last local day, for the target in force. */
	w.last_day = (w.pto - 1 + period_tz_offset(zone, w.pto - 1)) / 86400;
	/* The counts of every school in one read; points and live lessons are
	 * still read school by school. */
	if (db_schools_counts_each(db, q->school, w.pfrom, w.pto, rule->min_duration_s,
	    on_school, &w, e) < 0)
		goto out;
	if (close_district(&w) < 0)
		goto oom;
	if (q->school == NULL) {
		l = new_line(&w, "total", NULL, NULL, "合计", &w.total);
		if (l == NULL)
			goto oom;
		judge_target(&w, l);
	}
	rep = emit(&w);
	if (rep != NULL)
		goto out;
oom:
	bbt_error_set(e, "out of memory");
out:
	free(w.v);
	return rep;
}
