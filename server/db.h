/*
 * db: the collector's storage interface. Every SQL statement of bbt-server
 * lives behind this header; callers never see a backend type, so a
 * PostgreSQL backend (SPEC 5.7) implements the same functions in its own
 * file (db_pg.c) and nothing else changes.
 *
 * Invariants:
 *  - A `struct db` is one connection, used by one thread at a time. The
 *    HTTP server keeps one per worker thread (see server/http.h); CLI
 *    commands open one.
 *  - db_open creates the schema or migrates it to the newest version before
 *    it returns; a database newer than this program is refused.
 *  - Every write that must be all-or-nothing runs between db_begin and
 *    db_commit (or db_rollback). db_begin takes the write lock at once
 *    (SQLite BEGIN IMMEDIATE), so a read-then-write (an enrollment token's
 *    uses) cannot race another connection. Transactions nest: only the
 *    outermost begin/commit reach the database; a rollback at any depth
 *    dooms the whole transaction and the outer db_commit then fails.
 *  - db_commit returns 0 only once the transaction is durable across a
 *    power cut (SQLite: WAL with synchronous=FULL on every connection).
 *    The collector acknowledges a session only after that.
 *  - Times are Unix seconds (UTC). Text is UTF-8. Token secrets are never
 *    stored: only their SHA-256 hex digests (server/auth.h).
 *
 * Functions return 0 or -1 with e filled (bbt_error). A lookup that finds
 * nothing is not an error: it returns 0 with *found = 0.
 *
 * Other modules append their own functions at the end of this header (with
 * the db_ prefix) and implement them for SQLite in db_sqlite_<topic>.c,
 * using server/db_sqlite_internal.h.
 */
#ifndef SERVER_DB_H
#define SERVER_DB_H

#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"
#include "bbt_session.h"

/* The schema version this program creates and expects. */
#define DB_SCHEMA_VERSION 4

#define DB_SCHOOL_LEN 64	/* school code */
#define DB_NAME_LEN 256		/* school, district, admin names */
#define DB_ID_LEN 64		/* device ids, hw ids */
#define DB_ROOM_LEN 128
#define DB_HOST_LEN 256
#define DB_VERSION_LEN 64
#define DB_KEY_LEN 64		/* base64 public key (44 chars) */
#define DB_HASH_LEN 65		/* SHA-256 hex + NUL */
#define DB_PREFIX_LEN 8		/* token characters kept to name a token */

struct db;

/*
 * Open (and create or migrate) the database named by `where`: a file path
 * for SQLite. A postgresql:// URL is refused until that backend exists.
 */
int db_open(const char *where, struct db **out, struct bbt_error *e);
void db_close(struct db *db);
/* The schema version stored in the database. */
int db_schema_version(struct db *db, int *version, struct bbt_error *e);

/* Transactions (see the invariants above). */
int db_begin(struct db *db, struct bbt_error *e);
int db_commit(struct db *db, struct bbt_error *e);
void db_rollback(struct db *db);

/* --- schools ------------------------------------------------------------ */
struct db_school {
	char code[DB_SCHOOL_LEN];
	char name[DB_NAME_LEN];
	char district[DB_NAME_LEN];	/* "" = none */
};

/* Add a school; -1 with "school CODE exists" if the code is taken. */
int db_school_add(struct db *db, const struct db_school *s, struct bbt_error *e);
int db_school_get(struct db *db, const char *code, struct db_school *out,
    int *found, struct bbt_error *e);
/* 0 if code is NULL or a registered school, else -1 with "unknown school
 * CODE": a --school typo must not look like an empty report. */
int db_school_check(struct db *db, const char *code, struct bbt_error *e);

/* --- enrollment tokens -------------------------------------------------- */
struct db_enroll_token {
	char hash[DB_HASH_LEN];
	char school[DB_SCHOOL_LEN];
	int64_t uses_left;
	int64_t expires_at;	/* expired when now >= expires_at */
	int64_t created_at;
	/* The token's first DB_PREFIX_LEN characters, for `token list|revoke`
	 * ("" for tokens made before schema v3: they go by their digest). */
	char prefix[DB_PREFIX_LEN + 1];
	int64_t revoked_at;	/* 0 = not revoked */
};

int db_enroll_token_add(struct db *db, const struct db_enroll_token *t,
    struct bbt_error *e);
int db_enroll_token_get(struct db *db, const char *hash, struct db_enroll_token *out,
    int *found, struct bbt_error *e);
/*
 * Take one use of the token if it has one left and is not revoked:
 * *taken = 1, else 0. Call it inside a transaction together with the
 * device write it pays for.
 */
int db_enroll_token_take(struct db *db, const char *hash, int *taken,
    struct bbt_error *e);

