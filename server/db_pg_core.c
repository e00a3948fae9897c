/*
 * db_pg_core: the core tables of server/db.h on PostgreSQL — schools,
 * enrollment tokens, admins, devices and sessions — the same statements
 * as db_sqlite.c (portable SQL, see db.h), run through db_pg_internal.h.
 * Every read-then-write is one statement (INSERT ... ON CONFLICT ...
 * RETURNING, or an UPDATE that names what it read), so several collectors
 * on one database under READ COMMITTED cannot both win a race.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db_pg_internal.h"
#include "db_sql.h"

/* ---- schools ---- */

int db_pg_school_add(struct db *db, const struct db_school *s, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	struct db_school old;
	int64_t rc;
	int found;

	db_pg_put_text(&a, s->code);
	db_pg_put_text(&a, s->name);
	db_pg_put_text(&a, s->district[0] ? s->district : NULL);
	rc = db_pg_run(db, DB_SQL_SCHOOL_ADD, &a, "add school", e);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	if (db_pg_school_get(db, s->code, &old, &found, e) < 0)
		return -1;
	return bbt_error_set(e, "school %s exists (%s)", s->code, found ? old.name : "?");
}

static void school_from_row(const PGresult *r, int i, void *out)
{
	struct db_school *s = out;

	db_pg_get_text(r, i, 0, s->code, sizeof(s->code));
	db_pg_get_text(r, i, 1, s->name, sizeof(s->name));
	db_pg_get_text(r, i, 2, s->district, sizeof(s->district));
}

int db_pg_school_get(struct db *db, const char *code, struct db_school *out,
    int *found, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, code);
	return db_pg_one(db, DB_SQL_SCHOOL_GET, &a, school_from_row, out, found, "school", e);
}

/* ---- enrollment tokens ---- */

static void token_from_row(const PGresult *r, int i, void *out)
{
	struct db_enroll_token *t = out;

	db_pg_get_text(r, i, 0, t->hash, sizeof(t->hash));
	db_pg_get_text(r, i, 1, t->school, sizeof(t->school));
	t->uses_left = db_pg_get_int(r, i, 2);
	t->expires_at = db_pg_get_int(r, i, 3);
	t->created_at = db_pg_get_int(r, i, 4);
	db_pg_get_text(r, i, 5, t->prefix, sizeof(t->prefix));
	t->revoked_at = db_pg_get_int(r, i, 6);
}

int db_pg_enroll_token_add(struct db *db, const struct db_enroll_token *t,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, t->hash);
	db_pg_put_text(&a, t->school);
	db_pg_put_int(&a, t->uses_left);
	db_pg_put_int(&a, t->expires_at);
	db_pg_put_int(&a, t->created_at);
	db_pg_put_text(&a, t->prefix[0] ? t->prefix : NULL);
	return db_pg_run(db, DB_SQL_TOKEN_ADD, &a, "add enrollment token", e) < 0 ? -1 : 0;
}

int db_pg_enroll_token_get(struct db *db, const char *hash, struct db_enroll_token *out,
    int *found, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, hash);
	return db_pg_one(db, "SELECT " DB_SQL_TOKEN_COLS " FROM enroll_tokens WHERE hash = ?1", &a,
	    token_from_row, out, found, "enrollment token", e);
}

int db_pg_enroll_token_take(struct db *db, const char *hash, int *taken,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	int64_t n;

	*taken = 0;
	db_pg_put_text(&a, hash);
	n = db_pg_run(db, DB_SQL_TOKEN_TAKE, &a, "use enrollment token", e);
	if (n < 0)
		return -1;
	*taken = n == 1;
	return 0;
}

static int token_visit(const PGresult *r, int i, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	struct db_enroll_token t;

	token_from_row(r, i, &t);
	return w->fn.token(w->arg, &t, e);
}

