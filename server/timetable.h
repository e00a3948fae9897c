/*
 * timetable: a school timetable CSV (CONTRACT 5.4) turned into validated slots.
 *
 * Columns, found by their header (any order, extra columns ignored):
 *   school, room, weekday, start, end, teacher_id, teacher_name, subject
 *   学校代码, 教室, 星期, 开始时间, 结束时间, 教师工号, 教师姓名, 学科
 * All are required except teacher_name (defaults to teacher_id) and subject.
 * weekday is 1 (Monday) .. 7 (Sunday); also accepted: 一..日/天, 周一, 星期一,
 * 礼拜一 and English day names (Mon, Monday). Times are H:MM or HH:MM (a
 * trailing ":00" of seconds, as Excel writes it, is accepted), 00:00..24:00,
 * and end must be after start; full-width digits and colon (８：００) read as
 * ASCII (csvin_fold_width, as the schedule importer does). Rows whose cells
 * are all empty are skipped; a row shorter than the header that lacks a
 * required column is an error saying so ("5 columns, expected 8").
 *
 * Parsing is all or nothing: the first bad row fails the whole file with
 * "FILE:LINE: reason" and no slot is returned, so a half-read timetable can
 * never be stored.
 */
#ifndef SERVER_TIMETABLE_H
#define SERVER_TIMETABLE_H

#include <stddef.h>

#include "bbt_error.h"

#define TIMETABLE_SCHOOL_LEN 64
#define TIMETABLE_ROOM_LEN 128
#define TIMETABLE_TEACHER_ID_LEN 64
#define TIMETABLE_TEACHER_NAME_LEN 128
#define TIMETABLE_SUBJECT_LEN 128

struct timetable_slot {
	char school[TIMETABLE_SCHOOL_LEN];
	char room[TIMETABLE_ROOM_LEN];
	int weekday;		/* 1 = Monday .. 7 = Sunday */
	int start_min;		/* minutes after local midnight */
	int end_min;		/* > start_min, <= 1440 */
	char teacher_id[TIMETABLE_TEACHER_ID_LEN];
	char teacher_name[TIMETABLE_TEACHER_NAME_LEN];
	char subject[TIMETABLE_SUBJECT_LEN];
	size_t line;		/* CSV line it came from (0 when not from a file) */
};

struct timetable {
	struct timetable_slot *slots;
	size_t n, cap;
};

/* Parse a file (any charset csvin reads). On error tt is left empty. */
int timetable_parse_file(const char *path, struct timetable *tt, struct bbt_error *e);
/* The same for raw bytes in memory; name is used in messages. */
int timetable_parse_buf(const char *name, const char *buf, size_t len,
    struct timetable *tt, struct bbt_error *e);
void timetable_free(struct timetable *tt);

/* "1", "周一", "星期日", "Mon"... -> 1..7; -1 if not a weekday. */
int timetable_weekday_parse(const char *s);
/* "8:00", "08:00", "08:00:00", "24:00" -> minutes; -1 if not a time. */
int timetable_time_parse(const char *s);
/* Distinct school codes in tt, in first-seen order; caller frees the array. */
size_t timetable_schools(const struct timetable *tt, const char ***schools);

#endif
