/*
 * timetable: header mapping and row validation for timetable CSVs.
 *
 * The first record is the header; each later record becomes one slot or
 * fails the whole parse (csvin prefixes the "FILE:LINE: "). Cells are
 * trimmed (csvin_trim) of ASCII blanks and the ideographic space U+3000,
 * which Chinese input methods leave behind.
 */
#include "timetable.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvin.h"
#include "bbt_array.h"

enum col { C_SCHOOL, C_ROOM, C_WEEKDAY, C_START, C_END, C_TID, C_TNAME, C_SUBJECT,
	C_COUNT };

/* name: the English header; alt: the Chinese one. */
static const struct csvin_column col_names[C_COUNT] = {
	{ "school", "学校代码", 1 }, { "room", "教室", 1 }, { "weekday", "星期", 1 },
	{ "start", "开始时间", 1 }, { "end", "结束时间", 1 },
	{ "teacher_id", "教师工号", 1 }, { "teacher_name", "教师姓名", 0 },
	{ "subject", "学科", 0 },
};

struct parse {
	struct timetable *tt;
	size_t ncols;		/* fields in the header row */
	long idx[C_COUNT];	/* column index of each field, -1 if absent */
};

static const char *prefix_skip(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

int timetable_weekday_parse(const char *text)
{
	static const char *const zh[] = { "一", "二", "三", "四", "五", "六", "日", "天", "七" };
	static const int zh_day[] = { 1, 2, 3, 4, 5, 6, 7, 7, 7 };
	static const char *const en[] = { "monday", "tuesday", "wednesday", "thursday",
		"friday", "saturday", "sunday" };
	char s[64];
	const char *p;

	if (csvin_fold_width(text, s, sizeof(s)) < 0)	/* "１", "周５" */
		return -1;
	if (s[0] >= '1' && s[0] <= '7' && s[1] == '\0')
		return s[0] - '0';
	for (size_t i = 0; i < 7; i++) {
		if (strcasecmp(s, en[i]) == 0 || (strlen(s) == 3 && strncasecmp(s, en[i], 3) == 0))
			return (int)i + 1;
	}
	p = prefix_skip(s, "星期");
	if (p == NULL)
		p = prefix_skip(s, "礼拜");
	if (p == NULL)
		p = prefix_skip(s, "周");
	if (p == NULL)
		p = s;
	if (p[0] >= '1' && p[0] <= '7' && p[1] == '\0' && p != s)
		return p[0] - '0';
	for (size_t i = 0; i < sizeof(zh) / sizeof(zh[0]); i++) {
		if (strcmp(p, zh[i]) == 0)
			return zh_day[i];
	}
	return -1;
}

/* Read 1 or 2 digits; -1 if none. */
static int read_num(const char **p, int maxdigits)
{
	int v = 0, n = 0;

	while (n < maxdigits && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n == 0 ? -1 : v;
}

/* A colon; 0 if none. */
static int skip_colon(const char **p)
{
	if (**p != ':')
		return 0;
	(*p)++;
	return 1;
}

int timetable_time_parse(const char *text)
{
	char s[64];
	const char *p = s;
	int h, m;

	/* Full-width digits and colon (８：００) read as ASCII, as in schedule. */
	if (csvin_fold_width(text, s, sizeof(s)) < 0)
		return -1;
	h = read_num(&p, 2);
	if (h < 0 || !skip_colon(&p) || !isdigit((unsigned char)p[0]) ||
	    !isdigit((unsigned char)p[1]))
		return -1;
	m = read_num(&p, 2);
	if (*p != '\0' && !(skip_colon(&p) && strcmp(p, "00") == 0))
		return -1;
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

static int copy_cell(char *dst, size_t cap, const char *src, int c, struct bbt_error *e)
{
	return csvin_copy(dst, cap, src, &col_names[c], e);
}

static int fill_texts(struct timetable_slot *s, const char *v[C_COUNT], struct bbt_error *e)
{
	static const int need[] = { C_SCHOOL, C_ROOM, C_TID };

	if (csvin_require(col_names, v, need, sizeof(need) / sizeof(need[0]), e) < 0)
		return -1;
	if (copy_cell(s->school, sizeof(s->school), v[C_SCHOOL], C_SCHOOL, e) < 0 ||
	    copy_cell(s->room, sizeof(s->room), v[C_ROOM], C_ROOM, e) < 0 ||
	    copy_cell(s->teacher_id, sizeof(s->teacher_id), v[C_TID], C_TID, e) < 0 ||
	    copy_cell(s->teacher_name, sizeof(s->teacher_name),
		v[C_TNAME][0] ? v[C_TNAME] : v[C_TID], C_TNAME, e) < 0 ||
	    copy_cell(s->subject, sizeof(s->subject), v[C_SUBJECT], C_SUBJECT, e) < 0)
		return -1;
	return 0;
}

static int fill_times(struct timetable_slot *s, const char *v[C_COUNT], struct bbt_error *e)
{
	s->weekday = timetable_weekday_parse(v[C_WEEKDAY]);
	if (s->weekday < 0)
		return bbt_error_set(e, "weekday '%.40s' is not 1..7 (1 = Monday) or 周一..周日",
		    v[C_WEEKDAY]);
	s->start_min = timetable_time_parse(v[C_START]);
	if (s->start_min < 0 || s->start_min >= 1440)
		return bbt_error_set(e, "start '%.40s' is not a time HH:MM", v[C_START]);
	s->end_min = timetable_time_parse(v[C_END]);
	if (s->end_min < 0)
		return bbt_error_set(e, "end '%.40s' is not a time HH:MM", v[C_END]);
	if (s->end_min <= s->start_min)
		return bbt_error_set(e, "end %s is not after start %s", v[C_END], v[C_START]);
	return 0;
}

static int push_slot(struct timetable *tt, const struct timetable_slot *s, struct bbt_error *e)
{
	if (bbt_grow(&tt->slots, &tt->cap, tt->n + 1, sizeof(*tt->slots)) < 0)
		return bbt_error_set(e, "out of memory");
	tt->slots[tt->n++] = *s;
	return 0;
}

static int on_row(void *arg, size_t line, size_t n, char **f, struct bbt_error *e)
{
	struct parse *ps = arg;
	struct timetable_slot s;
	const char *v[C_COUNT];

	if (ps->ncols == 0)	/* the first record is the header */
		return csvin_map_header(col_names, C_COUNT, n, f, ps->idx, &ps->ncols, e);
	for (int c = 0; c < C_COUNT; c++)
		v[c] = csvin_cell(ps->idx, (size_t)c, n, f);
	if (csvin_row_empty(v, C_COUNT))
		return 0;
	if (csvin_check_width(col_names, C_COUNT, ps->idx, ps->ncols, n, e) < 0)
		return -1;
	memset(&s, 0, sizeof(s));
	s.line = line;
	if (fill_texts(&s, v, e) < 0 || fill_times(&s, v, e) < 0)
		return -1;
	return push_slot(ps->tt, &s, e);
}

static int finish(struct parse *ps, const char *name, int rc, struct bbt_error *e)
{
	if (rc == 0 && ps->ncols == 0)
		rc = bbt_error_set(e, "%s: empty file (no header row)", name);
	if (rc < 0)
		timetable_free(ps->tt);
	return rc;
}

int timetable_parse_buf(const char *name, const char *buf, size_t len,
    struct timetable *tt, struct bbt_error *e)
{
	struct parse ps = { .tt = tt };

	memset(tt, 0, sizeof(*tt));
	return finish(&ps, name, csvin_parse_buf(name, buf, len, on_row, &ps, NULL, e), e);
}

int timetable_parse_file(const char *path, struct timetable *tt, struct bbt_error *e)
{
	struct parse ps = { .tt = tt };

	memset(tt, 0, sizeof(*tt));
	return finish(&ps, path, csvin_read_file(path, on_row, &ps, NULL, e), e);
}

void timetable_free(struct timetable *tt)
{
	free(tt->slots);
	memset(tt, 0, sizeof(*tt));
}

size_t timetable_schools(const struct timetable *tt, const char ***schools)
{
	const char **out = calloc(tt->n ? tt->n : 1, sizeof(*out));
	size_t k = 0;

	*schools = out;
	if (out == NULL)
		return 0;
	for (size_t i = 0; i < tt->n; i++) {
		size_t j = 0;

		while (j < k && strcmp(out[j], tt->slots[i].school) != 0)
			j++;
		if (j == k)
			out[k++] = tt->slots[i].school;
	}
	return k;
}