int db_pg_enroll_tokens_each(struct db *db, const char *school, db_token_fn fn, void *arg,
    struct bbt_error *e)
{
	struct db_walk w = { .fn.token = fn, .arg = arg };
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, school);
	return db_pg_each(db, "SELECT " DB_SQL_TOKEN_COLS " FROM enroll_tokens WHERE "
	    "CAST(?1 AS TEXT) IS NULL OR school = ?1 ORDER BY school, created_at, hash", &a,
	    token_visit, &w, "enrollment tokens", e);
}

int db_pg_enroll_tokens_match(struct db *db, const char *prefix, int by_hash,
    struct db_enroll_token *out, size_t max, size_t *n, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	PGresult *r;

	*n = 0;
	db_pg_put_text(&a, prefix);
	db_pg_put_int(&a, (int64_t)strlen(prefix));
	r = db_pg_query(db, by_hash ?
	    "SELECT " DB_SQL_TOKEN_COLS " FROM enroll_tokens WHERE "
	    "substr(hash, 1, CAST(?2 AS INTEGER)) = ?1 ORDER BY created_at, hash" :
	    "SELECT " DB_SQL_TOKEN_COLS " FROM enroll_tokens WHERE prefix IS NOT NULL AND "
	    "substr(prefix, 1, CAST(?2 AS INTEGER)) = ?1 ORDER BY created_at, hash", &a,
	    "enrollment tokens", e);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		if (*n < max)
			token_from_row(r, i, &out[*n]);
		(*n)++;
	}
	PQclear(r);
	return 0;
}

int db_pg_enroll_token_revoke(struct db *db, const char *hash, int64_t now,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, hash);
	db_pg_put_int(&a, now);
	return db_pg_run(db, DB_SQL_TOKEN_REVOKE, &a, "revoke enrollment token",
	    e) < 0 ? -1 : 0;
}

/* ---- admins ---- */

int db_pg_admin_add(struct db *db, const struct db_admin *ad, const char *token_hash,
    int64_t created_at, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	int64_t rc;

	db_pg_put_text(&a, ad->name);
	db_pg_put_text(&a, token_hash);
	db_pg_put_text(&a, ad->school[0] ? ad->school : NULL);
	db_pg_put_int(&a, created_at);
	rc = db_pg_run(db, DB_SQL_ADMIN_ADD, &a, "add admin", e);
	if (rc < 0)
		return -1;
	return rc ? 0 : bbt_error_set(e, "admin %s exists", ad->name);
}

static void admin_from_row(const PGresult *r, int i, void *out)
{
	struct db_admin *ad = out;

	db_pg_get_text(r, i, 0, ad->name, sizeof(ad->name));
	db_pg_get_text(r, i, 1, ad->school, sizeof(ad->school));
	ad->created_at = db_pg_get_int(r, i, 2);
	ad->revoked_at = db_pg_get_int(r, i, 3);
}

int db_pg_admin_by_token(struct db *db, const char *token_hash, struct db_admin *out,
    int *found, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, token_hash);
	return db_pg_one(db, "SELECT " DB_SQL_ADMIN_COLS " FROM admins WHERE token_hash = ?1 AND "
	    "revoked_at IS NULL", &a, admin_from_row, out, found, "admin", e);
}

static int admin_visit(const PGresult *r, int i, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	struct db_admin ad;

	admin_from_row(r, i, &ad);
	return w->fn.admin(w->arg, &ad, e);
}

int db_pg_admins_each(struct db *db, db_admin_fn fn, void *arg, struct bbt_error *e)
{
	struct db_walk w = { .fn.admin = fn, .arg = arg };

	return db_pg_each(db, "SELECT " DB_SQL_ADMIN_COLS " FROM admins ORDER BY name", NULL,
	    admin_visit, &w, "admins", e);
}

int db_pg_admin_revoke(struct db *db, const char *name, int64_t now, int *found,
    int *already, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	int64_t rc;

	*found = *already = 0;
	db_pg_put_text(&a, name);
	db_pg_put_int(&a, now);
	rc = db_pg_run(db, DB_SQL_ADMIN_REVOKE, &a, "revoke admin", e);
	if (rc != 0) {
		*found = rc > 0;
		return rc > 0 ? 0 : -1;
	}
	a.n = 1;
	rc = db_pg_run(db, "SELECT 1 FROM admins WHERE name = ?1", &a, "admin", e);
	if (rc < 0)
		return -1;
	*found = *already = rc > 0;
	return 0;
}