/* --- admins ------------------------------------------------------------- */
struct db_admin {
	char name[DB_NAME_LEN];
	char school[DB_SCHOOL_LEN];	/* "" = bureau: sees every school */
	int64_t created_at;
	int64_t revoked_at;		/* 0 = active */
};

/* Add an admin with the hash of its token; -1 if the name exists (a
 * revoked admin's name is taken over: new token, school, not revoked). */
int db_admin_add(struct db *db, const struct db_admin *a, const char *token_hash,
    int64_t created_at, struct bbt_error *e);
/* The admin of a token; a revoked admin is not found. */
int db_admin_by_token(struct db *db, const char *token_hash, struct db_admin *out,
    int *found, struct bbt_error *e);

/* --- devices ------------------------------------------------------------ */
struct db_device {
	char device_id[DB_ID_LEN];
	char hw_id[DB_ID_LEN * 2];
	char school[DB_SCHOOL_LEN];
	char room[DB_ROOM_LEN];
	char hostname[DB_HOST_LEN];
	char agent_version[DB_VERSION_LEN];
	char public_key[DB_KEY_LEN];	/* base64 of the raw Ed25519 key */
	char token_hash[DB_HASH_LEN];
	int64_t enrolled_at;
	int64_t last_seen;		/* 0 = never seen since enrollment */
	int64_t clock_offset_s;		/* agent clock - server clock, last seen;
					 * DB_OFFSET_UNKNOWN if never measured */
	int64_t buffer_depth;		/* -1 = never reported */
	int64_t revoked_at;		/* 0 = not revoked (`device revoke`) */
	int64_t reenrolled;		/* times its hw_id enrolled again */
	int64_t reenrolled_at;		/* the last of those, 0 = never */
	int64_t clone_at;		/* last evidence of a second machine, 0 = none */
};

/* Outcomes of db_device_enroll (*reenrolled). */
#define DB_ENROLL_NEW 0			/* a new device */
#define DB_ENROLL_AGAIN 1		/* same hw_id, same school: id kept */
#define DB_ENROLL_OTHER_SCHOOL 2	/* hw_id is another school's: nothing written */

/*
 * Enroll (SPEC 4.4 identity). A new hw_id inserts a device. A hw_id already
 * enrolled in d->school keeps its device_id and gets d's room, hostname,
 * version, public key and token hash: the old device token stops working
 * (kept as superseded, see db_device_token_refused), the re-enrollment is
 * counted, and a revocation is lifted. A hw_id enrolled in another school
 * writes nothing (DB_ENROLL_OTHER_SCHOOL; moving is `device move`).
 * d->device_id is the id for a new device and is overwritten with the
 * existing one otherwise. Clone evidence: a re-enrollment whose public key
 * is one that an enrollment with another key had replaced (two machines
 * alternate) sets clone_at.
 */
int db_device_enroll(struct db *db, struct db_device *d, int *reenrolled,
    struct bbt_error *e);
/* The device of a token; a revoked device is not found. */
int db_device_by_token(struct db *db, const char *token_hash, struct db_device *out,
    int *found, struct bbt_error *e);
/* Why a device token that db_device_by_token did not find is refused. */
enum db_token_refusal {
	DB_TOKEN_UNKNOWN,	/* never a device token */
	DB_TOKEN_SUPERSEDED,	/* replaced by a later enrollment of the hw_id */
	DB_TOKEN_REVOKED,	/* its device was revoked by an admin */
};
/*
 * Classify a refused device token. A token superseded by an enrollment
 * with another public key that is presented again is clone evidence (a
 * re-imaged machine has lost its old token; a second machine still holds
 * it): the device's clone_at becomes now.
 */
int db_device_token_refused(struct db *db, const char *token_hash, int64_t now,
    enum db_token_refusal *why, struct bbt_error *e);
/* Seconds clone evidence keeps a device flagged clone_suspected. */
#define DB_CLONE_WINDOW_S (14 * 86400)
int db_device_get(struct db *db, const char *device_id, struct db_device *out,
    int *found, struct bbt_error *e);
/* A clock offset that could not be measured (the old one is kept). */
#define DB_OFFSET_UNKNOWN INT64_MIN
/* Record contact: last_seen = now, the clock offset the agent showed. */
int db_device_seen(struct db *db, const char *device_id, int64_t now,
    int64_t clock_offset_s, struct bbt_error *e);
/* Heartbeat: contact plus version, buffer depth, input devices (JSON text). */
int db_device_heartbeat(struct db *db, const char *device_id, int64_t now,
    int64_t clock_offset_s, const char *agent_version, int64_t buffer_depth,
    const char *devices_json, struct bbt_error *e);
