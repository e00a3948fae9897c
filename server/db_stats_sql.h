/*
 * db_stats_sql: the statistics report's SQL, shared word for word by both
 * backends (db_sqlite_stats.c, db_pg_stats.c): it is written in the
 * portable SQL of db.h with ?N parameters, which the PostgreSQL backend
 * turns into $N. One text, so the two backends cannot count differently.
 *
 * Every statement takes the same four parameters: ?1 the school (NULL =
 * all where allowed), ?2 and ?3 the period [from, to), ?4 the minimum
 * duration of a qualifying session; a statement may leave some unused
 * (both backends bind all four).
 */
#ifndef SERVER_DB_STATS_SQL_H
#define SERVER_DB_STATS_SQL_H

/* First hour of a day (base = day * 86400) starting at or after t, 0..24;
 * an INTEGER, as PostgreSQL's shift operators take for their count. */
#define HOUR_AT(t) "CAST(CASE WHEN " t " - c.day * 86400 <= 0 THEN 0 " \
	"WHEN " t " - c.day * 86400 >= 86400 THEN 24 " \
	"ELSE (" t " - c.day * 86400 + 3599) / 3600 END AS INTEGER)"
/* A device d (alias) seen in [?2, ?3): a contact hour or a session there. */
#define SEEN_IN_PERIOD \
	"(EXISTS (SELECT 1 FROM device_contacts c WHERE c.device_id = d.device_id " \
	"AND c.day BETWEEN ?2 / 86400 - 1 AND ?3 / 86400 " \
	"AND " HOUR_AT("?3") " > " HOUR_AT("?2") " AND ((c.hours >> " HOUR_AT("?2") ") & " \
	"((1 << (" HOUR_AT("?3") " - " HOUR_AT("?2") ")) - 1)) != 0) " \
	"OR EXISTS (SELECT 1 FROM sessions s WHERE s.device_id = d.device_id " \
	"AND s.start >= ?2 AND s.start < ?3))"

/* A device d (alias) still enrolled at the period's end ?3: one revoked
 * before it counts for no figure of that period (docs/stats.md). */
#define NOT_REVOKED "(d.revoked_at IS NULL OR d.revoked_at >= ?3)"
/* Its room is one of the school's timetable rooms. */
#define TIMETABLE_ROOM "d.room IN (SELECT room FROM timetable WHERE school = ?1)"

/*
 * The same counts for every school at once: each table grouped by school
 * once, joined to the schools (a school with no rows gets zeros). ?1 is
 * the one school (NULL = all), ?2 and ?3 the period and ?4 the minimum
 * duration, as SEEN_IN_PERIOD and db_school_counts number them.
 */
#define ONE_OR_ALL "(CAST(?1 AS TEXT) IS NULL OR school = ?1)"
#define ALL_COUNTS_SQL \
	"WITH rooms AS (SELECT school, room FROM timetable WHERE " ONE_OR_ALL " " \
	"  UNION SELECT school, room FROM devices d WHERE " ONE_OR_ALL " AND " NOT_REVOKED "), " \
	"cr AS (SELECT school, count(*) AS n FROM rooms GROUP BY school), " \
	"tt AS (SELECT school, count(DISTINCT room) AS n FROM timetable WHERE " ONE_OR_ALL \
	"  GROUP BY school), " \
	"dv AS (SELECT school, count(*) AS enrolled, " \
	"  count(CASE WHEN " SEEN_IN_PERIOD " THEN 1 END) AS seen, " \
	"  count(DISTINCT CASE WHEN " SEEN_IN_PERIOD " AND d.room IN (SELECT t.room " \
	"  FROM timetable t WHERE t.school = d.school) THEN room END) AS equipped, " \
	"  count(DISTINCT CASE WHEN enrolled_at < ?3 THEN room END) AS enrolled_rooms " \
	"  FROM devices d WHERE " ONE_OR_ALL " AND " NOT_REVOKED " GROUP BY school), " \
	"ss AS (SELECT school, count(*) AS q, count(DISTINCT room) AS active, " \
	"  sum(duration_s) AS qs FROM sessions WHERE start >= ?2 AND start < ?3 " \
	"  AND duration_s >= ?4 AND " ONE_OR_ALL " GROUP BY school) " \
	"SELECT s.code, s.name, coalesce(s.district, ''), coalesce(cr.n, 0), " \
	"coalesce(dv.enrolled, 0), coalesce(dv.seen, 0), coalesce(ss.active, 0), " \
	"coalesce(ss.q, 0), coalesce(ss.qs, 0), coalesce(dv.equipped, 0), " \
	"coalesce(dv.enrolled_rooms, 0), coalesce(tt.n, 0) FROM schools s " \
	"LEFT JOIN cr ON cr.school = s.code LEFT JOIN tt ON tt.school = s.code " \
	"LEFT JOIN dv ON dv.school = s.code " \
	"LEFT JOIN ss ON ss.school = s.code WHERE CAST(?1 AS TEXT) IS NULL OR s.code = ?1 " \
	"ORDER BY coalesce(s.district, ''), s.code"


/* db_school_counts: rooms (classrooms, timetable rooms). */
#define SCHOOL_ROOMS_SQL "SELECT (SELECT count(*) FROM (SELECT room FROM timetable WHERE " \
	"school = ?1 UNION SELECT room FROM devices d WHERE school = ?1 AND " \
	NOT_REVOKED ") AS r), (SELECT count(DISTINCT room) FROM timetable WHERE " \
	"school = ?1)"
/* Devices: enrolled, seen, equipped rooms, enrolled rooms. */
#define SCHOOL_DEVICES_SQL "SELECT count(*), count(CASE WHEN " SEEN_IN_PERIOD " THEN 1 END), " \
	"count(DISTINCT CASE WHEN " SEEN_IN_PERIOD " AND " TIMETABLE_ROOM " THEN room END), " \
	"count(DISTINCT CASE WHEN enrolled_at < ?3 THEN room END) FROM devices d " \
	"WHERE school = ?1 AND " NOT_REVOKED
/* Qualifying sessions: count, rooms, seconds. */
#define SCHOOL_SESSIONS_SQL "SELECT count(*), count(DISTINCT room), " \
	"coalesce(sum(duration_s), 0) FROM sessions WHERE school = ?1 AND start >= ?2 " \
	"AND start < ?3 AND duration_s >= ?4"

#endif