/* ---- devices ---- */

static void device_from_row(const PGresult *r, int i, void *out)
{
	struct db_device *d = out;

	db_pg_get_text(r, i, 0, d->device_id, sizeof(d->device_id));
	db_pg_get_text(r, i, 1, d->hw_id, sizeof(d->hw_id));
	db_pg_get_text(r, i, 2, d->school, sizeof(d->school));
	db_pg_get_text(r, i, 3, d->room, sizeof(d->room));
	db_pg_get_text(r, i, 4, d->hostname, sizeof(d->hostname));
	db_pg_get_text(r, i, 5, d->agent_version, sizeof(d->agent_version));
	db_pg_get_text(r, i, 6, d->public_key, sizeof(d->public_key));
	db_pg_get_text(r, i, 7, d->token_hash, sizeof(d->token_hash));
	d->enrolled_at = db_pg_get_int(r, i, 8);
	d->last_seen = db_pg_get_int(r, i, 9);
	d->clock_offset_s = PQgetisnull(r, i, 10) ? DB_OFFSET_UNKNOWN : db_pg_get_int(r, i, 10);
	d->buffer_depth = PQgetisnull(r, i, 11) ? -1 : db_pg_get_int(r, i, 11);
	d->revoked_at = db_pg_get_int(r, i, 12);
	d->reenrolled = db_pg_get_int(r, i, 13);
	d->reenrolled_at = db_pg_get_int(r, i, 14);
	d->clone_at = db_pg_get_int(r, i, 15);
	d->state_resets = db_pg_get_int(r, i, 16);
	d->school_detector = (struct db_detector){ -1, -1, -1 };
	d->school_collector_url[0] = '\0';
}

/* device_from_row, then the DB_SQL_DEVICE_SCHOOL_DETECTOR columns after it. */
static void device_school_from_row(const PGresult *r, int i, void *out)
{
	struct db_device *d = out;

	device_from_row(r, i, d);
	d->school_detector.idle_gap = db_pg_get_int(r, i, DB_SQL_DEVICE_NCOLS);
	d->school_detector.min_session = db_pg_get_int(r, i, DB_SQL_DEVICE_NCOLS + 1);
	d->school_detector.stuck_contact = db_pg_get_int(r, i, DB_SQL_DEVICE_NCOLS + 2);
	db_pg_get_text(r, i, DB_SQL_DEVICE_NCOLS + 3, d->school_collector_url,
	    sizeof(d->school_collector_url));
}

/* school_cols: sql has DB_SQL_DEVICE_SCHOOL_DETECTOR after the device's columns. */
static int device_lookup(struct db *db, const char *sql, const char *key,
    int school_cols, struct db_device *out, int *found, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, key);
	return db_pg_one(db, sql, &a, school_cols ? device_school_from_row : device_from_row,
	    out, found, "device", e);
}

/* With the school's detector settings, as db_sqlite.c: one round trip. */
int db_pg_device_by_token(struct db *db, const char *token_hash, struct db_device *out,
    int *found, struct bbt_error *e)
{
	return device_lookup(db, "SELECT " DB_SQL_DEVICE_COLS ", " DB_SQL_DEVICE_SCHOOL_DETECTOR
	    " FROM devices LEFT JOIN schools s ON s.code = devices.school "
	    "WHERE token_hash = ?1 AND revoked_at IS NULL", token_hash, 1, out, found, e);
}

int db_pg_device_get(struct db *db, const char *device_id, struct db_device *out,
    int *found, struct bbt_error *e)
{
	return device_lookup(db, "SELECT " DB_SQL_DEVICE_COLS " FROM devices WHERE device_id = ?1",
	    device_id, 0, out, found, e);
}

