/*
 * points: attribution and the weekly-capped points rule, on plain arrays.
 *
 * The rule is applied by sorting an index of the sessions by (school,
 * teacher, week, start, id) and walking each teacher-week group in order, so
 * "the earliest qualifying sessions" is literally the first ones met. Slot
 * times are local wall-clock minutes; they are placed on the session's local
 * day with the zone's offset at the session's start (a DST change inside a
 * lesson is ignored: China has none).
 *
 * The stream (points_stream_*) gets the sessions ordered by school, start,
 * id and holds one school-week of them at a time: a teacher belongs to one
 * school and the cap is per ISO week, so each school-week is a closed
 * group, run through the same attribute/evaluate/rows code as an array.
 * Only the rows it makes are kept (with their sessions if asked), and
 * sorted into the array form's row order at the end.
 */
#include "points.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_array.h"
#include "bbt_defaults.h"
#include "bbt_time.h"
#include "period.h"

void points_rule_default(struct points_rule *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", "互动授课");
	r->points_per_session = 5;
	r->min_duration_s = 900;
	r->max_per_week = 2;
	snprintf(r->week_zone, sizeof(r->week_zone), "%s", BBT_DEFAULT_ZONE);
}

void points_reason_text(const struct points_rule *r, enum points_reason reason,
    char out[POINTS_REASON_LEN])
{
	switch (reason) {
	case POINTS_CREDITED:
		snprintf(out, POINTS_REASON_LEN, "credited");
		return;
	case POINTS_WEEKLY_CAP:
		snprintf(out, POINTS_REASON_LEN, "weekly cap reached");
		return;
	case POINTS_TOO_SHORT:
		if (r->min_duration_s % 60 == 0)
			snprintf(out, POINTS_REASON_LEN, "shorter than %lld min",
			    (long long)(r->min_duration_s / 60));
		else
			snprintf(out, POINTS_REASON_LEN, "shorter than %lld s",
			    (long long)r->min_duration_s);
		return;
	case POINTS_UNATTRIBUTED:
		snprintf(out, POINTS_REASON_LEN, "unattributed");
		return;
	}
	out[0] = '\0';
}

/*
 * Slots sorted two ways so that each session costs a binary search, not a
 * scan: a bureau-wide timetable holds hundreds of thousands of slots.
 * NULL arrays (out of memory) fall back to a scan of every slot.
 */
struct slot_index {
	const struct timetable_slot *slots;
	size_t n;
	size_t *by_room;	/* school, room, weekday, start_min, file order */
	size_t *by_teacher;	/* school, teacher_id, file order */
};

static int cmp_size(size_t a, size_t b)
{
	return a < b ? -1 : a > b;
}

/* Room key order; the slot's own position breaks ties so the sort is stable. */
static int cmp_room_key(const struct timetable_slot *t, const char *school, const char *room,
    int wd)
{
	int c;

	if ((c = strcmp(t->school, school)) != 0)
		return c;
	if ((c = strcmp(t->room, room)) != 0)
		return c;
	return t->weekday < wd ? -1 : t->weekday > wd;
}

static int cmp_by_room(const void *pa, const void *pb, void *base)
{
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const struct timetable_slot *a = (const struct timetable_slot *)base + ia;
	const struct timetable_slot *b = (const struct timetable_slot *)base + ib;
	int c = cmp_room_key(a, b->school, b->room, b->weekday);

	if (c != 0)
		return c;
	if (a->start_min != b->start_min)
		return a->start_min < b->start_min ? -1 : 1;
	return cmp_size(ia, ib);
}

static int cmp_teacher_key(const struct timetable_slot *t, const char *school, const char *tid)
{
	int c = strcmp(t->school, school);

	return c != 0 ? c : strcmp(t->teacher_id, tid);
}

static int cmp_by_teacher(const void *pa, const void *pb, void *base)
{
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const struct timetable_slot *a = (const struct timetable_slot *)base + ia;
	const struct timetable_slot *b = (const struct timetable_slot *)base + ib;
	int c = cmp_teacher_key(a, b->school, b->teacher_id);

	return c != 0 ? c : cmp_size(ia, ib);
}

