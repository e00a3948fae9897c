/*
 * schedule: the provincial live-lesson timetable (CONTRACT 5.5, 名师示范课课表)
 * read from CSV into lessons. Pure apart from csvin's reading: schools are
 * left as written (code or name); the import resolves them.
 *
 * Columns (Chinese headers, as the province's sheet has them): 序号, 授课类型,
 * 学科, 主讲教师, 地市（县区）, 单位, 课程名称, 开课时间, 学段, 年级,
 * 学校排课负责人, 联系方式, 平台, 备注, and optional 教室, 接收单位,
 * 接收教室. 序号, 单位 and 开课时间 are required in every row.
 *
 * 开课时间 is "12月10日 9:00-10:00" (year given by the caller) or
 * "2026-12-10 09:00-10:00" (also 2026/12/10, 2026年12月10日); full-width
 * digits, colons, dashes, tildes and "至" are accepted as people type them.
 * A row that cannot be understood fails the whole parse with its line.
 */
#ifndef SERVER_SCHEDULE_H
#define SERVER_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "bbt_error.h"

#define SCHEDULE_TEXT 256

struct schedule_lesson {
	size_t line;			/* where it is in the file */
	char seq[64];			/* 序号 */
	char type[SCHEDULE_TEXT];	/* 授课类型: 专递课堂, 名师课堂, ... */
	char subject[SCHEDULE_TEXT];
	char teacher[SCHEDULE_TEXT];
	char area[SCHEDULE_TEXT];	/* 地市（县区） */
	char school[SCHEDULE_TEXT];	/* 单位: code or name until resolved */
	char course[SCHEDULE_TEXT];
	char stage[64], grade[64];
	char platform[SCHEDULE_TEXT];
	char note[SCHEDULE_TEXT];
	char owner[SCHEDULE_TEXT];	/* 学校排课负责人 */
	char contact[SCHEDULE_TEXT];	/* 联系方式 */
	char room[128];			/* 教室, "" if not given */
	char recv_school[SCHEDULE_TEXT];	/* 接收单位, "" if none */
	char recv_room[128];		/* 接收教室 */
	int year, month, day;		/* local date */
	int start_min, end_min;		/* minutes after local midnight */
};

struct schedule {
	struct schedule_lesson *v;
	size_t n, cap;
};

/* "12月10日 9:00-10:00" or "2026-12-10 09:00-10:00" -> date and minutes.
 * year is used when the text has none. 0, or -1 with the reason. */
int schedule_time_parse(const char *text, int year, int *y, int *m, int *d,
    int *start_min, int *end_min, struct bbt_error *e);

int schedule_parse_buf(const char *name, const char *buf, size_t len, int year,
    struct schedule *s, struct bbt_error *e);
int schedule_parse_file(const char *path, int year, struct schedule *s,
    struct bbt_error *e);
void schedule_free(struct schedule *s);

#endif