/* The steps of db_device_enroll (server/db.c; the statements, db_sql.h). */
static int enroll_insert(struct db *db, const struct db_device *d, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	int64_t n;

	db_pg_put_text(&a, d->device_id);
	db_pg_put_text(&a, d->school);
	db_pg_put_text(&a, d->room);
	db_pg_put_text(&a, d->hostname);
	db_pg_put_text(&a, d->agent_version);
	db_pg_put_text(&a, d->public_key);
	db_pg_put_text(&a, d->token_hash);
	db_pg_put_int(&a, d->enrolled_at);
	db_pg_put_text(&a, d->hw_id);
	n = db_pg_run(db, DB_SQL_ENROLL_INSERT, &a, "enroll device", e);
	return n < 0 ? -1 : n > 0;
}

static int enroll_lookup(struct db *db, const char *hw_id, struct db_device *out,
    int *found, struct bbt_error *e)
{
	return device_lookup(db, DB_SQL_DEVICE_BY_HW, hw_id, 0, out, found, e);
}

static int enroll_keep_old(struct db *db, const struct db_device *old,
    const struct db_device *d, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, old->token_hash);
	db_pg_put_text(&a, old->device_id);
	db_pg_put_text(&a, old->public_key);
	db_pg_put_int(&a, d->enrolled_at);
	db_pg_put_int(&a, strcmp(old->public_key, d->public_key) == 0);
	return db_pg_run(db, DB_SQL_ENROLL_KEEP_OLD, &a, "keep superseded device token",
	    e) < 0 ? -1 : 0;
}

static int enroll_swap(struct db *db, const struct db_device *old,
    const struct db_device *d, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	int64_t n;

	db_pg_put_text(&a, old->device_id);
	db_pg_put_text(&a, d->room);
	db_pg_put_text(&a, d->hostname);
	db_pg_put_text(&a, d->agent_version);
	db_pg_put_text(&a, d->public_key);
	db_pg_put_text(&a, d->token_hash);
	db_pg_put_int(&a, d->enrolled_at);
	db_pg_put_text(&a, old->token_hash);
	n = db_pg_run(db, DB_SQL_ENROLL_SWAP, &a, "enroll device again", e);
	return n < 0 ? -1 : n > 0;
}

const struct db_enroll_steps db_pg_enroll_steps = {
	.insert = enroll_insert,
	.lookup = enroll_lookup,
	.keep_old = enroll_keep_old,
	.swap = enroll_swap,
};

int db_pg_device_token_refused(struct db *db, const char *token_hash, int64_t now,
    enum db_token_refusal *why, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	char id[DB_ID_LEN];
	PGresult *r;
	int64_t rc, same_key;

	*why = DB_TOKEN_UNKNOWN;
	db_pg_put_text(&a, token_hash);
	r = db_pg_query(db, DB_SQL_SUPERSEDED_GET, &a, "superseded device token", e);
	if (!r)
		return -1;
	if (PQntuples(r) > 0) {
		db_pg_get_text(r, 0, 0, id, sizeof(id));
		same_key = db_pg_get_int(r, 0, 1);
		PQclear(r);
		*why = DB_TOKEN_SUPERSEDED;
		if (same_key)
			return 0;
		a.n = 0;
		db_pg_put_text(&a, id);
		db_pg_put_int(&a, now);
		/* At most one write a second per device, however often it knocks. */
		return db_pg_run(db, DB_SQL_CLONE_SET, &a, "clone evidence", e) < 0 ? -1 : 0;
	}
	PQclear(r);
	rc = db_pg_run(db, DB_SQL_DEVICE_REVOKED, &a, "revoked device", e);
	if (rc < 0)
		return -1;
	if (rc > 0)
		*why = DB_TOKEN_REVOKED;
	return 0;
}

int db_pg_device_revoke(struct db *db, const char *device_id, int64_t now,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, device_id);
	db_pg_put_int(&a, now);
	return db_pg_run(db, DB_SQL_DEVICE_REVOKE, &a, "revoke device", e) < 0 ? -1 : 0;
}

int db_pg_device_move(struct db *db, const char *device_id, const char *school,
    const char *room, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, device_id);
	db_pg_put_text(&a, school);
	db_pg_put_text(&a, room);
	return db_pg_run(db, DB_SQL_DEVICE_MOVE, &a, "move device", e) < 0 ? -1 : 0;
}

