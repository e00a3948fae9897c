/*
 * db_pg_stats: the statistics part of server/db.h on PostgreSQL: the
 * school counts (their SQL shared with SQLite, server/db_stats_sql.h), the
 * contact history (one row per device and UTC day, a bit per hour: see
 * db_sqlite_stats.c), the schools walk and the per-school detector
 * settings, and the device columns heartbeats and uploads keep.
 */
#include <string.h>

#include "db_pg_internal.h"
#include "db_sql.h"
#include "db_stats_sql.h"

static int school_visit(const PGresult *r, int i, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	struct db_school s;

	db_pg_get_text(r, i, 0, s.code, sizeof(s.code));
	db_pg_get_text(r, i, 1, s.name, sizeof(s.name));
	db_pg_get_text(r, i, 2, s.district, sizeof(s.district));
	return w->fn.school(w->arg, &s, e);
}

int db_pg_schools_each(struct db *db, db_school_fn fn, void *arg, struct bbt_error *e)
{
	struct db_walk w = { .fn.school = fn, .arg = arg };

	return db_pg_each(db, DB_SQL_SCHOOLS_EACH, NULL, school_visit, &w, "schools", e);
}

/* The four parameters of every db_stats_sql.h statement. */
static void counts_args(struct db_pg_args *a, const char *school, int64_t from, int64_t to,
    int64_t min_duration_s)
{
	db_pg_put_text(a, school);
	db_pg_put_int(a, from);
	db_pg_put_int(a, to);
	db_pg_put_int(a, min_duration_s);
}

int db_pg_stats_ints(struct db *db, const char *sql, const char *school, int64_t from,
    int64_t to, int64_t min_duration_s, int64_t *out, int nout, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	PGresult *r;

	counts_args(&a, school, from, to, min_duration_s);
	r = db_pg_query(db, sql, &a, "school counts", e);
	if (!r)
		return -1;
	for (int i = 0; i < nout; i++)
		out[i] = PQntuples(r) > 0 ? db_pg_get_int(r, 0, i) : 0;
	PQclear(r);
	return 0;
}

int db_pg_device_contact(struct db *db, const char *device_id, int64_t now,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	int64_t day, hour_bit;

	db_contact_slot(now, &day, &hour_bit);
	db_pg_put_text(&a, device_id);
	db_pg_put_int(&a, day);
	db_pg_put_int(&a, hour_bit);
	return db_pg_run(db, DB_SQL_DEVICE_CONTACT, &a, "device contact", e) < 0 ? -1 : 0;
}

/* A school and its counts. */
static int counts_visit(const PGresult *r, int i, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	struct db_school_counts c;
	struct db_school s;
	int64_t *v[] = { &c.classrooms, &c.enrolled, &c.seen, &c.active_classrooms,
		&c.qualifying, &c.qualifying_s, &c.equipped, &c.enrolled_rooms,
		&c.timetable_rooms };

	db_pg_get_text(r, i, 0, s.code, sizeof(s.code));
	db_pg_get_text(r, i, 1, s.name, sizeof(s.name));
	db_pg_get_text(r, i, 2, s.district, sizeof(s.district));
	for (int j = 0; j < 9; j++)
		*v[j] = db_pg_get_int(r, i, 3 + j);
	return w->fn.counts(w->arg, &s, &c, e);
}

int db_pg_schools_counts_each(struct db *db, const char *school, int64_t from, int64_t to,
    int64_t min_duration_s, db_school_counts_fn fn, void *arg, struct bbt_error *e)
{
	struct db_walk w = { .fn.counts = fn, .arg = arg };
	struct db_pg_args a = { 0 };

	counts_args(&a, school, from, to, min_duration_s);
	return db_pg_each(db, ALL_COUNTS_SQL, &a, counts_visit, &w, "school counts", e);
}

int db_pg_school_detector_set(struct db *db, const char *code, const struct db_detector *d,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	const int64_t v[3] = { d->idle_gap, d->min_session, d->stuck_contact };
	int64_t n;

	db_pg_put_text(&a, code);
	for (int i = 0; i < 3; i++) {
		if (v[i] >= 0)
			db_pg_put_int(&a, v[i]);
		else
			db_pg_put_null_int(&a);
	}
	n = db_pg_run(db, DB_SQL_DETECTOR_SET, &a, "school detector settings", e);
	if (n < 0)
		return -1;
	return n ? 0 : bbt_error_set(e, "unknown school %.64s", code);
}

int db_pg_school_collector_set(struct db *db, const char *code, const char *url,
    int64_t *changed, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, code);
	db_pg_put_text(&a, url);
	*changed = db_pg_run(db, "UPDATE schools SET collector_url = ?2 "
	    "WHERE ?1::text IS NULL OR code = ?1", &a, "school collector address", e);
	if (*changed < 0) {
		*changed = 0;
		return -1;
	}
	return 0;
}

int db_pg_school_detector_get(struct db *db, const char *code, struct db_detector *out,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	int64_t v[3] = { -1, -1, -1 };
	int found, rc;

	db_pg_put_text(&a, code);
	rc = db_pg_one(db, DB_SQL_DETECTOR_GET, &a, db_pg_int64s, v, &found,
	    "school detector settings", e);
	out->idle_gap = v[0];
	out->min_session = v[1];
	out->stuck_contact = v[2];
	return rc;
}

int db_pg_device_uploaded(struct db *db, const char *device_id, int64_t n,
    struct bbt_error *e)
{
	if (n <= 0)
		return 0;
	return db_pg_run_key_int(db, DB_SQL_DEVICE_UPLOADED, device_id, n, "device", e);
}

int db_pg_device_interval_set(struct db *db, const char *device_id, int64_t interval_s,
    struct bbt_error *e)
{
	return db_pg_run_key_int(db, DB_SQL_INTERVAL_SET, device_id, interval_s, "device", e);
}

/* A row of DB_SQL_AUTH_CHANGES: the number, and a change unless both NULL. */
struct auth_walk {
	int64_t *gen;
	db_auth_change_fn fn;
	void *arg;
};

static int auth_visit(const PGresult *r, int i, void *arg, struct bbt_error *e)
{
	struct auth_walk *w = arg;
	char device_id[DB_ID_LEN], school[DB_SCHOOL_LEN];

	*w->gen = db_pg_get_int(r, i, 0);
	if (!w->fn || (PQgetisnull(r, i, 1) && PQgetisnull(r, i, 2)))
		return 0;
	db_pg_get_text(r, i, 1, device_id, sizeof(device_id));
	db_pg_get_text(r, i, 2, school, sizeof(school));
	return w->fn(w->arg, device_id, school, e);
}

int db_pg_auth_changes(struct db *db, int64_t since, int64_t *gen, db_auth_change_fn fn,
    void *arg, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	struct auth_walk w = { gen, fn, arg };

	*gen = 0;
	db_pg_put_int(&a, since);
	db_pg_put_int(&a, DB_AUTH_CHANGES_MAX + 1);
	return db_pg_each(db, DB_SQL_AUTH_CHANGES, &a, auth_visit, &w, "credential generation",
	    e);
}

int db_pg_device_interval_get(struct db *db, const char *device_id, int64_t *interval_s,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	int found;

	*interval_s = 0;
	db_pg_put_text(&a, device_id);
	return db_pg_one(db, DB_SQL_INTERVAL_GET, &a, db_pg_int64s, interval_s, &found,
	    "device", e);
}