/* Enrolled devices, and those seen at or after `since`. */
int db_device_counts(struct db *db, int64_t since, int64_t *enrolled, int64_t *seen,
    struct bbt_error *e);
/*
 * Every enrolled device of one school (NULL = all), ordered by school,
 * room, hostname: fn gets each with the input devices of its last
 * heartbeat (JSON array text, NULL if none). fn returning -1 stops the walk
 * and makes the call return -1 with fn's error.
 */
typedef int (*db_device_fn)(void *arg, const struct db_device *d,
    const char *inputs_json, struct bbt_error *e);
int db_devices_each(struct db *db, const char *school, db_device_fn fn, void *arg,
    struct bbt_error *e);

/* --- revocation and moves (SPEC 5.1 admin|token|device list|revoke) ------ */
typedef int (*db_admin_fn)(void *arg, const struct db_admin *a, struct bbt_error *e);
/* Every admin, revoked ones too, ordered by name. */
int db_admins_each(struct db *db, db_admin_fn fn, void *arg, struct bbt_error *e);
/* Revoke an admin's token: *found = 0 if no such admin, *already if it was. */
int db_admin_revoke(struct db *db, const char *name, int64_t now, int *found,
    int *already, struct bbt_error *e);
typedef int (*db_token_fn)(void *arg, const struct db_enroll_token *t,
    struct bbt_error *e);
/* Enrollment tokens of one school (NULL = all), ordered by school, created_at. */
int db_enroll_tokens_each(struct db *db, const char *school, db_token_fn fn, void *arg,
    struct bbt_error *e);
/*
 * The enrollment tokens whose prefix starts with `prefix` (or, with
 * by_hash, whose digest does): up to max of them into out, *n the number
 * that matched (may exceed max).
 */
int db_enroll_tokens_match(struct db *db, const char *prefix, int by_hash,
    struct db_enroll_token *out, size_t max, size_t *n, struct bbt_error *e);
int db_enroll_token_revoke(struct db *db, const char *hash, int64_t now,
    struct bbt_error *e);
/* Revoke a device's token (re-enrolling with a token of its school lifts it). */
int db_device_revoke(struct db *db, const char *device_id, int64_t now,
    struct bbt_error *e);
/* An admin's move of a device to another school and room. */
int db_device_move(struct db *db, const char *device_id, const char *school,
    const char *room, struct bbt_error *e);

/* --- sessions ----------------------------------------------------------- */
enum db_via { DB_VIA_HTTP, DB_VIA_BUNDLE };

/* Where a session came from: the device, and its school and room then. */
struct db_session_origin {
	const char *device_id;
	const char *school;
	const char *room;
	int64_t received_at;
	enum db_via via;
};

/*
 * Store one session unless its id is stored already (*inserted = 0: a
 * duplicate, whichever device sent it first).
 */
int db_session_insert(struct db *db, const struct bbt_session *s,
    const struct db_session_origin *o, int *inserted, struct bbt_error *e);
int db_session_exists(struct db *db, const char *id, int *exists, struct bbt_error *e);
int db_session_count(struct db *db, int64_t *n, struct bbt_error *e);

/* --- timetable and points (owner: pts; SQLite in db_sqlite_points.c) ------ */
struct timetable;	/* server/timetable.h */
struct points_session;	/* server/points.h */

/*
 * Replace, in one transaction, the whole timetable of every school that has
 * a slot in tt with tt's slots; other schools keep theirs. Fails (storing
 * nothing) if a school of tt is not registered.
 */
int db_timetable_replace(struct db *db, const struct timetable *tt, struct bbt_error *e);
/* The slots of one school (NULL = all), ordered by school, room, weekday, start. */
int db_timetable_load(struct db *db, const char *school, struct timetable *tt,
    struct bbt_error *e);
/*
 * Sessions starting in [from, to), of one school (NULL = all), with their
 * device's school and room and their teacher; *out is malloc'd (caller
 * frees) with only the input fields of struct points_session filled.
 */
int db_points_sessions(struct db *db, int64_t from, int64_t to, const char *school,
    struct points_session **out, size_t *n, struct bbt_error *e);

/* --- live lessons (SPEC 5.5; SQLite in db_sqlite_live.c) ----------------- */
struct db_live_lesson {
	char seq[64];			/* 序号; with day, the lesson's identity */
	int64_t day;			/* local date as days since 1970-01-01 */
	char type[256], subject[256], teacher[256], course[256], area[256];
	char stage[64], grade[64], platform[256], note[256];
	char owner[256], contact[256];	/* 学校排课负责人, 联系方式 (schema v4) */
	int64_t start, end;		/* Unix seconds */
	char school[DB_SCHOOL_LEN];	/* delivering school (code) and room */
	char room[DB_ROOM_LEN];		/* "" = not given */
	char recv_school[DB_SCHOOL_LEN];	/* "" = no receiving end */
	char recv_room[DB_ROOM_LEN];
};

