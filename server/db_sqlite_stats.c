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

#include "db_sql.h"
#include "db_sqlite_internal.h"
#include "db_stats_sql.h"

static int school_visit(sqlite3_stmt *st, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	struct db_school s;

	db_sqlite_text(st, 0, s.code, sizeof(s.code));
	db_sqlite_text(st, 1, s.name, sizeof(s.name));
	db_sqlite_text(st, 2, s.district, sizeof(s.district));
	return w->fn.school(w->arg, &s, e);
}

int db_sqlite_schools_each(struct db *db, db_school_fn fn, void *arg, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_SCHOOLS_EACH, e);
	struct db_walk w = { .fn.school = fn, .arg = arg };

	return db_sqlite_each(db, st, school_visit, &w, e, "schools");
}

/* A statement of db_stats_sql.h without ?4 ignores it: a bind past a
 * statement's last parameter is SQLITE_RANGE and changes nothing. */
int db_sqlite_stats_ints(struct db *db, const char *sql, const char *school, int64_t from,
    int64_t to, int64_t min_duration_s, int64_t *out, int nout, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, sql, e);

	if (st && sqlite3_column_count(st) != nout)
		return bbt_error_set(e, "school counts: %d columns, not %d",
		    sqlite3_column_count(st), nout);
	if (st) {
		sqlite3_bind_text(st, 1, school, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, from);
		sqlite3_bind_int64(st, 3, to);
		sqlite3_bind_int64(st, 4, min_duration_s);
	}
	return db_sqlite_one(db, st, db_sqlite_int64s, out, NULL, e, "school counts");
}

int db_sqlite_device_contact(struct db *db, const char *device_id, int64_t now,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_DEVICE_CONTACT, e);
	int64_t day, hour_bit;

	if (!st)
		return -1;
	db_contact_slot(now, &day, &hour_bit);
	sqlite3_bind_text(st, 1, device_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, day);
	sqlite3_bind_int64(st, 3, hour_bit);
	return db_sqlite_done(db, st, e, "device contact");
}

int db_sqlite_school_detector_set(struct db *db, const char *code, const struct db_detector *d,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_DETECTOR_SET, e);
	const int64_t v[3] = { d->idle_gap, d->min_session, d->stuck_contact };

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	for (int i = 0; i < 3; i++) {
		if (v[i] >= 0)
			sqlite3_bind_int64(st, 2 + i, v[i]);
		else
			sqlite3_bind_null(st, 2 + i);
	}
	if (db_sqlite_done(db, st, e, "school detector settings") < 0)
		return -1;
	if (sqlite3_changes(db_sq(db)->h) == 0)
		return bbt_error_set(e, "unknown school %.64s", code);
	return 0;
}

int db_sqlite_school_collector_set(struct db *db, const char *code, const char *url,
    int64_t *changed, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, "UPDATE schools SET collector_url = ?2 "
	    "WHERE ?1 IS NULL OR code = ?1", e);

	*changed = 0;
	if (!st)
		return -1;
	if (code)
		sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	if (url)
		sqlite3_bind_text(st, 2, url, -1, SQLITE_TRANSIENT);
	if (db_sqlite_done(db, st, e, "school collector address") < 0)
		return -1;
	*changed = sqlite3_changes(db_sq(db)->h);
	return 0;
}

int db_sqlite_school_detector_get(struct db *db, const char *code, struct db_detector *out,
    struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_DETECTOR_GET, e);
	int64_t v[3] = { -1, -1, -1 };
	int found, rc;

	if (st)
		sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	rc = db_sqlite_one(db, st, db_sqlite_int64s, v, &found, e, "school detector settings");
	out->idle_gap = v[0];
	out->min_session = v[1];
	out->stuck_contact = v[2];
	return rc;
}

int db_sqlite_device_uploaded(struct db *db, const char *device_id, int64_t n,
    struct bbt_error *e)
{
	if (n <= 0)
		return 0;
	return db_sqlite_done_key_int(db, DB_SQL_DEVICE_UPLOADED, device_id, n, e, "device");
}

int db_sqlite_device_interval_set(struct db *db, const char *device_id, int64_t interval_s,
    struct bbt_error *e)
{
	return db_sqlite_done_key_int(db, DB_SQL_INTERVAL_SET, device_id, interval_s, e,
	    "device");
}

int db_sqlite_device_interval_get(struct db *db, const char *device_id, int64_t *interval_s,
    struct bbt_error *e)
{
	int found;

	*interval_s = 0;
	return db_sqlite_one_key(db, DB_SQL_INTERVAL_GET, device_id, db_sqlite_int64s,
	    interval_s, &found, e, "device");
}

/* A row of DB_SQL_AUTH_CHANGES: the number, and a change unless both NULL. */
struct auth_walk {
	int64_t *gen;
	db_auth_change_fn fn;
	void *arg;
};

static int auth_visit(sqlite3_stmt *st, void *arg, struct bbt_error *e)
{
	struct auth_walk *w = arg;
	char device_id[DB_ID_LEN], school[DB_SCHOOL_LEN];

	*w->gen = sqlite3_column_int64(st, 0);
	if (!w->fn || (sqlite3_column_type(st, 1) == SQLITE_NULL &&
	    sqlite3_column_type(st, 2) == SQLITE_NULL))
		return 0;
	db_sqlite_text(st, 1, device_id, sizeof(device_id));
	db_sqlite_text(st, 2, school, sizeof(school));
	return w->fn(w->arg, device_id, school, e);
}

int db_sqlite_auth_changes(struct db *db, int64_t since, int64_t *gen, db_auth_change_fn fn,
    void *arg, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, DB_SQL_AUTH_CHANGES, e);
	struct auth_walk w = { gen, fn, arg };

	*gen = 0;
	if (st) {
		sqlite3_bind_int64(st, 1, since);
		sqlite3_bind_int64(st, 2, DB_AUTH_CHANGES_MAX + 1);
	}
	return db_sqlite_each(db, st, auth_visit, &w, e, "credential generation");
}

/* A school and its counts. */
static int counts_visit(sqlite3_stmt *st, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	struct db_school_counts c;
	struct db_school s;
	int64_t *v[] = { &c.classrooms, &c.enrolled, &c.seen, &c.active_classrooms,
		&c.qualifying, &c.qualifying_s, &c.equipped, &c.enrolled_rooms,
		&c.timetable_rooms };

	db_sqlite_text(st, 0, s.code, sizeof(s.code));
	db_sqlite_text(st, 1, s.name, sizeof(s.name));
	db_sqlite_text(st, 2, s.district, sizeof(s.district));
	for (int i = 0; i < 9; i++)
		*v[i] = sqlite3_column_int64(st, 3 + i);
	return w->fn.counts(w->arg, &s, &c, e);
}

int db_sqlite_schools_counts_each(struct db *db, const char *school, int64_t from, int64_t to,
    int64_t min_duration_s, db_school_counts_fn fn, void *arg, struct bbt_error *e)
{
	sqlite3_stmt *st = db_sqlite_stmt(db, ALL_COUNTS_SQL, e);
	struct db_walk w = { .fn.counts = fn, .arg = arg };

	if (st) {
		db_sqlite_bind_text(st, 1, school);
		sqlite3_bind_int64(st, 2, from);
		sqlite3_bind_int64(st, 3, to);
		sqlite3_bind_int64(st, 4, min_duration_s);
	}
	return db_sqlite_each(db, st, counts_visit, &w, e, "school counts");
}
