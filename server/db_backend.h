/*
 * db_backend: the one list of server/db.h's functions that a storage
 * backend implements, and the table (vtable) a connection dispatches
 * through. server/db.c generates each public db_NAME from the list as a
 * call through db->be; a backend generates its prototypes from it
 * (DB_FUNCS(DB_SQLITE_PROTO) in db_sqlite_internal.h) and fills its
 * table with designated initializers, so a function missing from a
 * backend or with another signature does not compile. Included only by
 * db.c and the backends' files.
 *
 * X(name, params, args): int db_<name> params, called with args. Every
 * entry returns int (0 or -1); the void ones (db_close, db_rollback) and
 * db_open, db_begin, db_commit, db_school_check, db_device_enroll (its
 * steps are struct db_enroll_steps) and db_school_counts (on stats_ints)
 * are written out in db.c,
 * where transaction nesting lives once for every backend: a backend's
 * tx_begin/tx_commit/tx_rollback are called for the outermost level only;
 * db_timetable_replace (over timetable_clear and timetable_add) is written
 * out in db_points.c, db_session_insert (a batch of one) in db.c.
 *
 * Adding a function to a topic header: add its X() line here, then the
 * backends (db_sqlite_<topic>.c, db_pg_<topic>.c) until both compile.
 */
#ifndef SERVER_DB_BACKEND_H
#define SERVER_DB_BACKEND_H

#include "db.h"
#include "db_auth.h"

/* The device_contacts row a contact at `now` sets: its UTC day, and the bit
 * of its UTC hour. One definition for every backend's statement. */
static inline void db_contact_slot(int64_t now, int64_t *day, int64_t *hour_bit)
{
	*day = now >= 0 ? now / 86400 : 0;
	*hour_bit = (int64_t)1 << (now >= 0 ? (now % 86400) / 3600 : 0);
}