static void put_offset(struct db_pg_args *a, int64_t clock_offset_s)
{
	if (clock_offset_s == DB_OFFSET_UNKNOWN)
		db_pg_put_null_int(a);
	else
		db_pg_put_int(a, clock_offset_s);
}

int db_pg_device_seen(struct db *db, const char *device_id, int64_t now,
    int64_t clock_offset_s, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, device_id);
	db_pg_put_int(&a, now);
	put_offset(&a, clock_offset_s);
	if (db_pg_run(db, DB_SQL_DEVICE_SEEN, &a, "device seen", e) < 0)
		return -1;
	return db_pg_device_contact(db, device_id, now, e);
}

int db_pg_device_heartbeat(struct db *db, const char *device_id, int64_t now,
    int64_t clock_offset_s, const char *agent_version, int64_t buffer_depth,
    const char *devices_json, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, device_id);
	db_pg_put_int(&a, now);
	put_offset(&a, clock_offset_s);
	db_pg_put_text(&a, agent_version);
	if (buffer_depth >= 0)
		db_pg_put_int(&a, buffer_depth);
	else
		db_pg_put_null_int(&a);
	db_pg_put_text(&a, devices_json);
	if (db_pg_run(db, DB_SQL_DEVICE_HEARTBEAT, &a, "device heartbeat", e) < 0)
		return -1;
	return db_pg_device_contact(db, device_id, now, e);
}

/* One heartbeat as the recordset row of DEVICES_HEARTBEAT (i: its index). */
static int heartbeat_json(cJSON *o, size_t i, const void *arg)
{
	const struct db_heartbeat *h = &((const struct db_heartbeat *)arg)[i];
	int64_t day, hour_bit;

	db_contact_slot(h->now, &day, &hour_bit);
	if (db_pg_json_int(o, "i", (int64_t)i) < 0 ||
	    db_pg_json_text(o, "device_id", h->device_id) < 0 ||
	    db_pg_json_int(o, "now", h->now) < 0 ||
	    db_pg_json_int_or_null(o, "off", h->clock_offset_s,
	    h->clock_offset_s == DB_OFFSET_UNKNOWN) < 0 ||
	    db_pg_json_text(o, "version", h->agent_version) < 0 ||
	    db_pg_json_int_or_null(o, "depth", h->buffer_depth, h->buffer_depth < 0) < 0 ||
	    db_pg_json_text(o, "inputs", h->devices_json) < 0 ||
	    db_pg_json_int(o, "iv", h->interval_s) < 0 || db_pg_json_int(o, "day", day) < 0 ||
	    db_pg_json_int(o, "bit", hour_bit) < 0)
		return -1;
	return 0;
}

/*
 * The batch's devices locked in id order before DEVICES_HEARTBEAT writes
 * them (an UPDATE ... FROM takes its rows in whatever order its plan
 * reads them), and its contacts inserted in id order. FOR NO KEY UPDATE
 * is the lock the UPDATE takes anyway; FOR UPDATE would be stronger than
 * it for no gain, and would also hold up the foreign-key checks of
 * sessions inserted for these devices meanwhile.
 */
#define DEVICES_LOCK \
	"SELECT count(*) FROM (SELECT 1 FROM devices WHERE device_id IN (SELECT " \
	"x.device_id FROM jsonb_to_recordset(CAST(?1 AS jsonb)) AS x(device_id text)) " \
	"ORDER BY device_id FOR NO KEY UPDATE) l"
/* What DB_SQL_DEVICE_HEARTBEAT, DB_SQL_INTERVAL_SET and
 * DB_SQL_DEVICE_CONTACT do, for every row. A device repeated in the batch
 * (the caller's mistake) does not fail it: its last row is the device's,
 * and the contacts of all are kept (ON CONFLICT cannot touch a row twice
 * in one statement, so both are folded first). */
