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

/*
 * The other statements both backends run, each named after the db.h
 * function that runs it (its parameters are that function's, in order).
 */
#define DB_SQL_SCHOOL_ADD \
	"INSERT INTO schools (code, name, district) VALUES (?1, ?2, ?3) ON " \
	"CONFLICT (code) DO NOTHING RETURNING code"
#define DB_SQL_SCHOOL_GET "SELECT code, name, district FROM schools WHERE code = ?1"
#define DB_SQL_TOKEN_ADD \
	"INSERT INTO enroll_tokens (hash, school, uses_left, expires_at, " \
	"created_at, prefix) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
#define DB_SQL_TOKEN_TAKE \
	"UPDATE enroll_tokens SET uses_left = uses_left - 1 WHERE hash = ?1 AND " \
	"uses_left > 0 AND revoked_at IS NULL"
#define DB_SQL_TOKEN_REVOKE \
	"UPDATE enroll_tokens SET revoked_at = ?2 WHERE hash = ?1 AND revoked_at " \
	"IS NULL"
#define DB_SQL_ADMIN_ADD \
	"INSERT INTO admins (name, token_hash, school, created_at) VALUES (?1, " \
	"?2, ?3, ?4) ON CONFLICT (name) DO UPDATE SET token_hash = " \
	"excluded.token_hash, school = excluded.school, created_at = " \
	"excluded.created_at, revoked_at = NULL WHERE admins.revoked_at IS NOT " \
	"NULL RETURNING name"
#define DB_SQL_ADMIN_REVOKE \
	"UPDATE admins SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL " \
	"RETURNING name"
#define DB_SQL_SUPERSEDED_GET \
	"SELECT device_id, same_key FROM device_tokens_old WHERE token_hash = ?1"
#define DB_SQL_CLONE_SET \
	"UPDATE devices SET clone_at = ?2 WHERE device_id = ?1 AND " \
	"coalesce(clone_at, 0) < ?2"
#define DB_SQL_DEVICE_REVOKED \
	"SELECT 1 FROM devices WHERE token_hash = ?1 AND revoked_at IS NOT NULL"
#define DB_SQL_DEVICE_REVOKE \
	"UPDATE devices SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at " \
	"IS NULL"
#define DB_SQL_DEVICE_MOVE "UPDATE devices SET school = ?2, room = ?3 WHERE device_id = ?1"
#define DB_SQL_DEVICE_SEEN \
	"UPDATE devices SET last_seen = ?2, clock_offset_s = coalesce(?3, " \
	"clock_offset_s) WHERE device_id = ?1"
#define DB_SQL_DEVICE_HEARTBEAT \
	"UPDATE devices SET last_seen = ?2, clock_offset_s = coalesce(?3, " \
	"clock_offset_s), agent_version = coalesce(?4, agent_version), " \
	"buffer_depth = coalesce(?5, buffer_depth), input_devices = coalesce(?6, " \
	"input_devices) WHERE device_id = ?1"
#define DB_SQL_DEVICE_COUNTS \
	"SELECT count(*), count(CASE WHEN last_seen >= ?1 THEN 1 END) FROM " \
	"devices"
#define DB_SQL_PASSWORD_SET \
	"INSERT INTO admin_passwords (name, hash, set_at) SELECT name, ?2, ?3 " \
	"FROM admins WHERE name = ?1 AND revoked_at IS NULL ON CONFLICT (name) DO " \
	"UPDATE SET hash = excluded.hash, set_at = excluded.set_at RETURNING name"
#define DB_SQL_PASSWORD_GET \
	"SELECT p.hash, a.name, coalesce(a.school, ''), a.created_at FROM " \
	"admin_passwords p JOIN admins a ON a.name = p.name WHERE p.name = ?1 AND " \
	"a.revoked_at IS NULL"
#define DB_SQL_AUTH_SESSION_ADD \
	"INSERT INTO admin_sessions (id_hash, admin, csrf, created_at, last_seen) " \
	"VALUES (?1, ?2, ?3, ?4, ?4)"
#define DB_SQL_AUTH_SESSION_GET \
	"SELECT a.name, coalesce(a.school, ''), a.created_at, s.csrf, " \
	"s.created_at, s.last_seen FROM admin_sessions s JOIN admins a ON a.name " \
	"= s.admin WHERE s.id_hash = ?1 AND a.revoked_at IS NULL AND s.last_seen " \
	"> ?2 AND s.created_at > ?3"
#define DB_SQL_AUTH_SESSION_TOUCH \
	"UPDATE admin_sessions SET last_seen = ?2 WHERE id_hash = ?1 AND " \
	"last_seen < ?3"
