/*
 * points_report: period resolution and the points report's rows.
 *
 * Nothing here is cached: every call attributes and evaluates the sessions
 * it is given, so a report always matches what is stored at that moment
 * (a late offline bundle changes the past week it belongs to). Sessions go
 * through points_stream (points.h) one at a time, so only the rows made
 * are held; the array form sorts its input into the stream's order.
 */
#include "points_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_time.h"

enum { R_TID, R_TNAME, R_SCHOOL, R_WEEK, R_QUAL, R_CRED, R_POINTS, R_NCOLS };
enum { X_TID, X_TNAME, X_SCHOOL, X_WEEK, X_ID, X_START, X_END, X_DUR, X_ROOM, X_CRED,
	X_REASON, X_NCOLS };

static const char *const row_cols[R_NCOLS] = { "teacher_id", "teacher_name", "school",
	"week", "qualifying", "credited", "points" };
static const char *const explain_cols[X_NCOLS] = { "teacher_id", "teacher_name", "school",
	"week", "id", "start", "end", "duration_s", "room", "credited", "reason" };

int points_query_period(const struct points_query *q, const char *server_zone,
    const struct points_rule *r, int64_t now, int64_t *from, int64_t *to,
    struct bbt_error *e)
{
	if (q->week != NULL && (q->from != NULL || q->to != NULL))
		return bbt_error_set(e, "give either --week or --from/--to, not both");
	if ((q->from == NULL) != (q->to == NULL))
		return bbt_error_set(e, "--from and --to go together");
	if (q->week != NULL)
		return period_week(r->week_zone, q->week, from, to, e);
	if (q->from != NULL)
		return period_dates(server_zone, q->from, q->to, from, to, e);
	period_current(r->week_zone, now, from, to);
	return 0;
}

static void fmt_time(const char *zone, int64_t t, char out[BBT_ISO8601_LEN])
{
	bbt_time_format(t, period_tz_offset(zone, t), out);
}

static void week_label(const struct points_row *row, char out[16])
{
	snprintf(out, 16, "%04d-W%02d", row->iso_year, row->iso_week);
}

