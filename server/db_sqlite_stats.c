/*
 * db_sqlite_stats: the statistics part of server/db.h on SQLite: a school's
 * classrooms, devices and qualifying sessions in a period, each one
 * indexed query (sessions by (school, start), devices by (school, room)),
 * the contact history and the per-school detector settings.
 *
 * Contact history: device_contacts holds one row per device and UTC day
 * with bit h set when the device made contact in hour h of that day. A
 * period [from, to) takes the hours whose start lies in it, which is exact
 * for every zone at a whole-hour offset (Asia/Shanghai), and costs at most
 * one row per device per day however often it heartbeats.
 */
#include <string.h>

#include "db_sqlite_internal.h"
#include "db_stats_sql.h"

int db_sqlite_schools_each(struct db *db, db_school_fn fn, void *arg, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "SELECT code, name, coalesce(district, '') "
	    "FROM schools ORDER BY coalesce(district, ''), code", e);
	struct db_school s;
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_sqlite_text(st, 0, s.code, sizeof(s.code));
		db_sqlite_text(st, 1, s.name, sizeof(s.name));
		db_sqlite_text(st, 2, s.district, sizeof(s.district));
		if (fn(arg, &s, e) < 0) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_sqlite_fail(db, e, "schools");
}

/* One row of integers from sql bound to (school, a, b, c). */
static int ints(struct db *db, const char *sql, const char *school, int64_t a, int64_t b,
    int64_t c, int64_t *out, int nout, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, sql, e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, school, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, a);
	sqlite3_bind_int64(st, 3, b);
	sqlite3_bind_int64(st, 4, c);
	rc = sqlite3_step(st);
	for (int i = 0; rc == SQLITE_ROW && i < nout; i++)
		out[i] = sqlite3_column_int64(st, i);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_sqlite_fail(db, e, "school counts");
}

int db_sqlite_device_contact(struct db *db, const char *device_id, int64_t now,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "INSERT INTO device_contacts (device_id, day, "
	    "hours) VALUES (?1, ?2, ?3) ON CONFLICT (device_id, day) DO UPDATE SET "
	    "hours = device_contacts.hours | excluded.hours", e);
	int64_t day = now >= 0 ? now / 86400 : 0, hour = now >= 0 ? (now % 86400) / 3600 : 0;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, device_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, day);
	sqlite3_bind_int64(st, 3, (int64_t)1 << hour);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_sqlite_fail(db, e, "device contact");
}

int db_sqlite_school_counts(struct db *db, const char *school, int64_t from, int64_t to,
    int64_t min_duration_s, struct db_school_counts *out, struct bbt_error *e)
{
	int64_t dev[4], ses[3], rooms[2];

	memset(out, 0, sizeof(*out));
	/* ints binds ?2..?4 for every statement: a bind past a statement's
	 * last parameter is SQLITE_RANGE and changes nothing. */
	if (ints(db, SCHOOL_ROOMS_SQL, school, from, to, 0, rooms, 2, e) < 0 ||
	    ints(db, SCHOOL_DEVICES_SQL, school, from, to, 0, dev, 4, e) < 0 ||
	    ints(db, SCHOOL_SESSIONS_SQL, school, from, to, min_duration_s, ses, 3, e) < 0)
		return -1;
	out->classrooms = rooms[0];
	out->timetable_rooms = rooms[1];
	out->enrolled = dev[0];
	out->seen = dev[1];
	out->equipped = dev[2];
	out->enrolled_rooms = dev[3];
	out->qualifying = ses[0];
	out->active_classrooms = ses[1];
	out->qualifying_s = ses[2];
	return 0;
}

int db_sqlite_school_detector_set(struct db *db, const char *code, const struct db_detector *d,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "UPDATE schools SET detector_idle_gap = ?2, "
	    "detector_min_session = ?3, detector_stuck_contact = ?4 WHERE code = ?1", e);
	const int64_t v[3] = { d->idle_gap, d->min_session, d->stuck_contact };
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	for (int i = 0; i < 3; i++) {
		if (v[i] >= 0)
			sqlite3_bind_int64(st, 2 + i, v[i]);
		else
			sqlite3_bind_null(st, 2 + i);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_sqlite_fail(db, e, "school detector settings");
	if (sqlite3_changes(db_sq(db)->h) == 0)
		return bbt_error_set(e, "unknown school %.64s", code);
	return 0;
}

