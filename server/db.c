/*
 * db: the one dispatch point of server/db.h. db_open chooses the backend
 * by the name it is given (a postgresql:// or postgres:// URL is
 * PostgreSQL, anything else a SQLite file path); both backends are linked
 * into every bbt-server. Every other public function is generated from
 * DB_FUNCS (server/db_backend.h) as a call through the connection's
 * table, so no caller knows which backend it talks to.
 *
 * Transactions nest here, once for every backend: only the outermost
 * db_begin/db_commit reach the backend (tx_begin/tx_commit), and a
 * rollback at any depth dooms the whole transaction.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "db_backend.h"
#include "db_stats_sql.h"

int db_is_url(const char *where)
{
	return strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0;
}

int db_open(const char *where, struct db **out, struct bbt_error *e)
{
	*out = NULL;
	if (db_is_url(where))
		return db_pg_open(where, out, e);
	return db_sqlite_open(where, out, e);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->tx_depth > 0) {
		db->tx_depth = 1;
		db_rollback(db);
	}
	db->be->close(db);
}

#define DB_DISPATCH(name, params, args) \
	int db_##name params \
	{ \
		return db->be->name args; \
	}
DB_FUNCS(DB_DISPATCH)
#undef DB_DISPATCH

int db_begin(struct db *db, struct bbt_error *e)
{
	if (db->tx_depth > 0) {
		db->tx_depth++;
		return 0;
	}
	if (db->be->tx_begin(db, e) < 0)
		return -1;
	db->tx_depth = 1;
	db->tx_doomed = 0;
	return 0;
}

int db_commit(struct db *db, struct bbt_error *e)
{
	if (db->tx_depth <= 0)
		return bbt_error_set(e, "commit without a transaction");
	if (db->tx_depth > 1) {
		db->tx_depth--;
		return 0;
	}
	if (db->tx_doomed) {
		db_rollback(db);
		return bbt_error_set(e, "transaction rolled back by a nested failure");
	}
	if (db->be->tx_commit(db, e) < 0) {
		db_rollback(db);
		return -1;
	}
	db->tx_depth = 0;
	return 0;
}

void db_rollback(struct db *db)
{
	if (db->tx_depth <= 0)
		return;
	if (db->tx_depth > 1) {
		db->tx_depth--;
		db->tx_doomed = 1;
		return;
	}
	db->be->tx_rollback(db);
	db->tx_depth = 0;
	db->tx_doomed = 0;
}

/*
 * Enrollment without a race on either backend. A new hw_id is one INSERT
 * ... ON CONFLICT (hw_id) DO NOTHING RETURNING: of two processes enrolling
 * the same new machine at once, one inserts and the other finds the row
 * and re-enrolls over it. A known hw_id is read, its token kept as
 * superseded, and then replaced by one UPDATE that names the token it
 * read (compare and swap): if another enrollment replaced it in between,
 * the UPDATE changes nothing and the read is done again.
 */
#define ENROLL_TRIES 8

int db_device_enroll(struct db *db, struct db_device *d, int *reenrolled,
    struct bbt_error *e)
{
	const struct db_enroll_steps *step = db->be->enroll;
	struct db_device old;
	int found, rc;

	*reenrolled = DB_ENROLL_NEW;
	rc = step->insert(db, d, e);
	for (int i = 0; rc == 0 && i < ENROLL_TRIES; i++) {
		if (step->lookup(db, d->hw_id, &old, &found, e) < 0)
			return -1;
		if (!found)	/* cannot happen: devices are never deleted */
			return bbt_error_set(e, "device %s vanished", d->hw_id);
		snprintf(d->device_id, sizeof(d->device_id), "%s", old.device_id);
		if (strcmp(old.school, d->school) != 0) {
			*reenrolled = DB_ENROLL_OTHER_SCHOOL;
			return 0;
		}
		*reenrolled = DB_ENROLL_AGAIN;
		if (step->keep_old(db, &old, d, e) < 0)
			return -1;
		rc = step->swap(db, &old, d, e);
	}
	if (rc < 0)
		return -1;
	return rc ? 0 : bbt_error_set(e, "device %s: enrollment kept losing a race", d->hw_id);
}

int db_school_counts(struct db *db, const char *school, int64_t from, int64_t to,
    int64_t min_duration_s, struct db_school_counts *out, struct bbt_error *e)
{
	int64_t dev[4], ses[3], rooms[2];

	memset(out, 0, sizeof(*out));
	if (db->be->stats_ints(db, SCHOOL_ROOMS_SQL, school, from, to, min_duration_s, rooms, 2,
	    e) < 0 ||
	    db->be->stats_ints(db, SCHOOL_DEVICES_SQL, school, from, to, min_duration_s, dev, 4,
	    e) < 0 ||
	    db->be->stats_ints(db, SCHOOL_SESSIONS_SQL, school, from, to, min_duration_s, ses, 3,
	    e) < 0)
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

int db_school_check(struct db *db, const char *code, struct bbt_error *e)
{
	struct db_school s;
	int found;

	if (code == NULL)
		return 0;
	if (db_school_get(db, code, &s, &found, e) < 0)
		return -1;
	return found ? 0 : bbt_error_set(e, "unknown school %s", code);
}

void db_device_cred_of(const struct db_device *d, struct db_device_cred *out)
{
	snprintf(out->device_id, sizeof(out->device_id), "%s", d->device_id);
	snprintf(out->school, sizeof(out->school), "%s", d->school);
	snprintf(out->room, sizeof(out->room), "%s", d->room);
	out->school_detector = d->school_detector;
	snprintf(out->school_collector_url, sizeof(out->school_collector_url), "%s",
	    d->school_collector_url);
}

int db_auth_generation(struct db *db, int64_t *gen, struct bbt_error *e)
{
	return db_auth_changes(db, INT64_MAX, gen, NULL, NULL, e);
}

int db_session_insert(struct db *db, const struct bbt_session *s,
    const struct db_session_origin *o, int *inserted, struct bbt_error *e)
{
	unsigned char ins = 0;
	int rc = db_sessions_insert(db, &s, 1, o, &ins, e);

	*inserted = rc == 0 && ins;
	return rc;
}
