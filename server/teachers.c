/*
 * teachers: see teachers.h. The fold sorts an index of the weekly rows by
 * (school, teacher) and adds each group up, so a teacher's totals are by
 * construction the sum of their `points` rows. The report walks the term
 * school by school (school_fold) and each school a week at a time
 * (term_week), so it holds one school's timetable and one school-week's
 * sessions at a time, beside the term's rows: a teacher belongs to one
 * school, and the weekly cap needs nothing outside the week.
 */
#include "teachers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

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
	/* A term with no row has no array at all (qsort wants one). */
	if (n > 1)
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

/* The term's rows, one per (school, teacher), owning their strings. */
struct term {
	GHashTable *index;		/* "school\x1fteacher_id" -> position + 1 */
	GStringChunk *strings;
	struct teachers_row *v;
	size_t n, cap;
};

static void row_add(struct teachers_row *t, const struct teachers_row *w)
{
	t->sessions += w->sessions;
	t->qualifying += w->qualifying;
	t->credited += w->credited;
	t->points += w->points;
	t->qualifying_s += w->qualifying_s;
	t->weeks_credited += w->weeks_credited;
	t->live_delivered += w->live_delivered;
	if (w->first != 0 && (t->first == 0 || w->first < t->first))
		t->first = w->first;
	if (w->last > t->last)
		t->last = w->last;
}

/* Add one week's row of a teacher to the term's. */
static int term_merge(struct term *tm, const struct teachers_row *w, struct bbt_error *e)
{
	/* Whole strings, never cut: two long ids must not share a key. */
	char *key = g_strdup_printf("%s\x1f%s", w->school, w->teacher_id ? w->teacher_id :
	    "\x1e");
	gpointer at = g_hash_table_lookup(tm->index, key);
	struct teachers_row *t;

	if (at != NULL) {
		g_free(key);
		row_add(&tm->v[GPOINTER_TO_SIZE(at) - 1], w);
		return 0;
	}
	if (bbt_grow(&tm->v, &tm->cap, tm->n + 1, sizeof(*tm->v)) < 0) {
		g_free(key);
		return bbt_error_set(e, "out of memory");
	}
	t = &tm->v[tm->n];
	memset(t, 0, sizeof(*t));
	t->school = g_string_chunk_insert_const(tm->strings, w->school);
	t->teacher_id = w->teacher_id ? g_string_chunk_insert_const(tm->strings,
	    w->teacher_id) : NULL;
	t->teacher_name = w->teacher_name ? g_string_chunk_insert_const(tm->strings,
	    w->teacher_name) : NULL;
	row_add(t, w);
	tm->n++;
	g_hash_table_insert(tm->index, g_string_chunk_insert(tm->strings, key),
	    GSIZE_TO_POINTER(tm->n));
	g_free(key);
	return 0;
}

/* Add n rows of one week, or of delivered live lessons, to the term's. */
static int term_merge_all(struct term *tm, const struct teachers_row *w, size_t n,
    struct bbt_error *e)
{
	for (size_t i = 0; i < n; i++)
		if (term_merge(tm, &w[i], e) < 0)
			return -1;
	return 0;
}

/*
 * One ISO week [wfrom, wto) of the term: its sessions only are loaded,
 * attributed and judged (the weekly cap needs nothing outside the week),
 * folded, merged into tm and freed. So memory holds one week's sessions
 * and the term's rows, never the term's sessions (CONTRACT 5.7).
 */
static int term_week(struct db *db, const struct points_rule *rule, const char *zone,
    const struct timetable *tt, const char *school, int64_t wfrom, int64_t wto,
    int64_t pfrom, int64_t pto, struct term *tm, struct bbt_error *e)
{
	struct points_session *ss = NULL;
	struct points_row *rows = NULL;
	struct teachers_row *t = NULL;
	size_t n = 0, nrows = 0, nt = 0;
	int rc = -1;

	if (db_points_sessions(db, wfrom, wto, school, &ss, &n, e) < 0)
		return -1;
	points_attribute(tt->slots, tt->n, zone, ss, n);
	if (points_evaluate(rule, ss, n, e) < 0 ||
	    points_rows(rule, ss, n, pfrom, pto, &rows, &nrows, e) < 0 ||
	    teachers_fold(rows, nrows, ss, &t, &nt, e) < 0)
		goto out;
	rc = term_merge_all(tm, t, nt, e);
out:
	free(t);
	points_rows_free(rows, nrows);
	free(ss);
	return rc;
}