/*
 * Indexes 0..n-1 of base sorted by cmp (which gets base as its third
 * argument); NULL on allocation failure. qsort_r: reports run concurrently
 * in the HTTP server's threads.
 */
static size_t *sorted_index(const void *base, size_t n,
    int (*cmp)(const void *, const void *, void *))
{
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx));

	if (idx == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), cmp, (void *)base);
	return idx;
}

static void set_teacher(struct points_session *s, const char *id, const char *name)
{
	s->attributed = 1;
	snprintf(s->teacher_id, sizeof(s->teacher_id), "%s", id);
	snprintf(s->teacher_name, sizeof(s->teacher_name), "%s", name);
}

/* The session's own teacher, matched to a timetable id of its school. */
static void attribute_named(const struct slot_index *x, struct points_session *s)
{
	size_t lo = 0, hi = x->n;

	if (x->by_teacher == NULL) {
		for (size_t i = 0; i < x->n; i++) {
			if (cmp_teacher_key(&x->slots[i], s->school, s->teacher) == 0) {
				set_teacher(s, x->slots[i].teacher_id, x->slots[i].teacher_name);
				return;
			}
		}
		set_teacher(s, s->teacher, s->teacher);
		return;
	}
	while (lo < hi) {	/* first slot not below the key */
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_teacher_key(&x->slots[x->by_teacher[mid]], s->school, s->teacher) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < x->n && cmp_teacher_key(&x->slots[x->by_teacher[lo]], s->school,
	    s->teacher) == 0) {
		const struct timetable_slot *t = &x->slots[x->by_teacher[lo]];

		set_teacher(s, t->teacher_id, t->teacher_name);
		return;
	}
	set_teacher(s, s->teacher, s->teacher);
}

static int64_t overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
	int64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;

	return hi > lo ? hi - lo : 0;
}

/* Consider slot t for s: keep it if it overlaps more than the best so far. */
static void consider(const struct timetable_slot *t, int64_t midnight,
    const struct points_session *s, const struct timetable_slot **pick, int64_t *best)
{
	int64_t ov = overlap(s->start, s->end, midnight + t->start_min * 60,
	    midnight + t->end_min * 60);

	if (ov == 0)
		return;
	if (ov > *best || (ov == *best && *pick != NULL && t->start_min < (*pick)->start_min)) {
		*best = ov;
		*pick = t;
	}
}

/* The same-room, same-weekday slot that overlaps s most; ties: the earlier. */
static void attribute_by_slot(const struct slot_index *x, const char *zone,
    struct points_session *s)
{
	int off = period_tz_offset(zone, s->start);
	int64_t day = bbt_floor_div(s->start + off, 86400);
	int64_t midnight = day * 86400 - off, best = 0;
	int wd = bbt_weekday_from_days(day);
	const struct timetable_slot *pick = NULL;
	size_t lo = 0, hi = x->n;

	if (x->by_room == NULL) {
		for (size_t i = 0; i < x->n; i++) {
			if (cmp_room_key(&x->slots[i], s->school, s->room, wd) == 0)
				consider(&x->slots[i], midnight, s, &pick, &best);
		}
	} else {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (cmp_room_key(&x->slots[x->by_room[mid]], s->school, s->room, wd) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < x->n; lo++) {
			const struct timetable_slot *t = &x->slots[x->by_room[lo]];

			if (cmp_room_key(t, s->school, s->room, wd) != 0)
				break;
			consider(t, midnight, s, &pick, &best);
		}
	}
	if (pick != NULL)
		set_teacher(s, pick->teacher_id, pick->teacher_name);
}

static void index_init(struct slot_index *x, const struct timetable_slot *slots,
    size_t nslots)
{
	x->slots = slots;
	x->n = nslots;
	x->by_room = sorted_index(slots, nslots, cmp_by_room);
	x->by_teacher = sorted_index(slots, nslots, cmp_by_teacher);
}

static void index_free(struct slot_index *x)
{
	free(x->by_room);
	free(x->by_teacher);
}