/* The code of the school whose code or name is ref; *found = 0 if none. */
int db_school_resolve(struct db *db, const char *ref, char code[DB_SCHOOL_LEN],
    int *found, struct bbt_error *e);
/* Insert a lesson, or update the one with the same seq and day. */
int db_live_upsert(struct db *db, const struct db_live_lesson *l, struct bbt_error *e);
/* Lessons starting in [from, to) with either end in school (NULL = all),
 * ordered by start, seq. */
typedef int (*db_live_fn)(void *arg, const struct db_live_lesson *l, struct bbt_error *e);
int db_live_each(struct db *db, const char *school, int64_t from, int64_t to,
    db_live_fn fn, void *arg, struct bbt_error *e);
/* Sessions of a school's room overlapping [from, to), ordered by start. */
typedef int (*db_span_fn)(void *arg, const char *id, int64_t start, int64_t end,
    struct bbt_error *e);
int db_room_sessions(struct db *db, const char *school, const char *room, int64_t from,
    int64_t to, db_span_fn fn, void *arg, struct bbt_error *e);
/* Enrolled devices in a school's room and the latest last_seen among them;
 * a revoked device is no room's device (docs/verify.md). */
int db_room_devices(struct db *db, const char *school, const char *room, int *ndevices,
    int64_t *last_seen, struct bbt_error *e);

/* --- statistics (SPEC 5.6; SQLite in db_sqlite_stats.c) ------------------ */
typedef int (*db_school_fn)(void *arg, const struct db_school *s, struct bbt_error *e);
/* Every school, ordered by district, code. */
int db_schools_each(struct db *db, db_school_fn fn, void *arg, struct bbt_error *e);

/*
 * "Seen in [from, to)": the device made contact (heartbeat or upload,
 * recorded by hour in the contact history) in the period, or a session it
 * recorded starting in the period has arrived since (offline data).
 */
struct db_school_counts {
	int64_t classrooms;		/* rooms in its timetable or with a device */
	int64_t timetable_rooms;	/* rooms in its timetable */
	int64_t enrolled;		/* devices enrolled (not revoked by `to`) */
	int64_t seen;			/* devices seen in the period */
	int64_t active_classrooms;	/* rooms with a qualifying session */
	int64_t qualifying;		/* sessions of >= min_duration_s */
	int64_t qualifying_s;		/* their total duration */
	int64_t equipped;		/* timetable rooms with a device seen in the period */
	int64_t enrolled_rooms;		/* classrooms with a device enrolled before `to` */
};
/* A school's counts for sessions starting in [from, to). */
int db_school_counts(struct db *db, const char *school, int64_t from, int64_t to,
    int64_t min_duration_s, struct db_school_counts *out, struct bbt_error *e);

/* --- contact history and per-school detector settings (owner: bureau;
 * SQLite in db_sqlite_stats.c; schema v4) ------------------------------- */
/* Record that the device made contact at `now` (its UTC hour is kept).
 * db_device_seen and db_device_heartbeat call it. */
int db_device_contact(struct db *db, const char *device_id, int64_t now,
    struct bbt_error *e);
/*
 * The agent answered for n sessions of its outbox (accepted, duplicate or
 * rejected: it drops them all): its buffer depth, as reported at the
 * heartbeat that opened the pass, goes down by n (not below 0), so the
 * fleet view shows the depth after the pass.
 */
int db_device_uploaded(struct db *db, const char *device_id, int64_t n,
    struct bbt_error *e);
/* The agent's own sync interval, from its heartbeat (0 = unknown). */
int db_device_interval_set(struct db *db, const char *device_id, int64_t interval_s,
    struct bbt_error *e);
int db_device_interval_get(struct db *db, const char *device_id, int64_t *interval_s,
    struct bbt_error *e);

/* A school's detector settings for its agents (SPEC 4.1 keys, seconds);
 * -1 = not set: the server's own (serve --idle-gap ...) applies. */
struct db_detector {
	int64_t idle_gap, min_session, stuck_contact;
};
/* Replace the school's settings with d; -1 with "unknown school" if none. */
int db_school_detector_set(struct db *db, const char *code, const struct db_detector *d,
    struct bbt_error *e);
/* The school's settings (all -1 for an unknown school or none set). */
int db_school_detector_get(struct db *db, const char *code, struct db_detector *out,
    struct bbt_error *e);

#endif