/* Every week of [pfrom, pto), whole ISO weeks of the rule's week zone. */
static int term_fold(struct db *db, const struct points_rule *rule, const char *zone,
    const struct timetable *tt, const char *school, int64_t pfrom, int64_t pto,
    struct term *tm, struct bbt_error *e)
{
	int64_t wfrom, wto, a, b;

	period_whole_weeks(rule->week_zone, pfrom, pto, &wfrom, &wto);
	for (a = wfrom; a < wto; a = b) {
		int64_t unused;

		period_whole_weeks(rule->week_zone, a, a + 1, &unused, &b);
		if (b <= a || term_week(db, rule, zone, tt, school, a, b, pfrom, pto, tm, e) < 0)
			return b <= a ? bbt_error_set(e, "week boundary did not advance") : -1;
	}
	return 0;
}

static struct report *term_report(const char *zone, struct teachers_row *t, size_t nt,
    struct bbt_error *e)
{
	struct report *rep = report_new(C_N, columns);
	int rc = 0;

	teachers_sort(t, nt);
	for (size_t i = 0; rep != NULL && i < nt && rc == 0; i++)
		rc = put_row(rep, zone, &t[i]);
	if (rep == NULL || rc != 0) {
		report_free(rep);
		bbt_error_set(e, "out of memory");
		return NULL;
	}
	return rep;
}

/* One school's term: its timetable, its weeks, its delivered live lessons.
 * term_merge copies the strings, so the timetable goes with the school. */
static int school_fold(struct db *db, const struct points_rule *rule, const char *zone,
    const char *school, int64_t pfrom, int64_t pto, struct term *tm, struct bbt_error *e)
{
	struct timetable tt = { 0 };
	struct teachers_row *live = NULL;
	size_t nlive = 0;
	int rc = -1;

	if (db_timetable_load(db, school, &tt, e) < 0 ||
	    term_fold(db, rule, zone, &tt, school, pfrom, pto, tm, e) < 0 ||
	    add_live(db, zone, school, pfrom, pto, &tt, &live, &nlive, e) < 0)
		goto out;
	rc = term_merge_all(tm, live, nlive, e);
out:
	free(live);
	timetable_free(&tt);
	return rc;
}

struct codes {
	char (*v)[DB_SCHOOL_LEN];
	size_t n, cap;
};

static int code_add(void *arg, const struct db_school *s, struct bbt_error *e)
{
	struct codes *c = arg;

	if (bbt_grow(&c->v, &c->cap, c->n + 1, sizeof(*c->v)) < 0)
		return bbt_error_set(e, "out of memory");
	snprintf(c->v[c->n++], DB_SCHOOL_LEN, "%s", s->code);
	return 0;
}

/* school, or every school (NULL) one at a time. */
static int schools_fold(struct db *db, const struct points_rule *rule, const char *zone,
    const char *school, int64_t pfrom, int64_t pto, struct term *tm, struct bbt_error *e)
{
	struct codes c = { 0 };
	int rc = 0;

	if (school)
		return school_fold(db, rule, zone, school, pfrom, pto, tm, e);
	if (db_schools_each(db, code_add, &c, e) < 0)
		rc = -1;
	for (size_t i = 0; i < c.n && rc == 0; i++)
		rc = school_fold(db, rule, zone, c.v[i], pfrom, pto, tm, e);
	free(c.v);
	return rc;
}

struct report *teachers_report(struct db *db, const struct points_rule *rule,
    const char *zone, const char *from, const char *to, int64_t now, const char *school,
    struct bbt_error *e)
{
	struct points_query q = { NULL, from, to, school, 0 };
	struct term tm = { g_hash_table_new(g_str_hash, g_str_equal), g_string_chunk_new(4096),
		NULL, 0, 0 };
	struct report *rep = NULL;
	int64_t pfrom, pto;

	if (points_query_period(&q, zone, rule, now, &pfrom, &pto, e) < 0 ||
	    schools_fold(db, rule, zone, school, pfrom, pto, &tm, e) < 0)
		goto out;
	rep = term_report(zone, tm.v, tm.n, e);
out:
	free(tm.v);
	g_hash_table_destroy(tm.index);
	g_string_chunk_free(tm.strings);
	return rep;
}
