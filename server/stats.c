/*
 * stats: see stats.h. Rows come per district: its schools, then the
 * district's own row; schools without a district come first with no
 * district row; a bureau-wide request ends with the total.
 */
#include "stats.h"

#include <stdlib.h>
#include <string.h>

#include "points_report.h"

void stats_add(struct stats_figures *into, const struct stats_figures *add)
{
	into->c.classrooms += add->c.classrooms;
	into->c.enrolled += add->c.enrolled;
	into->c.seen += add->c.seen;
	into->c.active_classrooms += add->c.active_classrooms;
	into->c.qualifying += add->c.qualifying;
	into->c.qualifying_s += add->c.qualifying_s;
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

enum { C_LEVEL, C_DISTRICT, C_SCHOOL, C_NAME, C_ROOMS, C_ENROLLED, C_SEEN, C_ACTIVE,
	C_COVERAGE, C_QUAL, C_HOURS, C_POINTS, C_LSCHED, C_LDELIV, C_LPART, C_LMISS,
	C_LUNK, C_LNODEV, C_N };

static const char *const columns[C_N] = { "level", "district", "school", "name",
	"classrooms", "enrolled_devices", "devices_seen", "active_classrooms",
	"coverage_pct", "qualifying_sessions", "teaching_hours", "points",
	"live_scheduled", "live_delivered", "live_partial", "live_missed", "live_unknown",
	"live_no_device" };

static int put_row(struct report *rep, const char *level, const char *district,
    const char *school, const char *name, const struct stats_figures *f)
{
	const long long v[] = { f->c.classrooms, f->c.enrolled, f->c.seen,
		f->c.active_classrooms };
	const long long w[] = { f->c.qualifying, 0, f->points, f->live.scheduled,
		f->live.delivered, f->live.partial, f->live.missed, f->live.unknown,
		f->live.no_device };
	int rc = report_row(rep);

	rc |= report_str(rep, C_LEVEL, level);
	rc |= report_str(rep, C_DISTRICT, district && district[0] ? district : NULL);
	rc |= report_str(rep, C_SCHOOL, school);
	rc |= report_str(rep, C_NAME, name);
	for (int i = 0; i < 4; i++)
		rc |= report_int(rep, C_ROOMS + i, v[i]);
	rc |= report_tenths(rep, C_COVERAGE, stats_coverage_tenths(f));
	for (int i = 0; i < 9; i++) {
		if (C_QUAL + i == C_HOURS)
			rc |= report_tenths(rep, C_HOURS, stats_hours_tenths(f));
		else
			rc |= report_int(rep, C_QUAL + i, w[i]);
	}
	return rc;
}

struct walk {
	struct db *db;
	const struct points_rule *rule;
	const char *zone, *from, *to, *school;
	int64_t pfrom, pto, now;
	struct report *rep;
	char district[DB_NAME_LEN];	/* the district being added up */
	struct stats_figures dsum, total;
	int in_district;
};

/* Credited points of one school in the period, by the points report itself. */
static int school_points(struct walk *w, const char *code, int64_t *out,
    struct bbt_error *e)
{
	struct points_query q = { NULL, w->from, w->to, code, 0 };
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
	int rc = 0;

	if (w->in_district && w->district[0] && w->school == NULL)
		rc = put_row(w->rep, "district", w->district, NULL, w->district, &w->dsum);
	memset(&w->dsum, 0, sizeof(w->dsum));
	w->in_district = 0;
	return rc;
}

static int on_school(void *arg, const struct db_school *s, struct bbt_error *e)
{
	struct walk *w = arg;
	struct stats_figures f = { 0 };

	if (w->school && strcmp(w->school, s->code) != 0)
		return 0;
	if (!w->in_district || strcmp(w->district, s->district) != 0) {
		if (close_district(w) < 0)
			return bbt_error_set(e, "out of memory");
		snprintf(w->district, sizeof(w->district), "%s", s->district);
		w->in_district = 1;
	}
	if (db_school_counts(w->db, s->code, w->pfrom, w->pto, w->rule->min_duration_s,
	    &f.c, e) < 0 || school_points(w, s->code, &f.points, e) < 0 ||
	    verify_tally_school(w->db, s->code, w->pfrom, w->pto, &f.live, e) < 0)
		return -1;
	stats_add(&w->dsum, &f);
	stats_add(&w->total, &f);
	if (put_row(w->rep, "school", s->district, s->code, s->name, &f) < 0)
		return bbt_error_set(e, "out of memory");
	return 0;
}

struct report *stats_report(struct db *db, const struct points_rule *rule,
    const char *zone, const char *from, const char *to, int64_t now, const char *school,
    struct bbt_error *e)
{
	struct walk w = { .db = db, .rule = rule, .zone = zone, .from = from, .to = to,
		.school = school, .now = now };

	if (verify_period(zone, from, to, now, &w.pfrom, &w.pto, e) < 0)
		return NULL;
	w.rep = report_new(C_N, columns);
	if (w.rep == NULL) {
		bbt_error_set(e, "out of memory");
		return NULL;
	}
	if (db_schools_each(db, on_school, &w, e) < 0)
		goto fail;
	if (close_district(&w) < 0 ||
	    (school == NULL && put_row(w.rep, "total", NULL, NULL, "合计", &w.total) < 0)) {
		bbt_error_set(e, "out of memory");
		goto fail;
	}
	return w.rep;
fail:
	report_free(w.rep);
	return NULL;
}
