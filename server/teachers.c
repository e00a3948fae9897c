/*
 * teachers: see teachers.h. The fold sorts an index of the weekly rows by
 * (school, teacher) and adds each group up, so a teacher's totals are by
 * construction the sum of their `points` rows.
 */
#include "teachers.h"

#include <stdlib.h>
#include <string.h>

#include "bbt_array.h"
#include "bbt_time.h"
#include "db.h"
#include "points_report.h"
#include "verify.h"

/* NULL (the unattributed) sorts after every teacher_id. */
static int cmp_id(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == NULL) - (b == NULL);
	return strcmp(a, b);
}

static int cmp_row_idx(const void *a, const void *b, void *arg)
{
	const struct points_row *rows = arg;
	const struct points_row *x = &rows[*(const size_t *)a], *y = &rows[*(const size_t *)b];
	int c = strcmp(x->school, y->school);

	return c ? c : cmp_id(x->teacher_id, y->teacher_id);
}

static void add_week(struct teachers_row *t, const struct points_row *w,
    const struct points_session *ss)
{
	t->qualifying += w->qualifying;
	t->credited += w->credited;
	t->points += w->points;
	t->weeks_credited += w->credited > 0;
	for (size_t i = 0; i < w->nsessions; i++) {
		const struct points_session *s = &ss[w->sessions[i]];

		t->sessions++;
		if (s->qualifying)
			t->qualifying_s += s->duration_s;
		if (t->first == 0 || s->start < t->first)
			t->first = s->start;
		if (s->end > t->last)
			t->last = s->end;
	}
}

int teachers_fold(const struct points_row *rows, size_t nrows,
    const struct points_session *ss, struct teachers_row **out, size_t *nout,
    struct bbt_error *e)
{
	size_t *idx = malloc((nrows ? nrows : 1) * sizeof(*idx));
	struct teachers_row *v = calloc(nrows ? nrows : 1, sizeof(*v));
	size_t n = 0;

	if (idx == NULL || v == NULL) {
		free(idx);
		free(v);
		return bbt_error_set(e, "out of memory");
	}
	for (size_t i = 0; i < nrows; i++)
		idx[i] = i;
	qsort_r(idx, nrows, sizeof(*idx), cmp_row_idx, (void *)rows);
	for (size_t k = 0; k < nrows; k++) {
		const struct points_row *w = &rows[idx[k]];

		if (n == 0 || cmp_row_idx(&idx[k], &idx[k - 1], (void *)rows) != 0) {
			v[n].school = w->school;
			v[n].teacher_id = w->teacher_id;
			v[n].teacher_name = w->teacher_name;
			n++;
		}
		add_week(&v[n - 1], w, ss);
	}
	free(idx);
	*out = v;
	*nout = n;
	return 0;
}

int teachers_live_match(const struct timetable_slot *slots, size_t nslots,
    const char *school, const char *name, const char **id)
{
	*id = NULL;
	if (name == NULL || name[0] == '\0')
		return 0;
	for (size_t i = 0; i < nslots; i++) {
		if (strcmp(slots[i].school, school) != 0 ||
		    strcmp(slots[i].teacher_name, name) != 0)
			continue;
		if (*id != NULL && strcmp(*id, slots[i].teacher_id) != 0) {
			*id = NULL;
			return 2;
		}
		*id = slots[i].teacher_id;
	}
	return *id != NULL;
}

int teachers_add_live(struct teachers_row **rows, size_t *n, const char *school,
    const char *teacher_id, const char *teacher_name)
{
	struct teachers_row *p;
	size_t cap = *n;

	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*rows)[i].school, school) == 0 &&
		    cmp_id((*rows)[i].teacher_id, teacher_id) == 0) {
			(*rows)[i].live_delivered++;
			return 0;
		}
	}
	/* The caller's array holds exactly *n: grown here one row at a time. */
	if (bbt_grow(rows, &cap, *n + 1, sizeof(**rows)) < 0)
		return -1;
	p = *rows;
	memset(&p[*n], 0, sizeof(p[*n]));
	p[*n].school = school;
	p[*n].teacher_id = teacher_id;
	p[*n].teacher_name = teacher_name;
	p[*n].live_delivered = 1;
	(*n)++;
	return 0;
}

static int cmp_teacher(const void *a, const void *b)
{
	const struct teachers_row *x = a, *y = b;
	int c;

	if (x->points != y->points)
		return x->points > y->points ? -1 : 1;
	c = strcmp(x->school, y->school);
	return c ? c : cmp_id(x->teacher_id, y->teacher_id);
}

void teachers_sort(struct teachers_row *rows, size_t n)
{
	qsort(rows, n, sizeof(*rows), cmp_teacher);
}

/* ---- from storage ---- */

enum { C_TID, C_TNAME, C_SCHOOL, C_SESS, C_QUAL, C_CRED, C_POINTS, C_HOURS, C_WEEKS,
	C_LIVE, C_FIRST, C_LAST, C_N };