static cJSON *session_json(const struct points_rule *r, const char *zone,
    const struct points_session *s)
{
	cJSON *o = cJSON_CreateObject();
	char a[BBT_ISO8601_LEN], b[BBT_ISO8601_LEN], why[POINTS_REASON_LEN];

	if (o == NULL)
		return NULL;
	fmt_time(zone, s->start, a);
	fmt_time(zone, s->end, b);
	points_reason_text(r, s->reason, why);
	if (!cJSON_AddStringToObject(o, "id", s->id) || !cJSON_AddStringToObject(o, "start", a) ||
	    !cJSON_AddStringToObject(o, "end", b) ||
	    !cJSON_AddNumberToObject(o, "duration_s", (double)s->duration_s) ||
	    !cJSON_AddStringToObject(o, "room", s->room) ||
	    !cJSON_AddBoolToObject(o, "credited", s->credited) ||
	    !cJSON_AddStringToObject(o, "reason", why)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Where the stream's rows go: the report, as rows or one line per session. */
struct sink {
	struct report *rep;
	const struct points_rule *r;
	const char *zone;
	int explain, lines;
};

static int add_row(const struct sink *k, const struct points_row *row,
    const struct points_session *ss)
{
	struct report *rep = k->rep;
	char week[16];
	cJSON *list;

	week_label(row, week);
	if (report_row(rep) < 0 || report_str(rep, R_TID, row->teacher_id) < 0 ||
	    report_str(rep, R_TNAME, row->teacher_name) < 0 ||
	    report_str(rep, R_SCHOOL, row->school) < 0 || report_str(rep, R_WEEK, week) < 0 ||
	    report_int(rep, R_QUAL, row->qualifying) < 0 ||
	    report_int(rep, R_CRED, row->credited) < 0 ||
	    report_int(rep, R_POINTS, row->points) < 0)
		return -1;
	if (!k->explain)
		return 0;
	list = cJSON_CreateArray();
	for (size_t i = 0; list != NULL && i < row->nsessions; i++) {
		cJSON *o = session_json(k->r, k->zone, &ss[i]);

		if (o == NULL || !cJSON_AddItemToArray(list, o)) {
			cJSON_Delete(o);
			cJSON_Delete(list);
			return -1;
		}
	}
	return report_attach(rep, "sessions", list);
}

static int add_session_line(const struct sink *k, const struct points_row *row,
    const struct points_session *s)
{
	struct report *rep = k->rep;
	char week[16], a[BBT_ISO8601_LEN], b[BBT_ISO8601_LEN], why[POINTS_REASON_LEN];

	week_label(row, week);
	fmt_time(k->zone, s->start, a);
	fmt_time(k->zone, s->end, b);
	points_reason_text(k->r, s->reason, why);
	if (report_row(rep) < 0 || report_str(rep, X_TID, row->teacher_id) < 0 ||
	    report_str(rep, X_TNAME, row->teacher_name) < 0 ||
	    report_str(rep, X_SCHOOL, row->school) < 0 || report_str(rep, X_WEEK, week) < 0 ||
	    report_str(rep, X_ID, s->id) < 0 || report_str(rep, X_START, a) < 0 ||
	    report_str(rep, X_END, b) < 0 || report_int(rep, X_DUR, s->duration_s) < 0 ||
	    report_str(rep, X_ROOM, s->room) < 0 || report_bool(rep, X_CRED, s->credited) < 0 ||
	    report_str(rep, X_REASON, why) < 0)
		return -1;
	return 0;
}

/* One report being made: the stream and where its rows go. */
struct points_report_run {
	struct points_stream *ps;
	struct sink k;
};

static int emit(void *arg, const struct points_row *row, const struct points_session *ss,
    struct bbt_error *e)
{
	const struct sink *k = arg;
	int rc = 0;

	if (!k->lines)
		rc = add_row(k, row, ss);
	for (size_t i = 0; k->lines && i < row->nsessions && rc == 0; i++)
		rc = add_session_line(k, row, &ss[i]);
	return rc < 0 ? bbt_error_set(e, "out of memory") : 0;
}

struct points_report_run *points_report_start(const struct points_rule *r,
    const char *server_zone, const struct timetable_slot *slots, size_t nslots,
    int64_t from, int64_t to, int explain, enum report_format f, struct bbt_error *e)
{
	struct points_report_run *run = calloc(1, sizeof(*run));
	int lines = explain && f != REPORT_JSON;

	if (run == NULL)
		goto oom;
	run->k.r = r;
	run->k.zone = server_zone;
	run->k.explain = explain;
	run->k.lines = lines;
	run->k.rep = lines ? report_new(X_NCOLS, explain_cols) : report_new(R_NCOLS, row_cols);
	run->ps = points_stream_new(r, server_zone, slots, nslots, from, to, explain);
	if (run->k.rep != NULL && run->ps != NULL)
		return run;
	points_report_abandon(run);
oom:
	bbt_error_set(e, "out of memory");
	return NULL;
}

void points_report_slots(struct points_report_run *run, const struct timetable_slot *slots,
    size_t nslots)
{
	points_stream_slots(run->ps, slots, nslots);
}

int points_report_add(struct points_report_run *run, const struct points_session *s,
    struct bbt_error *e)
{
	return points_stream_add(run->ps, s, e);
}

struct report *points_report_finish(struct points_report_run *run, struct bbt_error *e)
{
	struct report *rep = NULL;

	if (points_stream_finish(run->ps, emit, &run->k, e) == 0) {
		rep = run->k.rep;
		run->k.rep = NULL;
	}
	points_report_abandon(run);
	return rep;
}

void points_report_abandon(struct points_report_run *run)
{
	if (run == NULL)
		return;
	report_free(run->k.rep);
	points_stream_free(run->ps);
	free(run);
}

/* School, start, id: the stream's order. */
static int cmp_input(const void *pa, const void *pb)
{
	const struct points_session *a = *(const struct points_session *const *)pa;
	const struct points_session *b = *(const struct points_session *const *)pb;
	int c = strcmp(a->school, b->school);

	if (c != 0)
		return c;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return strcmp(a->id, b->id);
}

struct report *points_report_build(const struct points_rule *r, const char *server_zone,
    const struct timetable_slot *slots, size_t nslots, const struct points_session *ss,
    size_t n, int64_t from, int64_t to, int explain, enum report_format f,
    struct bbt_error *e)
{
	struct points_report_run *run;
	const struct points_session **in = malloc((n ? n : 1) * sizeof(*in));
	int rc = 0;

	if (in == NULL) {
		bbt_error_set(e, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		in[i] = &ss[i];
	qsort(in, n, sizeof(*in), cmp_input);
	run = points_report_start(r, server_zone, slots, nslots, from, to, explain, f, e);
	for (size_t i = 0; run != NULL && i < n && rc == 0; i++)
		rc = points_report_add(run, in[i], e);
	free(in);
	if (run == NULL || rc < 0) {
		points_report_abandon(run);
		return NULL;
	}
	return points_report_finish(run, e);
}