int db_sqlite_school_collector_set(struct db *db, const char *code, const char *url,
    int64_t *changed, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "UPDATE schools SET collector_url = ?2 "
	    "WHERE ?1 IS NULL OR code = ?1", e);
	int rc;

	*changed = 0;
	if (!st)
		return -1;
	if (code)
		sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	if (url)
		sqlite3_bind_text(st, 2, url, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_sqlite_fail(db, e, "school collector address");
	*changed = sqlite3_changes(db_sq(db)->h);
	return 0;
}

int db_sqlite_school_detector_get(struct db *db, const char *code, struct db_detector *out,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "SELECT coalesce(detector_idle_gap, -1), "
	    "coalesce(detector_min_session, -1), coalesce(detector_stuck_contact, -1) "
	    "FROM schools WHERE code = ?1", e);
	int rc;

	out->idle_gap = out->min_session = out->stuck_contact = -1;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->idle_gap = sqlite3_column_int64(st, 0);
		out->min_session = sqlite3_column_int64(st, 1);
		out->stuck_contact = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    db_sqlite_fail(db, e, "school detector settings");
}

/* One UPDATE of devices bound to (device_id, n). */
static int device_update(struct db *db, const char *sql, const char *device_id, int64_t n,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, sql, e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, device_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, n);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_sqlite_fail(db, e, "device");
}

int db_sqlite_device_uploaded(struct db *db, const char *device_id, int64_t n,
    struct bbt_error *e)
{
	if (n <= 0)
		return 0;
	return device_update(db, "UPDATE devices SET buffer_depth = CASE WHEN buffer_depth > ?2 "
	    "THEN buffer_depth - ?2 ELSE 0 END "
	    "WHERE device_id = ?1 AND buffer_depth IS NOT NULL", device_id, n, e);
}

int db_sqlite_device_interval_set(struct db *db, const char *device_id, int64_t interval_s,
    struct bbt_error *e)
{
	return device_update(db, "UPDATE devices SET sync_interval_s = nullif(?2, 0) "
	    "WHERE device_id = ?1", device_id, interval_s, e);
}

int db_sqlite_device_interval_get(struct db *db, const char *device_id, int64_t *interval_s,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "SELECT coalesce(sync_interval_s, 0) FROM "
	    "devices WHERE device_id = ?1", e);
	int rc;

	*interval_s = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, device_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*interval_s = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_sqlite_fail(db, e, "device");
}

static void counts_from_row(sqlite3_stmt *st, struct db_school *s,
    struct db_school_counts *c)
{
	int64_t *v[] = { &c->classrooms, &c->enrolled, &c->seen, &c->active_classrooms,
		&c->qualifying, &c->qualifying_s, &c->equipped, &c->enrolled_rooms,
		&c->timetable_rooms };

	db_sqlite_text(st, 0, s->code, sizeof(s->code));
	db_sqlite_text(st, 1, s->name, sizeof(s->name));
	db_sqlite_text(st, 2, s->district, sizeof(s->district));
	for (int i = 0; i < 9; i++)
		*v[i] = sqlite3_column_int64(st, 3 + i);
}

int db_sqlite_schools_counts_each(struct db *db, const char *school, int64_t from, int64_t to,
    int64_t min_duration_s, db_school_counts_fn fn, void *arg, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, ALL_COUNTS_SQL, e);
	struct db_school_counts c;
	struct db_school s;
	int rc;

	if (!st)
		return -1;
	db_sqlite_bind_text(st, 1, school);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	sqlite3_bind_int64(st, 4, min_duration_s);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		counts_from_row(st, &s, &c);
		if (fn(arg, &s, &c, e) < 0) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_sqlite_fail(db, e, "school counts");
}
