/*
 * db_devices: enrolled devices (CONTRACT 4.4 identity), their tokens, contact
 * (heartbeats, the hourly contact history), revocation and moves. SQLite:
 * db_sqlite.c and db_sqlite_stats.c (contact history, uploaded, interval).
 */
#ifndef SERVER_DB_DEVICES_H
#define SERVER_DB_DEVICES_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

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
	int64_t state_resets;		/* re-enrollments with a new device key: the
					 * agent's state was reset (restore software) */
	/* Its school's detector settings (db_school_detector_get), read in
	 * the same query by db_device_by_token only, so a heartbeat's reply
	 * costs no read of its own; all -1 from every other lookup. */
	struct db_detector school_detector;
	/* Likewise its school's collector address (db_school_collector_set),
	 * "" if none. */
	char school_collector_url[DB_URL_LEN];
};

/*
 * What a request made with a device token may know of its device: all
 * that the collector's credential cache (server/credcache.h) keeps, so a
 * handler cannot read a field the cache would have left stale.
 */
struct db_device_cred {
	char device_id[DB_ID_LEN];
	char school[DB_SCHOOL_LEN];
	char room[DB_ROOM_LEN];
	struct db_detector school_detector;
	char school_collector_url[DB_URL_LEN];
};

/* The credential part of a device that db_device_by_token found. */
void db_device_cred_of(const struct db_device *d, struct db_device_cred *out);

/* Outcomes of db_device_enroll (*reenrolled). */
#define DB_ENROLL_NEW 0			/* a new device */
#define DB_ENROLL_AGAIN 1		/* same hw_id, same school: id kept */
#define DB_ENROLL_OTHER_SCHOOL 2	/* hw_id is another school's: nothing written */

/*
 * Enroll (CONTRACT 4.4 identity). A new hw_id inserts a device. A hw_id already
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
/*
 * The credential generation: a number that every change to what
 * db_device_by_token would answer (a device's token, revocation, school or
 * room; its school's code, detector settings or collector address; a
 * deletion) raises, in that change's own transaction (a trigger in the
 * schema, so every writer counts), with a log of what each number changed.
 * server/credcache.h polls it.
 */
#define DB_AUTH_CHANGES_KEEP 10000	/* numbers the log keeps (the schema's) */
#define DB_AUTH_CHANGES_MAX 1000	/* changes one db_auth_changes reads */
/* A change: one device's credential (school "") or everything of a school
 * (device_id ""). */
typedef int (*db_auth_change_fn)(void *arg, const char *device_id, const char *school,
    struct bbt_error *e);
/*
 * The number now (*gen) and, oldest first, fn on each change after number
 * `since` up to it, at most DB_AUTH_CHANGES_MAX + 1 of them (one more than
 * the maximum says there were more). A caller more than
 * DB_AUTH_CHANGES_KEEP numbers behind has lost some to the log's trimming.
 * One statement: the number and its changes are one snapshot.
 */
int db_auth_changes(struct db *db, int64_t since, int64_t *gen, db_auth_change_fn fn,
    void *arg, struct bbt_error *e);
/* The number alone. */
int db_auth_generation(struct db *db, int64_t *gen, struct bbt_error *e);
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
/* One heartbeat of a batch (db_devices_heartbeat). */
struct db_heartbeat {
	const char *device_id;
	int64_t now, clock_offset_s;	/* DB_OFFSET_UNKNOWN: keep the old one */
	int64_t buffer_depth;		/* < 0: keep the old one */
	int64_t interval_s;		/* the agent's sync interval, 0 = unknown */
	const char *agent_version;	/* NULL: keep the old one */
	const char *devices_json;	/* NULL: keep the old one */
};
/*
 * n heartbeats of distinct devices, all or none: for each what
 * db_device_heartbeat and db_device_interval_set write. It is how a
 * collector flushes the heartbeats it held: on PostgreSQL the batch is one
 * statement, its rows locked in device id order first, so two collectors
 * flushing the same devices wait for each other instead of deadlocking.
 */
int db_devices_heartbeat(struct db *db, const struct db_heartbeat *hb, size_t n,
    struct bbt_error *e);
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
/* Revoke a device's token (re-enrolling with a token of its school lifts it). */
int db_device_revoke(struct db *db, const char *device_id, int64_t now,
    struct bbt_error *e);
/* An admin's move of a device to another school and room. */
int db_device_move(struct db *db, const char *device_id, const char *school,
    const char *room, struct bbt_error *e);

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

#endif
