/*
 * points_report: period resolution and the points report's rows.
 *
 * Nothing here is cached: every call attributes and evaluates the sessions
 * it is given, so a report always matches what is stored at that moment
 * (a late offline bundle changes the past week it belongs to).
 */
#include "points_report.h"

#include <stdio.h>
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

static int add_row(struct report *rep, const struct points_rule *r, const char *zone,
    const struct points_row *row, const struct points_session *ss, int explain)
{
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
	if (!explain)
		return 0;
	list = cJSON_CreateArray();
	for (size_t i = 0; list != NULL && i < row->nsessions; i++) {
		cJSON *o = session_json(r, zone, &ss[row->sessions[i]]);

		if (o == NULL || !cJSON_AddItemToArray(list, o)) {
			cJSON_Delete(o);
			cJSON_Delete(list);
			return -1;
		}
	}
	return report_attach(rep, "sessions", list);
}

static int add_session_line(struct report *rep, const struct points_rule *r,
    const char *zone, const struct points_row *row, const struct points_session *s)
{
	char week[16], a[BBT_ISO8601_LEN], b[BBT_ISO8601_LEN], why[POINTS_REASON_LEN];

	week_label(row, week);
	fmt_time(zone, s->start, a);
	fmt_time(zone, s->end, b);
	points_reason_text(r, s->reason, why);
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

struct report *points_report_build(const struct points_rule *r, const char *server_zone,
    const struct timetable_slot *slots, size_t nslots, struct points_session *ss,
    size_t n, int64_t from, int64_t to, int explain, enum report_format f,
    struct bbt_error *e)
{
	int lines = explain && f != REPORT_JSON;
	struct report *rep = lines ? report_new(X_NCOLS, explain_cols) :
	    report_new(R_NCOLS, row_cols);
	struct points_row *rows = NULL;
	size_t nrows = 0;
	int rc = 0;

	if (rep == NULL) {
		bbt_error_set(e, "out of memory");
		return NULL;
	}
	points_attribute(slots, nslots, server_zone, ss, n);
	if (points_evaluate(r, ss, n, e) < 0 ||
	    points_rows(r, ss, n, from, to, &rows, &nrows, e) < 0)
		goto fail;
	for (size_t k = 0; k < nrows && rc == 0; k++) {
		if (!lines) {
			rc = add_row(rep, r, server_zone, &rows[k], ss, explain);
			continue;
		}
		for (size_t i = 0; i < rows[k].nsessions && rc == 0; i++)
			rc = add_session_line(rep, r, server_zone, &rows[k],
			    &ss[rows[k].sessions[i]]);
	}
	points_rows_free(rows, nrows);
	if (rc == 0)
		return rep;
	bbt_error_set(e, "out of memory");
fail:
	report_free(rep);
	return NULL;
}