#define DEVICES_HEARTBEAT \
	"WITH x AS (SELECT * FROM jsonb_to_recordset(CAST(?1 AS jsonb)) AS x(i bigint, " \
	"device_id text, now bigint, off bigint, version text, depth bigint, inputs text, " \
	"iv bigint, day bigint, bit bigint)), " \
	"r AS (SELECT DISTINCT ON (device_id) * FROM x ORDER BY device_id, i DESC), " \
	"u AS (UPDATE devices d SET last_seen = r.now, clock_offset_s = coalesce(r.off, " \
	"d.clock_offset_s), agent_version = coalesce(r.version, d.agent_version), " \
	"buffer_depth = coalesce(r.depth, d.buffer_depth), input_devices = " \
	"coalesce(r.inputs, d.input_devices), sync_interval_s = nullif(r.iv, 0) " \
	"FROM r WHERE d.device_id = r.device_id) " \
	"INSERT INTO device_contacts (device_id, day, hours) SELECT device_id, day, " \
	"bit_or(bit) FROM x GROUP BY device_id, day ORDER BY device_id, day " \
	"ON CONFLICT (device_id, day) DO UPDATE SET hours = device_contacts.hours | " \
	"excluded.hours"

int db_pg_devices_heartbeat(struct db *db, const struct db_heartbeat *hb, size_t n,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	char *rows;
	int rc = -1;

	if (n == 0)
		return 0;
	rows = db_pg_json_rows(n, heartbeat_json, hb);
	if (!rows)
		return bbt_error_set(e, "store heartbeats: out of memory");
	db_pg_put_text(&a, rows);
	if (db_begin(db, e) < 0)
		goto out;
	if (db_pg_run(db, DEVICES_LOCK, &a, "lock devices", e) < 0 ||
	    db_pg_run(db, DEVICES_HEARTBEAT, &a, "store heartbeats", e) < 0) {
		db_rollback(db);
		goto out;
	}
	rc = db_commit(db, e);
out:
	cJSON_free(rows);
	return rc;
}

int db_pg_device_counts(struct db *db, int64_t since, int64_t *enrolled, int64_t *seen,
    struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	int64_t v[2];

	db_pg_put_int(&a, since);
	if (db_pg_one(db, DB_SQL_DEVICE_COUNTS, &a, db_pg_int64s, v, NULL, "device counts",
	    e) < 0)
		return -1;
	*enrolled = v[0];
	*seen = v[1];
	return 0;
}

/* A device row, and its input_devices JSON after the device's columns. */
static int device_visit(const PGresult *r, int i, void *arg, struct bbt_error *e)
{
	struct db_walk *w = arg;
	struct db_device d;

	device_from_row(r, i, &d);
	return w->fn.device(w->arg, &d, PQgetisnull(r, i, DB_SQL_DEVICE_NCOLS) ? NULL :
	    PQgetvalue(r, i, DB_SQL_DEVICE_NCOLS), e);
}

int db_pg_devices_each(struct db *db, const char *school, db_device_fn fn, void *arg,
    struct bbt_error *e)
{
	struct db_walk w = { .fn.device = fn, .arg = arg };
	struct db_pg_args a = { 0 };

	db_pg_put_text(&a, school);
	return db_pg_each(db, "SELECT " DB_SQL_DEVICE_COLS ", input_devices FROM devices "
	    "WHERE CAST(?1 AS TEXT) IS NULL OR school = ?1 ORDER BY school, room, hostname, "
	    "device_id", &a, device_visit, &w, "devices", e);
}

/* ---- sessions ---- */

int db_pg_session_ready(struct db *db, int64_t start, struct bbt_error *e)
{
	return db->tx_depth > 0 ? 0 : db_pg_partition_for(db, start, e);
}