#define DB_FUNCS(X) \
	X(schema_version, (struct db *db, int *version, struct bbt_error *e), (db, version, e)) \
	X(check, (struct db *db, int *ok, char *problem, size_t len, struct bbt_error *e), (db, \
	    ok, problem, len, e)) \
	X(admin_add, (struct db *db, const struct db_admin *a, const char *token_hash, int64_t \
	    created_at, struct bbt_error *e), (db, a, token_hash, created_at, e)) \
	X(admin_by_token, (struct db *db, const char *token_hash, struct db_admin *out, int \
	    *found, struct bbt_error *e), (db, token_hash, out, found, e)) \
	X(admins_each, (struct db *db, db_admin_fn fn, void *arg, struct bbt_error *e), (db, fn, \
	    arg, e)) \
	X(admin_revoke, (struct db *db, const char *name, int64_t now, int *found, int *already, \
	    struct bbt_error *e), (db, name, now, found, already, e)) \
	X(device_by_token, (struct db *db, const char *token_hash, struct db_device *out, int \
	    *found, struct bbt_error *e), (db, token_hash, out, found, e)) \
	X(auth_changes, (struct db *db, int64_t since, int64_t *gen, db_auth_change_fn fn, \
	    void *arg, struct bbt_error *e), (db, since, gen, fn, arg, e)) \
	X(device_token_refused, (struct db *db, const char *token_hash, int64_t now, enum \
	    db_token_refusal *why, struct bbt_error *e), (db, token_hash, now, why, e)) \
	X(device_get, (struct db *db, const char *device_id, struct db_device *out, int *found, \
	    struct bbt_error *e), (db, device_id, out, found, e)) \
	X(device_seen, (struct db *db, const char *device_id, int64_t now, int64_t \
	    clock_offset_s, struct bbt_error *e), (db, device_id, now, clock_offset_s, e)) \
	X(device_heartbeat, (struct db *db, const char *device_id, int64_t now, int64_t \
	    clock_offset_s, const char *agent_version, int64_t buffer_depth, const char \
	    *devices_json, struct bbt_error *e), (db, device_id, now, clock_offset_s, \
	    agent_version, buffer_depth, devices_json, e)) \
	X(devices_heartbeat, (struct db *db, const struct db_heartbeat *hb, size_t n, struct \
	    bbt_error *e), (db, hb, n, e)) \
	X(device_counts, (struct db *db, int64_t since, int64_t *enrolled, int64_t *seen, struct \
	    bbt_error *e), (db, since, enrolled, seen, e)) \
	X(devices_each, (struct db *db, const char *school, db_device_fn fn, void *arg, struct \
	    bbt_error *e), (db, school, fn, arg, e)) \
	X(device_revoke, (struct db *db, const char *device_id, int64_t now, struct bbt_error \
	    *e), (db, device_id, now, e)) \
	X(device_move, (struct db *db, const char *device_id, const char *school, const char \
	    *room, struct bbt_error *e), (db, device_id, school, room, e)) \
	X(device_contact, (struct db *db, const char *device_id, int64_t now, struct bbt_error \
	    *e), (db, device_id, now, e)) \
	X(device_uploaded, (struct db *db, const char *device_id, int64_t n, struct bbt_error \
	    *e), (db, device_id, n, e)) \
	X(device_interval_set, (struct db *db, const char *device_id, int64_t interval_s, struct \
	    bbt_error *e), (db, device_id, interval_s, e)) \
	X(device_interval_get, (struct db *db, const char *device_id, int64_t *interval_s, \
	    struct bbt_error *e), (db, device_id, interval_s, e)) \
	X(live_upsert, (struct db *db, const struct db_live_lesson *l, struct bbt_error *e), \
	    (db, l, e)) \
	X(live_each, (struct db *db, const char *school, int64_t from, int64_t to, db_live_fn \
	    fn, void *arg, struct bbt_error *e), (db, school, from, to, fn, arg, e)) \
	X(room_sessions, (struct db *db, const char *school, const char *room, int64_t from, \
	    int64_t to, db_span_fn fn, void *arg, struct bbt_error *e), (db, school, room, from, \
	    to, fn, arg, e)) \
	X(room_devices, (struct db *db, const char *school, const char *room, int *ndevices, \
	    int64_t *last_seen, struct bbt_error *e), (db, school, room, ndevices, last_seen, \
	    e)) \
	X(timetable_clear, (struct db *db, const char *school, struct bbt_error *e), (db, school, \
	    e)) \
	X(timetable_add, (struct db *db, const struct timetable_slot *t, size_t n, struct \
	    bbt_error *e), (db, t, n, e)) \
	X(timetable_load, (struct db *db, const char *school, struct timetable *tt, struct \
	    bbt_error *e), (db, school, tt, e)) \
	X(points_sessions, (struct db *db, int64_t from, int64_t to, const char *school, struct \
	    points_session **out, size_t *n, struct bbt_error *e), (db, from, to, school, out, \
	    n, e)) \
	X(points_sessions_each, (struct db *db, int64_t from, int64_t to, const char *school, \
	    db_points_fn fn, void *arg, struct bbt_error *e), (db, from, to, school, fn, arg, e)) \
	X(school_add, (struct db *db, const struct db_school *s, struct bbt_error *e), (db, s, \
	    e)) \
	X(school_get, (struct db *db, const char *code, struct db_school *out, int *found, \
	    struct bbt_error *e), (db, code, out, found, e)) \
	X(school_resolve, (struct db *db, const char *ref, char code[DB_SCHOOL_LEN], int *found, \
	    struct bbt_error *e), (db, ref, code, found, e)) \
	X(schools_each, (struct db *db, db_school_fn fn, void *arg, struct bbt_error *e), (db, \
	    fn, arg, e)) \
	X(school_detector_set, (struct db *db, const char *code, const struct db_detector *d, \
	    struct bbt_error *e), (db, code, d, e)) \
	X(school_collector_set, (struct db *db, const char *code, const char *url, int64_t \
	    *changed, struct bbt_error *e), (db, code, url, changed, e)) \
	X(school_detector_get, (struct db *db, const char *code, struct db_detector *out, struct \
	    bbt_error *e), (db, code, out, e)) \
	X(session_ready, (struct db *db, int64_t start, struct bbt_error *e), (db, start, e)) \
	X(sessions_insert, (struct db *db, const struct bbt_session *const *s, size_t n, const \
	    struct db_session_origin *o, unsigned char *inserted, struct bbt_error *e), (db, s, \
	    n, o, inserted, e)) \
	X(session_exists, (struct db *db, const char *id, int *exists, struct bbt_error *e), \
	    (db, id, exists, e)) \
	X(session_count, (struct db *db, int64_t *n, struct bbt_error *e), (db, n, e)) \
	X(sessions_each, (struct db *db, const char *school, const char *device_id, \
	    db_session_fn fn, void *arg, struct bbt_error *e), (db, school, device_id, fn, arg, \
	    e)) \
	X(schools_counts_each, (struct db *db, const char *school, int64_t from, int64_t to, \
	    int64_t min_duration_s, db_school_counts_fn fn, void *arg, struct bbt_error *e), \
	    (db, school, from, to, min_duration_s, fn, arg, e)) \
	X(enroll_token_add, (struct db *db, const struct db_enroll_token *t, struct bbt_error \
	    *e), (db, t, e)) \
	X(enroll_token_get, (struct db *db, const char *hash, struct db_enroll_token *out, int \
	    *found, struct bbt_error *e), (db, hash, out, found, e)) \
	X(enroll_token_take, (struct db *db, const char *hash, int *taken, struct bbt_error *e), \
	    (db, hash, taken, e)) \
	X(enroll_tokens_each, (struct db *db, const char *school, db_token_fn fn, void *arg, \
	    struct bbt_error *e), (db, school, fn, arg, e)) \
	X(enroll_tokens_match, (struct db *db, const char *prefix, int by_hash, struct \
	    db_enroll_token *out, size_t max, size_t *n, struct bbt_error *e), (db, prefix, \
	    by_hash, out, max, n, e)) \
	X(enroll_token_revoke, (struct db *db, const char *hash, int64_t now, struct bbt_error \
	    *e), (db, hash, now, e)) \
	X(auth_password_set, (struct db *db, const char *name, const char *hash, int64_t now, \
	    int *found, struct bbt_error *e), (db, name, hash, now, found, e)) \
	X(auth_password_get, (struct db *db, const char *name, char hash[DB_AUTH_HASH_LEN], \
	    struct db_admin *admin, int *found, struct bbt_error *e), (db, name, hash, admin, \
	    found, e)) \
	X(auth_admin_forget, (struct db *db, const char *name, struct bbt_error *e), (db, name, \
	    e)) \
	X(auth_session_add, (struct db *db, const char *id_hash, const char *admin, const char \
	    *csrf, int64_t now, struct bbt_error *e), (db, id_hash, admin, csrf, now, e)) \
	X(auth_session_get, (struct db *db, const char *id_hash, int64_t idle_cut, int64_t \
	    max_cut, struct db_auth_session *out, int *found, struct bbt_error *e), (db, \
	    id_hash, idle_cut, max_cut, out, found, e)) \
	X(auth_session_touch, (struct db *db, const char *id_hash, int64_t now, int64_t stale, \
	    struct bbt_error *e), (db, id_hash, now, stale, e)) \
	X(auth_session_delete, (struct db *db, const char *id_hash, struct bbt_error *e), (db, \
	    id_hash, e)) \
	X(auth_sessions_prune, (struct db *db, int64_t idle_cut, int64_t max_cut, struct \
	    bbt_error *e), (db, idle_cut, max_cut, e)) \
	X(auth_failure_add, (struct db *db, const char *key, int64_t at, struct bbt_error *e), \
	    (db, key, at, e)) \
	X(auth_failure_nth, (struct db *db, const char *key, int64_t since, int n, int64_t *at, \
	    int *found, struct bbt_error *e), (db, key, since, n, at, found, e)) \
	X(auth_failures_clear, (struct db *db, const char *key, struct bbt_error *e), (db, key, \
	    e)) \
	X(auth_failures_prune, (struct db *db, int64_t cut, struct bbt_error *e), (db, cut, e))