static void attribute_one(const struct slot_index *x, const char *server_zone,
    struct points_session *s)
{
	s->attributed = 0;
	s->teacher_id[0] = s->teacher_name[0] = '\0';
	if (s->teacher[0] != '\0')
		attribute_named(x, s);
	else
		attribute_by_slot(x, server_zone, s);
}

void points_attribute(const struct timetable_slot *slots, size_t nslots,
    const char *server_zone, struct points_session *ss, size_t n)
{
	struct slot_index x;

	index_init(&x, slots, nslots);
	for (size_t i = 0; i < n; i++)
		attribute_one(&x, server_zone, &ss[i]);
	index_free(&x);
}

static int cmp_int(long long a, long long b)
{
	return a < b ? -1 : a > b;
}

/* Order for the rule: school, attributed first, teacher, week, start, id. */
static int cmp_rule(const void *pa, const void *pb, void *base)
{
	const struct points_session *a = (const struct points_session *)base + *(const size_t *)pa;
	const struct points_session *b = (const struct points_session *)base + *(const size_t *)pb;
	int c;

	if ((c = strcmp(a->school, b->school)) != 0)
		return c;
	if ((c = cmp_int(b->attributed, a->attributed)) != 0)
		return c;
	if ((c = strcmp(a->teacher_id, b->teacher_id)) != 0)
		return c;
	if ((c = cmp_int(a->iso_year * 100 + a->iso_week, b->iso_year * 100 + b->iso_week)) != 0)
		return c;
	if ((c = cmp_int(a->start, b->start)) != 0)
		return c;
	return strcmp(a->id, b->id);
}

static int same_group(const struct points_session *a, const struct points_session *b)
{
	return strcmp(a->school, b->school) == 0 && a->attributed == b->attributed &&
	    strcmp(a->teacher_id, b->teacher_id) == 0 && a->iso_year == b->iso_year &&
	    a->iso_week == b->iso_week;
}

int points_evaluate(const struct points_rule *r, struct points_session *ss, size_t n,
    struct bbt_error *e)
{
	size_t *idx;
	int credited = 0;

	for (size_t i = 0; i < n; i++) {
		bbt_iso_week(ss[i].start, period_tz_offset(r->week_zone, ss[i].start),
		    &ss[i].iso_year, &ss[i].iso_week);
		ss[i].qualifying = ss[i].duration_s >= r->min_duration_s;
		ss[i].credited = 0;
	}
	idx = sorted_index(ss, n, cmp_rule);
	if (idx == NULL)
		return bbt_error_set(e, "out of memory");
	for (size_t k = 0; k < n; k++) {
		struct points_session *s = &ss[idx[k]];

		if (k == 0 || !same_group(&ss[idx[k - 1]], s))
			credited = 0;
		if (!s->attributed)
			s->reason = POINTS_UNATTRIBUTED;
		else if (!s->qualifying)
			s->reason = POINTS_TOO_SHORT;
		else if (r->max_per_week > 0 && credited >= r->max_per_week)
			s->reason = POINTS_WEEKLY_CAP;
		else {
			s->reason = POINTS_CREDITED;
			s->credited = 1;
			credited++;
		}
	}
	free(idx);
	return 0;
}

/* Row order: week, school, teacher (unattributed last), then start. */
static int cmp_row(const void *pa, const void *pb, void *base)
{
	const struct points_session *a = (const struct points_session *)base + *(const size_t *)pa;
	const struct points_session *b = (const struct points_session *)base + *(const size_t *)pb;
	int c;

	if ((c = cmp_int(a->iso_year * 100 + a->iso_week, b->iso_year * 100 + b->iso_week)) != 0)
		return c;
	if ((c = strcmp(a->school, b->school)) != 0)
		return c;
	if ((c = cmp_int(b->attributed, a->attributed)) != 0)
		return c;
	if ((c = strcmp(a->teacher_id, b->teacher_id)) != 0)
		return c;
	if ((c = cmp_int(a->start, b->start)) != 0)
		return c;
	return strcmp(a->id, b->id);
}