/* One session as the recordset row of SESSIONS_INSERT (i: its index). */
static int session_json(cJSON *o, size_t i, const void *arg)
{
	const struct bbt_session *s = ((const struct bbt_session *const *)arg)[i];
	char flags[128];

	bbt_flags_format(s->flags, ",", flags, sizeof(flags));
	if (db_pg_json_int(o, "i", (int64_t)i) < 0 || db_pg_json_text(o, "id", s->id) < 0 ||
	    db_pg_json_int(o, "start", s->start) < 0 || db_pg_json_int(o, "end", s->end) < 0 ||
	    db_pg_json_int(o, "utc_offset", s->utc_offset) < 0 ||
	    db_pg_json_int(o, "duration_s", s->duration_s) < 0 ||
	    db_pg_json_int(o, "touches", s->touches) < 0 ||
	    db_pg_json_int(o, "active_minutes", s->active_minutes) < 0 ||
	    db_pg_json_text(o, "teacher", s->teacher[0] ? s->teacher : NULL) < 0 ||
	    db_pg_json_text(o, "input_name", s->input.name[0] ? s->input.name : NULL) < 0 ||
	    db_pg_json_text(o, "input_vid", s->input.vid[0] ? s->input.vid : NULL) < 0 ||
	    db_pg_json_text(o, "input_pid", s->input.pid[0] ? s->input.pid : NULL) < 0 ||
	    db_pg_json_text(o, "flags", flags) < 0)
		return -1;
	return 0;
}

/*
 * One statement for the batch, the rows passed as one jsonb parameter
 * (its text made by cJSON, so no value is ever SQL): each id goes into
 * session_ids unless it is there (the exactly-once key), in id order (two
 * batches sharing ids lock them in the same order, so they wait rather
 * than deadlock), and only the new ones into their months' partitions; a
 * repeated id keeps its first place (DISTINCT ON ... ORDER BY id, i).
 * The answer is the index of each session stored now.
 */
#define SESSIONS_INSERT \
	"WITH r AS (SELECT DISTINCT ON (id) * FROM jsonb_to_recordset(CAST(?1 AS jsonb)) " \
	"AS x(i bigint, id text, start bigint, \"end\" bigint, utc_offset bigint, " \
	"duration_s bigint, touches bigint, active_minutes bigint, teacher text, " \
	"input_name text, input_vid text, input_pid text, flags text) ORDER BY id, i), " \
	"new AS (INSERT INTO session_ids (id) SELECT id FROM r ORDER BY id " \
	"ON CONFLICT (id) DO NOTHING RETURNING id), " \
	"ins AS (INSERT INTO sessions (id, device_id, school, room, start, \"end\", " \
	"utc_offset, duration_s, touches, active_minutes, teacher, input_name, input_vid, " \
	"input_pid, flags, received_at, via) SELECT r.id, ?2, ?3, ?4, r.start, r.\"end\", " \
	"r.utc_offset, r.duration_s, r.touches, r.active_minutes, r.teacher, r.input_name, " \
	"r.input_vid, r.input_pid, r.flags, ?5, ?6 FROM r JOIN new USING (id) RETURNING id) " \
	"SELECT r.i FROM r JOIN ins USING (id)"

int db_pg_sessions_insert(struct db *db, const struct bbt_session *const *s, size_t n,
    const struct db_session_origin *o, unsigned char *inserted, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	PGresult *r;
	char *rows;
	int rc = -1;

	memset(inserted, 0, n);
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (db_pg_partition_for(db, s[i]->start, e) < 0)
			return -1;
	}
	rows = db_pg_json_rows(n, session_json, s);
	if (!rows)
		return bbt_error_set(e, "store sessions: out of memory");
	db_pg_put_text(&a, rows);
	db_pg_put_text(&a, o->device_id);
	db_pg_put_text(&a, o->school);
	db_pg_put_text(&a, o->room);
	db_pg_put_int(&a, o->received_at);
	db_pg_put_text(&a, o->via == DB_VIA_BUNDLE ? "bundle" : "http");
	r = db_pg_query(db, SESSIONS_INSERT, &a, "store sessions", e);
	if (!r)
		goto out;
	for (int k = 0; k < PQntuples(r); k++) {
		int64_t i = db_pg_get_int(r, k, 0);

		if (i >= 0 && (size_t)i < n)
			inserted[i] = 1;
	}
	PQclear(r);
	rc = 0;
out:
	cJSON_free(rows);
	return rc;
}

