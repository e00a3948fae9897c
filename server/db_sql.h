/*
 * db_sql: the statements of server/db.h that both backends run word for
 * word (db_sqlite.c, db_pg_core.c), in the portable SQL of db.h with ?N
 * parameters (the PostgreSQL backend turns them into $N). One text, so
 * the backends cannot drift apart; each binds the parameters its own way.
 * Included only by the backends' files. The statistics' SQL is
 * db_stats_sql.h.
 */
#ifndef SERVER_DB_SQL_H
#define SERVER_DB_SQL_H

/* An enrollment token's columns, in the order the backends read them. */
#define DB_SQL_TOKEN_COLS "hash, school, uses_left, expires_at, created_at, " \
	"coalesce(prefix, ''), coalesce(revoked_at, 0)"

/* An admin's columns. */
#define DB_SQL_ADMIN_COLS "name, coalesce(school, ''), created_at, coalesce(revoked_at, 0)"

/* A device's columns (DB_SQL_DEVICE_NCOLS of them). */
#define DB_SQL_DEVICE_COLS "device_id, hw_id, school, room, hostname, agent_version, " \
	"public_key, token_hash, enrolled_at, last_seen, clock_offset_s, buffer_depth, " \
	"coalesce(revoked_at, 0), reenrolled, coalesce(reenrolled_at, 0), " \
	"coalesce(clone_at, 0), " \
	/* Re-enrollments that came with a new device key: the agent's state \
	 * (buffer, key) was lost, e.g. to restore software. */ \
	"(SELECT count(*) FROM device_tokens_old o WHERE o.device_id = devices.device_id " \
	"AND o.same_key = 0)"
#define DB_SQL_DEVICE_NCOLS 17
/* After the device's columns, with schools joined as s:
 * db_device.school_detector and school_collector_url. */
#define DB_SQL_DEVICE_SCHOOL_DETECTOR "coalesce(s.detector_idle_gap, -1), " \
	"coalesce(s.detector_min_session, -1), coalesce(s.detector_stuck_contact, -1), " \
	"s.collector_url"

/*
 * The statements of db_device_enroll (server/db.c): a new hw_id is one
 * INSERT ... ON CONFLICT (hw_id) DO NOTHING RETURNING; a known one is
 * read by hw_id, its token kept as superseded (the first enrollment to
 * replace it says whether the key was the same), and then replaced by one
 * UPDATE that names the token it read (compare and swap). Clone evidence:
 * the new key is one that an enrollment with another key had replaced.
 */
/* ?1 device_id ?2 school ?3 room ?4 hostname ?5 agent_version ?6 public_key
 * ?7 token_hash ?8 enrolled_at ?9 hw_id */
#define DB_SQL_ENROLL_INSERT "INSERT INTO devices (device_id, school, room, hostname, " \
	"agent_version, public_key, token_hash, enrolled_at, hw_id) " \
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (hw_id) DO NOTHING " \
	"RETURNING device_id"
/* ?1 hw_id */
#define DB_SQL_DEVICE_BY_HW "SELECT " DB_SQL_DEVICE_COLS " FROM devices WHERE hw_id = ?1"
/* ?1 old token_hash ?2 device_id ?3 old public_key ?4 enrolled_at ?5 same key */
#define DB_SQL_ENROLL_KEEP_OLD "INSERT INTO device_tokens_old (token_hash, device_id, " \
	"public_key, superseded_at, same_key) VALUES (?1, ?2, ?3, ?4, ?5) " \
	"ON CONFLICT (token_hash) DO NOTHING"
/* ?1 device_id ?2 room ?3 hostname ?4 agent_version ?5 public_key
 * ?6 token_hash ?7 enrolled_at ?8 the old token_hash */
#define DB_SQL_ENROLL_SWAP "UPDATE devices SET room = ?2, hostname = ?3, " \
	"agent_version = ?4, public_key = ?5, token_hash = ?6, enrolled_at = ?7, " \
	"revoked_at = NULL, reenrolled = reenrolled + 1, reenrolled_at = ?7, " \
	"clone_at = CASE WHEN public_key <> ?5 AND EXISTS (SELECT 1 FROM " \
	"device_tokens_old o WHERE o.device_id = ?1 AND o.public_key = ?5 AND " \
	"o.same_key = 0) THEN ?7 ELSE clone_at END " \
	"WHERE device_id = ?1 AND token_hash = ?8 RETURNING device_id"

#endif