#define DB_SQL_AUTH_SESSIONS_PRUNE \
	"DELETE FROM admin_sessions WHERE last_seen <= ?1 OR created_at <= ?2"
#define DB_SQL_FAILURE_ADD "INSERT INTO signin_failures (key, at) VALUES (?1, ?2)"
#define DB_SQL_FAILURE_NTH \
	"SELECT at FROM signin_failures WHERE key = ?1 AND at > ?2 ORDER BY at " \
	"DESC LIMIT 1 OFFSET ?3"
#define DB_SQL_SCHOOL_RESOLVE \
	"SELECT code FROM schools WHERE code = ?1 OR name = ?1 ORDER BY CASE WHEN " \
	"code = ?1 THEN 0 ELSE 1 END, code LIMIT 1"
#define DB_SQL_LIVE_UPSERT \
	"INSERT INTO live_lessons (seq, day, type, subject, teacher, course, " \
	"area, stage, grade, platform, note, start, \"end\", school, room, " \
	"recv_school, recv_room, owner, contact) VALUES (?1, ?2, ?3, ?4, ?5, ?6, " \
	"?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) ON " \
	"CONFLICT (seq, day) DO UPDATE SET type = ?3, subject = ?4, teacher = ?5, " \
	"course = ?6, area = ?7, stage = ?8, grade = ?9, platform = ?10, note = " \
	"?11, start = ?12, \"end\" = ?13, school = ?14, room = ?15, recv_school = " \
	"?16, recv_room = ?17, owner = ?18, contact = ?19"
#define DB_SQL_LIVE_EACH \
	"SELECT seq, day, type, subject, teacher, course, area, stage, grade, " \
	"platform, note, start, \"end\", school, room, recv_school, recv_room, " \
	"owner, contact FROM live_lessons WHERE start >= ?2 AND start < ?3 AND " \
	"(CAST(?1 AS TEXT) IS NULL OR school = ?1 OR recv_school = ?1) ORDER BY " \
	"start, seq"
#define DB_SQL_ROOM_SESSIONS \
	"SELECT id, start, \"end\" FROM sessions WHERE school = ?1 AND room = ?2 " \
	"AND start >= ?3 AND start < ?4 AND \"end\" > ?5 ORDER BY start, id"
#define DB_SQL_ROOM_DEVICES \
	"SELECT count(*), coalesce(max(last_seen), 0) FROM devices WHERE school = " \
	"?1 AND room = ?2 AND revoked_at IS NULL"
#define DB_SQL_SCHOOLS_EACH \
	"SELECT code, name, coalesce(district, '') FROM schools ORDER BY " \
	"coalesce(district, ''), code"
#define DB_SQL_DEVICE_CONTACT \
	"INSERT INTO device_contacts (device_id, day, hours) VALUES (?1, ?2, ?3) " \
	"ON CONFLICT (device_id, day) DO UPDATE SET hours = device_contacts.hours " \
	"| excluded.hours"
#define DB_SQL_DETECTOR_SET \
	"UPDATE schools SET detector_idle_gap = ?2, detector_min_session = ?3, " \
	"detector_stuck_contact = ?4 WHERE code = ?1"
#define DB_SQL_DETECTOR_GET \
	"SELECT coalesce(detector_idle_gap, -1), coalesce(detector_min_session, " \
	"-1), coalesce(detector_stuck_contact, -1) FROM schools WHERE code = ?1"
#define DB_SQL_DEVICE_UPLOADED \
	"UPDATE devices SET buffer_depth = CASE WHEN buffer_depth > ?2 THEN " \
	"buffer_depth - ?2 ELSE 0 END WHERE device_id = ?1 AND buffer_depth IS " \
	"NOT NULL"
#define DB_SQL_INTERVAL_SET \
	"UPDATE devices SET sync_interval_s = nullif(?2, 0) WHERE device_id = ?1"
/* The number and the changes after ?1 (LIMIT ?2), in one snapshot; the row
 * of the number alone has NULL device_id and school. */
#define DB_SQL_AUTH_CHANGES \
	"SELECT g.gen, c.device_id, c.school FROM auth_generation g " \
	"LEFT JOIN auth_changes c ON c.gen > ?1 AND c.gen <= g.gen " \
	"WHERE g.id = 1 ORDER BY c.gen LIMIT ?2"
#define DB_SQL_INTERVAL_GET \
	"SELECT coalesce(sync_interval_s, 0) FROM devices WHERE device_id = ?1"

#endif