/*
 * A walk's callback and its argument, as a backend's row visitor gets
 * them (db_sqlite_each, db_pg_each): one type for every walk of db.h,
 * the member named after the rows it walks.
 */
struct db_walk {
	union {
		db_token_fn token;
		db_admin_fn admin;
		db_device_fn device;
		db_session_fn session;
		db_live_fn lesson;
		db_span_fn span;
		db_school_fn school;
		db_school_counts_fn counts;
	} fn;
	void *arg;
};

/*
 * The steps of db_device_enroll, which db.c runs the same way for every
 * backend (the statements are db_sql.h's): insert and swap return 1 if
 * they wrote, 0 if they declined (ON CONFLICT, or the WHERE that names
 * the token read), -1 on error; lookup reads a device by hw_id.
 */
struct db_enroll_steps {
	int (*insert)(struct db *db, const struct db_device *d, struct bbt_error *e);
	int (*lookup)(struct db *db, const char *hw_id, struct db_device *out, int *found,
	    struct bbt_error *e);
	int (*keep_old)(struct db *db, const struct db_device *old, const struct db_device *d,
	    struct bbt_error *e);
	int (*swap)(struct db *db, const struct db_device *old, const struct db_device *d,
	    struct bbt_error *e);
};

struct db_backend {
	const char *name;	/* "sqlite", "postgresql": for messages */
	const struct db_enroll_steps *enroll;
	/* One row of nout integers from sql (server/db_stats_sql.h) bound to
	 * its four parameters: db_school_counts (db.c) runs three. */
	int (*stats_ints)(struct db *db, const char *sql, const char *school, int64_t from,
	    int64_t to, int64_t min_duration_s, int64_t *out, int nout, struct bbt_error *e);
#define DB_BACKEND_SLOT(name, params, args) int (*name) params;
	DB_FUNCS(DB_BACKEND_SLOT)
#undef DB_BACKEND_SLOT
	void (*close)(struct db *db);
	int (*tx_begin)(struct db *db, struct bbt_error *e);
	int (*tx_commit)(struct db *db, struct bbt_error *e);
	void (*tx_rollback)(struct db *db);
};

/*
 * The part of every connection that db.c owns; a backend's own connection
 * struct begins with it (struct db_sqlite { struct db base; ... }), so
 * db.c and the backend hand the same pointer back and forth.
 */
struct db {
	const struct db_backend *be;
	int tx_depth;		/* nesting of db_begin */
	int tx_doomed;		/* a nested rollback happened */
};

/* The backends' openers, chosen by db_open. */
int db_sqlite_open(const char *path, struct db **out, struct bbt_error *e);
int db_pg_open(const char *url, struct db **out, struct bbt_error *e);

#endif