static const char *const columns[C_N] = { "teacher_id", "teacher_name", "school",
	"sessions", "qualifying", "credited", "points", "teaching_hours", "weeks_credited",
	"live_delivered", "first", "last" };

static int put_time(struct report *rep, size_t col, const char *zone, int64_t t)
{
	char s[BBT_ISO8601_LEN];

	if (t == 0)
		return report_str(rep, col, NULL);
	bbt_time_format(t, period_tz_offset(zone, t), s);
	return report_str(rep, col, s);
}

static int put_row(struct report *rep, const char *zone, const struct teachers_row *t)
{
	int rc = report_row(rep);

	rc |= report_str(rep, C_TID, t->teacher_id);
	rc |= report_str(rep, C_TNAME, t->teacher_name);
	rc |= report_str(rep, C_SCHOOL, t->school);
	rc |= report_int(rep, C_SESS, t->sessions);
	rc |= report_int(rep, C_QUAL, t->qualifying);
	rc |= report_int(rep, C_CRED, t->credited);
	rc |= report_int(rep, C_POINTS, t->points);
	/* Tenths rounded half up, as stats' teaching hours. */
	rc |= report_tenths(rep, C_HOURS, (t->qualifying_s * 20 + 3600) / 7200);
	rc |= report_int(rep, C_WEEKS, t->weeks_credited);
	rc |= report_int(rep, C_LIVE, t->live_delivered);
	rc |= put_time(rep, C_FIRST, zone, t->first);
	rc |= put_time(rep, C_LAST, zone, t->last);
	return rc;
}

/* Delivered deliver-ends from verify's own report, credited by name. */
static int add_live(struct db *db, const char *zone, const char *school, int64_t from,
    int64_t to, const struct timetable *tt, struct teachers_row **rows, size_t *n,
    struct bbt_error *e)
{
	struct report *vr = verify_report(db, school, zone, from, to, e);
	cJSON *arr, *l;
	int rc = 0;

	if (vr == NULL)
		return -1;
	arr = report_to_json(vr);
	report_free(vr);
	if (arr == NULL)
		return bbt_error_set(e, "out of memory");
	cJSON_ArrayForEach(l, arr) {
		const char *role = cJSON_GetStringValue(cJSON_GetObjectItem(l, "end_role"));
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(l, "status"));
		const char *sc = cJSON_GetStringValue(cJSON_GetObjectItem(l, "school"));
		const char *who = cJSON_GetStringValue(cJSON_GetObjectItem(l, "teacher"));
		const char *id;
		size_t k;

		if (!role || !st || !sc || strcmp(role, "deliver") != 0 ||
		    strcmp(st, "delivered") != 0 ||
		    teachers_live_match(tt->slots, tt->n, sc, who, &id) != 1)
			continue;
		/* The row keeps pointers: take them from the timetable, not arr. */
		for (k = 0; k < tt->n && tt->slots[k].teacher_id != id; k++)
			;
		if (teachers_add_live(rows, n, tt->slots[k].school, id,
		    tt->slots[k].teacher_name) < 0) {
			rc = bbt_error_set(e, "out of memory");
			break;
		}
	}
	cJSON_Delete(arr);
	return rc;
}

struct report *teachers_report(struct db *db, const struct points_rule *rule,
    const char *zone, const char *from, const char *to, int64_t now, const char *school,
    struct bbt_error *e)
{
	struct points_query q = { NULL, from, to, school, 0 };
	struct timetable tt = { 0 };
	struct points_session *ss = NULL;
	struct points_row *rows = NULL;
	struct teachers_row *t = NULL;
	struct report *rep = NULL;
	int64_t pfrom, pto, wfrom, wto;
	size_t n = 0, nrows = 0, nt = 0;
	int rc = 0;

	if (points_query_period(&q, zone, rule, now, &pfrom, &pto, e) < 0)
		return NULL;
	period_whole_weeks(rule->week_zone, pfrom, pto, &wfrom, &wto);
	if (db_timetable_load(db, school, &tt, e) < 0 ||
	    db_points_sessions(db, wfrom, wto, school, &ss, &n, e) < 0)
		goto out;
	points_attribute(tt.slots, tt.n, zone, ss, n);
	if (points_evaluate(rule, ss, n, e) < 0 ||
	    points_rows(rule, ss, n, pfrom, pto, &rows, &nrows, e) < 0 ||
	    teachers_fold(rows, nrows, ss, &t, &nt, e) < 0 ||
	    add_live(db, zone, school, pfrom, pto, &tt, &t, &nt, e) < 0)
		goto out;
	teachers_sort(t, nt);
	rep = report_new(C_N, columns);
	for (size_t i = 0; rep != NULL && i < nt && rc == 0; i++)
		rc = put_row(rep, zone, &t[i]);
	if (rep == NULL || rc != 0) {
		report_free(rep);
		rep = NULL;
		bbt_error_set(e, "out of memory");
	}
out:
	free(t);
	points_rows_free(rows, nrows);
	free(ss);
	timetable_free(&tt);
	return rep;
}
