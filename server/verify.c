/*
 * verify: see verify.h. verify_end is the whole rule; the rest gathers its
 * inputs from storage, one lesson end at a time, and shapes the rows.
 */
#include "verify.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bbt_array.h"
#include "bbt_time.h"
#include "db.h"
#include "points.h"

static int by_start(const void *a, const void *b)
{
	const struct verify_interval *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Seconds of [s, e) covered by the union of the intervals (sorted here). */
static int64_t covered(struct verify_interval *v, size_t n, int64_t s, int64_t e)
{
	int64_t total = 0, reach = s;

	qsort(v, n, sizeof(*v), by_start);
	for (size_t i = 0; i < n; i++) {
		int64_t a = v[i].start > reach ? v[i].start : reach;
		int64_t b = v[i].end < e ? v[i].end : e;

		if (b > a) {
			total += b - a;
			reach = b;
		}
	}
	return total;
}

enum verify_status verify_end(const struct verify_end_input *in, int64_t *covered_s)
{
	struct verify_interval *v = NULL;
	int64_t slot = in->slot_end - in->slot_start;

	*covered_s = 0;
	if (in->nsessions > 0) {
		v = malloc(in->nsessions * sizeof(*v));
		if (v != NULL) {
			memcpy(v, in->sessions, in->nsessions * sizeof(*v));
			*covered_s = covered(v, in->nsessions, in->slot_start, in->slot_end);
			free(v);
		}
	}
	/* Integers, so exactly 80% is delivered whatever the slot's length. */
	if (slot > 0 && *covered_s * 5 >= slot * 4)
		return VERIFY_DELIVERED;
	if (*covered_s > 0)
		return VERIFY_PARTIAL;
	if (!in->has_device)
		return VERIFY_NO_DEVICE;
	if (in->last_seen >= in->slot_end)
		return VERIFY_MISSED;
	return VERIFY_UNKNOWN;
}

const char *verify_status_name(enum verify_status s)
{
	static const char *const names[] = { "delivered", "partial", "missed", "unknown",
		"no_device" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

int verify_period(const char *zone, const char *from, const char *to, int64_t now,
    int64_t *pfrom, int64_t *pto, struct bbt_error *e)
{
	if (!from && !to) {
		period_current(zone, now, pfrom, pto);
		return 0;
	}
	if (!from || !to)
		return bbt_error_set(e, "give both --from and --to, or neither");
	return period_dates(zone, from, to, pfrom, pto, e);
}

/* ---- one end, from storage ---- */

struct end_result {
	enum verify_status status;
	int64_t covered_s;
	cJSON *ids;			/* evidence; NULL if not wanted */
};

struct spans {
	struct verify_interval *v;
	size_t n, cap;
	cJSON *ids;
};

static int add_span(void *arg, const char *id, int64_t start, int64_t end,
    struct bbt_error *e)
{
	struct spans *s = arg;

	if (bbt_grow(&s->v, &s->cap, s->n + 1, sizeof(*s->v)) < 0)
		return bbt_error_set(e, "out of memory");
	s->v[s->n++] = (struct verify_interval){ start, end };
	if (s->ids && !cJSON_AddItemToArray(s->ids, cJSON_CreateString(id)))
		return bbt_error_set(e, "out of memory");
	return 0;
}

/* Judge the end in school/room of a slot; room "" has no device to match. */
static int judge(struct db *db, const char *school, const char *room, int64_t start,
    int64_t end, struct end_result *r, struct bbt_error *e)
{
	struct spans s = { .ids = r->ids };
	struct verify_end_input in = { .slot_start = start, .slot_end = end };
	int ndev = 0, rc = 0;

	if (room[0] != '\0') {
		rc = db_room_sessions(db, school, room, start, end, add_span, &s, e);
		if (rc == 0)
			rc = db_room_devices(db, school, room, &ndev, &in.last_seen, e);
	}
	if (rc == 0) {
		in.sessions = s.v;
		in.nsessions = s.n;
		in.has_device = ndev > 0;
		r->status = verify_end(&in, &r->covered_s);
	}
	free(s.v);
	return rc;
}

/* ---- the report ---- */

enum { C_SEQ, C_TYPE, C_SUBJECT, C_TEACHER, C_COURSE, C_START, C_END, C_ROLE, C_SCHOOL,
	C_ROOM, C_STATUS, C_COVERED, C_N };

static const char *const columns[C_N] = { "seq", "type", "subject", "teacher", "course",
	"start", "end", "end_role", "school", "room", "status", "covered_min" };

struct walk {
	struct db *db;
	struct report *rep;
	const char *school;		/* NULL = every school */
	const char *zone;
	struct verify_tally *tally;	/* tally mode instead of rows */
};

static int add_row(struct walk *w, const struct db_live_lesson *l, const char *role,
    const char *school, const char *room, struct end_result *r, struct bbt_error *e)
{
	char t[2][BBT_ISO8601_LEN];
	int rc = 0;

	bbt_time_format(l->start, period_tz_offset(w->zone, l->start), t[0]);
	bbt_time_format(l->end, period_tz_offset(w->zone, l->end), t[1]);
	rc |= report_row(w->rep);
	rc |= report_str(w->rep, C_SEQ, l->seq);
	rc |= report_str(w->rep, C_TYPE, l->type);
	rc |= report_str(w->rep, C_SUBJECT, l->subject);
	rc |= report_str(w->rep, C_TEACHER, l->teacher);
	rc |= report_str(w->rep, C_COURSE, l->course);
	rc |= report_str(w->rep, C_START, t[0]);
	rc |= report_str(w->rep, C_END, t[1]);
	rc |= report_str(w->rep, C_ROLE, role);
	rc |= report_str(w->rep, C_SCHOOL, school);
	rc |= report_str(w->rep, C_ROOM, room[0] ? room : NULL);
	rc |= report_str(w->rep, C_STATUS, verify_status_name(r->status));
	rc |= report_int(w->rep, C_COVERED, (long long)(r->covered_s / 60));
	rc |= report_attach(w->rep, "sessions", r->ids);
	r->ids = NULL;
	return rc ? bbt_error_set(e, "out of memory") : 0;
}

static void count(struct verify_tally *t, enum verify_status s)
{
	t->scheduled++;
	switch (s) {
	case VERIFY_DELIVERED: t->delivered++; break;
	case VERIFY_PARTIAL: t->partial++; break;
	case VERIFY_MISSED: t->missed++; break;
	case VERIFY_UNKNOWN: t->unknown++; break;
	case VERIFY_NO_DEVICE: t->no_device++; break;
	}
}

static int one_end(struct walk *w, const struct db_live_lesson *l, const char *role,
    const char *school, const char *room, struct bbt_error *e)
{
	struct end_result r = { 0 };
	int rc;

	if (w->school && strcmp(w->school, school) != 0)
		return 0;	/* the other school's end */
	if (!w->tally)
		r.ids = cJSON_CreateArray();
	if (!w->tally && r.ids == NULL)
		return bbt_error_set(e, "out of memory");
	rc = judge(w->db, school, room, l->start, l->end, &r, e);
	if (rc == 0 && w->tally)
		count(w->tally, r.status);
	else if (rc == 0)
		rc = add_row(w, l, role, school, room, &r, e);
	cJSON_Delete(r.ids);
	return rc;
}

static int on_lesson(void *arg, const struct db_live_lesson *l, struct bbt_error *e)
{
	struct walk *w = arg;

	if (one_end(w, l, "deliver", l->school, l->room, e) < 0)
		return -1;
	if (l->recv_school[0] == '\0')
		return 0;
	return one_end(w, l, "receive", l->recv_school, l->recv_room, e);
}

struct report *verify_report(struct db *db, const char *school, const char *zone,
    int64_t from, int64_t to, struct bbt_error *e)
{
	struct walk w = { db, report_new(C_N, columns), school, zone, NULL };

	return report_built(w.rep, w.rep ? db_live_each(db, school, from, to, on_lesson, &w,
	    e) : -1, e);
}

int verify_tally_school(struct db *db, const char *school_code, int64_t from, int64_t to,
    struct verify_tally *out, struct bbt_error *e)
{
	struct walk w = { db, NULL, school_code, NULL, out };

	memset(out, 0, sizeof(*out));
	return db_live_each(db, school_code, from, to, on_lesson, &w, e);
}