int db_pg_session_exists(struct db *db, const char *id, int *exists, struct bbt_error *e)
{
	struct db_pg_args a = { 0 };
	int64_t n;

	*exists = 0;
	db_pg_put_text(&a, id);
	n = db_pg_run(db, "SELECT 1 FROM session_ids WHERE id = ?1", &a, "session", e);
	if (n < 0)
		return -1;
	*exists = n > 0;
	return 0;
}

int db_pg_session_count(struct db *db, int64_t *n, struct bbt_error *e)
{
	return db_pg_one(db, "SELECT count(*) FROM session_ids", NULL, db_pg_int64s, n, NULL,
	    "session count", e);
}

static void session_from_row(const PGresult *res, int i, struct db_session_row *r)
{
	struct bbt_session *s = &r->s;
	char flags[128];

	memset(r, 0, sizeof(*r));
	db_pg_get_text(res, i, 0, s->id, sizeof(s->id));
	db_pg_get_text(res, i, 1, r->device_id, sizeof(r->device_id));
	db_pg_get_text(res, i, 2, r->school, sizeof(r->school));
	db_pg_get_text(res, i, 3, r->room, sizeof(r->room));
	s->start = db_pg_get_int(res, i, 4);
	s->end = db_pg_get_int(res, i, 5);
	s->utc_offset = (int)db_pg_get_int(res, i, 6);
	s->duration_s = db_pg_get_int(res, i, 7);
	s->touches = (int)db_pg_get_int(res, i, 8);
	s->active_minutes = (int)db_pg_get_int(res, i, 9);
	db_pg_get_text(res, i, 10, s->teacher, sizeof(s->teacher));
	db_pg_get_text(res, i, 11, s->input.name, sizeof(s->input.name));
	db_pg_get_text(res, i, 12, s->input.vid, sizeof(s->input.vid));
	db_pg_get_text(res, i, 13, s->input.pid, sizeof(s->input.pid));
	db_pg_get_text(res, i, 14, flags, sizeof(flags));
	s->flags = bbt_flags_parse(flags);
	r->received_at = db_pg_get_int(res, i, 15);
	db_pg_get_text(res, i, 16, flags, sizeof(flags));
	r->via = strcmp(flags, "bundle") == 0 ? DB_VIA_BUNDLE : DB_VIA_HTTP;
}

/*
 * The audit walk may be long (every session of a school): it is read in
 * pages of PAGE rows by (start, id), so memory stays one page's whatever
 * the table holds, and fn may still query between rows.
 */
#define PAGE 2000

int db_pg_sessions_each(struct db *db, const char *school, const char *device_id,
    db_session_fn fn, void *arg, struct bbt_error *e)
{
	struct db_session_row row;
	char last_id[BBT_UUID_LEN] = "";
	int64_t last_start = INT64_MIN;
	int rc = 0, got;

	do {
		struct db_pg_args a = { 0 };
		PGresult *r;

		db_pg_put_text(&a, school);
		db_pg_put_text(&a, device_id);
		db_pg_put_int(&a, last_start);
		db_pg_put_text(&a, last_id);
		db_pg_put_int(&a, PAGE);
		r = db_pg_query(db, "SELECT id, device_id, school, room, start, \"end\", "
		    "utc_offset, duration_s, touches, active_minutes, teacher, input_name, "
		    "input_vid, input_pid, flags, received_at, via FROM sessions "
		    "WHERE (CAST(?1 AS TEXT) IS NULL OR school = ?1) "
		    "AND (CAST(?2 AS TEXT) IS NULL OR device_id = ?2) "
		    "AND (start > ?3 OR (start = ?3 AND id > ?4)) ORDER BY start, id LIMIT ?5",
		    &a, "sessions", e);
		if (!r)
			return -1;
		got = PQntuples(r);
		for (int i = 0; rc == 0 && i < got; i++) {
			session_from_row(r, i, &row);
			last_start = row.s.start;
			snprintf(last_id, sizeof(last_id), "%s", row.s.id);
			rc = fn(arg, &row, e) < 0 ? -1 : 0;
		}
		PQclear(r);
	} while (rc == 0 && got == PAGE);
	return rc;
}