static int add_to_row(struct points_row *row, const struct points_rule *r,
    const struct points_session *s, size_t i)
{
	size_t cap = row->nsessions;	/* grown one index at a time */

	if (bbt_grow(&row->sessions, &cap, row->nsessions + 1, sizeof(*row->sessions)) < 0)
		return -1;
	row->sessions[row->nsessions++] = i;
	row->qualifying += s->qualifying;
	row->credited += s->credited;
	row->points += s->credited ? r->points_per_session : 0;
	return 0;
}

static void row_init(struct points_row *row, const struct points_session *s)
{
	memset(row, 0, sizeof(*row));
	row->school = s->school;
	row->teacher_id = s->attributed ? s->teacher_id : NULL;
	row->teacher_name = s->attributed ? s->teacher_name : NULL;
	row->iso_year = s->iso_year;
	row->iso_week = s->iso_week;
}

int points_rows(const struct points_rule *r, const struct points_session *ss, size_t n,
    int64_t from, int64_t to, struct points_row **rows, size_t *nrows,
    struct bbt_error *e)
{
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx)), m = 0, nr = 0;
	struct points_row *out = calloc(n ? n : 1, sizeof(*out));
	const struct points_session *prev = NULL;

	if (idx == NULL || out == NULL)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		if (ss[i].start >= from && ss[i].start < to)
			idx[m++] = i;
	}
	qsort_r(idx, m, sizeof(*idx), cmp_row, (void *)ss);
	for (size_t k = 0; k < m; k++) {
		const struct points_session *s = &ss[idx[k]];

		if (prev == NULL || !same_group(prev, s))
			row_init(&out[nr++], s);
		if (add_to_row(&out[nr - 1], r, s, idx[k]) < 0)
			goto oom;
		prev = s;
	}
	free(idx);
	*rows = out;
	*nrows = nr;
	return 0;
oom:
	free(idx);
	points_rows_free(out, nr);
	return bbt_error_set(e, "out of memory");
}

void points_rows_free(struct points_row *rows, size_t nrows)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < nrows; i++)
		free(rows[i].sessions);
	free(rows);
}

/* One row the stream made; row's strings point at the copies here. */
struct stream_row {
	struct points_row row;
	char school[TIMETABLE_SCHOOL_LEN];
	char teacher_id[TIMETABLE_TEACHER_ID_LEN];
	char teacher_name[TIMETABLE_TEACHER_NAME_LEN];
	int attributed;
	size_t first;		/* its first session in kept (keep only) */
	size_t seq;		/* the order made, for a stable sort */
};

struct points_stream {
	struct points_rule rule;
	const char *zone;
	struct slot_index x;
	int64_t from, to;
	int keep;
	struct points_session *buf;	/* the school-week being gathered */
	size_t nbuf, capbuf;
	int year, week;			/* of buf */
	struct stream_row *rows;
	size_t nrows, caprows;
	struct points_session *kept;	/* the rows' sessions, row after row */
	size_t nkept, capkept;
};

struct points_stream *points_stream_new(const struct points_rule *r, const char *server_zone,
    const struct timetable_slot *slots, size_t nslots, int64_t from, int64_t to, int keep)
{
	struct points_stream *ps = calloc(1, sizeof(*ps));

	if (ps == NULL)
		return NULL;
	ps->rule = *r;
	ps->zone = server_zone;
	index_init(&ps->x, slots, nslots);
	ps->from = from;
	ps->to = to;
	ps->keep = keep;
	return ps;
}

void points_stream_free(struct points_stream *ps)
{
	if (ps == NULL)
		return;
	index_free(&ps->x);
	free(ps->buf);
	free(ps->rows);
	free(ps->kept);
	free(ps);
}

void points_stream_slots(struct points_stream *ps, const struct timetable_slot *slots,
    size_t nslots)
{
	index_free(&ps->x);
	index_init(&ps->x, slots, nslots);
}

/* Keep one row of the school-week in buf (and its sessions if asked). */
static int keep_row(struct points_stream *ps, const struct points_row *row)
{
	struct stream_row *o;

	if (bbt_grow(&ps->rows, &ps->caprows, ps->nrows + 1, sizeof(*ps->rows)) < 0 ||
	    (ps->keep && bbt_grow(&ps->kept, &ps->capkept, ps->nkept + row->nsessions,
	    sizeof(*ps->kept)) < 0))
		return -1;
	o = &ps->rows[ps->nrows];
	memset(o, 0, sizeof(*o));
	o->row = *row;
	o->row.sessions = NULL;
	snprintf(o->school, sizeof(o->school), "%s", row->school);
	o->attributed = row->teacher_id != NULL;
	if (o->attributed) {
		snprintf(o->teacher_id, sizeof(o->teacher_id), "%s", row->teacher_id);
		snprintf(o->teacher_name, sizeof(o->teacher_name), "%s", row->teacher_name);
	}
	o->seq = ps->nrows++;
	o->first = ps->nkept;
	for (size_t i = 0; ps->keep && i < row->nsessions; i++)
		ps->kept[ps->nkept++] = ps->buf[row->sessions[i]];
	return 0;
}

/* The rule over the gathered school-week, then its rows kept; buf emptied. */
static int flush(struct points_stream *ps, struct bbt_error *e)
{
	struct points_row *rows = NULL;
	size_t nrows = 0;
	int rc = 0;

	if (ps->nbuf == 0)
		return 0;
	if (points_evaluate(&ps->rule, ps->buf, ps->nbuf, e) < 0 ||
	    points_rows(&ps->rule, ps->buf, ps->nbuf, ps->from, ps->to, &rows, &nrows, e) < 0)
		return -1;
	for (size_t k = 0; k < nrows && rc == 0; k++)
		rc = keep_row(ps, &rows[k]);
	points_rows_free(rows, nrows);
	ps->nbuf = 0;
	return rc < 0 ? bbt_error_set(e, "out of memory") : 0;
}

int points_stream_add(struct points_stream *ps, const struct points_session *s,
    struct bbt_error *e)
{
	struct points_session *b;
	int year, week;

	bbt_iso_week(s->start, period_tz_offset(ps->rule.week_zone, s->start), &year, &week);
	if (ps->nbuf > 0 && strcmp(ps->buf[0].school, s->school) == 0 &&
	    year * 100 + week < ps->year * 100 + ps->week)
		return bbt_error_set(e, "sessions out of order (school %s)", s->school);
	if (ps->nbuf > 0 && (strcmp(ps->buf[0].school, s->school) != 0 || year != ps->year ||
	    week != ps->week) && flush(ps, e) < 0)
		return -1;
	if (bbt_grow(&ps->buf, &ps->capbuf, ps->nbuf + 1, sizeof(*ps->buf)) < 0)
		return bbt_error_set(e, "out of memory");
	b = &ps->buf[ps->nbuf++];
	*b = *s;
	attribute_one(&ps->x, ps->zone, b);
	ps->year = year;
	ps->week = week;
	return 0;
}

/* The array form's row order: week, school, teacher (unattributed last). */
static int cmp_stream_row(const void *pa, const void *pb)
{
	const struct stream_row *a = pa, *b = pb;
	int c;

	if ((c = cmp_int(a->row.iso_year * 100 + a->row.iso_week,
	    b->row.iso_year * 100 + b->row.iso_week)) != 0)
		return c;
	if ((c = strcmp(a->school, b->school)) != 0)
		return c;
	if ((c = cmp_int(b->attributed, a->attributed)) != 0)
		return c;
	if ((c = strcmp(a->teacher_id, b->teacher_id)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int points_stream_finish(struct points_stream *ps, points_row_fn fn, void *arg,
    struct bbt_error *e)
{
	if (flush(ps, e) < 0)
		return -1;
	if (ps->nrows > 1)
		qsort(ps->rows, ps->nrows, sizeof(*ps->rows), cmp_stream_row);
	for (size_t k = 0; k < ps->nrows; k++) {
		struct stream_row *o = &ps->rows[k];

		o->row.school = o->school;
		o->row.teacher_id = o->attributed ? o->teacher_id : NULL;
		o->row.teacher_name = o->attributed ? o->teacher_name : NULL;
		if (fn(arg, &o->row, ps->keep ? &ps->kept[o->first] : NULL, e) != 0)
			return -1;
	}
	return 0;
}
