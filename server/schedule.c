/*
 * schedule: see schedule.h. Times are normalised to ASCII first (full-width
 * forms through csvin_fold_width, as the timetable importer reads them, then
 * the dashes people type between two times), then read with a few fixed
 * patterns; anything left over is an error, never a guess. Spaces beside 月
 * 日 and the separators are dropped (the annex's own example is
 * "12 月 10 日 9:00-10:00"), as are weekday names beside the date; 上午/下午
 * (and 早上, 中午, 晚上) before a time say which half of the day it is.
 */
#include "schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_array.h"
#include "bbt_time.h"
#include "csvin.h"

enum col { C_SEQ, C_TYPE, C_SUBJECT, C_TEACHER, C_AREA, C_SCHOOL, C_COURSE, C_TIME,
	C_STAGE, C_GRADE, C_OWNER, C_CONTACT, C_PLATFORM, C_NOTE, C_ROOM, C_RSCHOOL,
	C_RROOM, C_COUNT };

/* alt: the same header with ASCII brackets. */
static const struct csvin_column col_names[C_COUNT] = {
	{ "序号", NULL, 1 }, { "授课类型", NULL, 0 }, { "学科", NULL, 0 },
	{ "主讲教师", NULL, 0 }, { "地市（县区）", "地市(县区)", 0 }, { "单位", NULL, 1 },
	{ "课程名称", NULL, 0 }, { "开课时间", NULL, 1 }, { "学段", NULL, 0 },
	{ "年级", NULL, 0 }, { "学校排课负责人", NULL, 0 }, { "联系方式", NULL, 0 },
	{ "平台", NULL, 0 }, { "备注", NULL, 0 }, { "教室", NULL, 0 },
	{ "接收单位", NULL, 0 }, { "接收教室", NULL, 0 },
};

struct parse {
	struct schedule *s;
	int year;
	size_t ncols;		/* fields in the header row */
	long idx[C_COUNT];
};

/* Look-alike characters people type in times, after csvin_fold_width has
 * made the full-width forms (：－～／０..９, U+3000) ASCII. */
static const struct { const char *from, *to; } fold[] = {
	{ "—", "-" }, { "–", "-" }, { "~", "-" }, { "〜", "-" }, { "至", "-" },
	{ "年", "-" }, { "号", "日" }, { "（", "(" }, { "）", ")" },
};

/* Weekday names that people put beside the date: dropped, the date rules. */
static const char *const weekday_words[] = { "(星期", "(礼拜", "(周", "星期", "礼拜",
	"周" };
static const char *const weekday_days[] = { "一", "二", "三", "四", "五", "六", "日",
	"天" };

/* Remove "(周四)", "周四", "星期四", "(星期四)" wherever they are. */
static void drop_weekdays(char *s)
{
	for (char *p = s; *p; p++) {
		for (size_t w = 0; w < sizeof(weekday_words) / sizeof(weekday_words[0]); w++) {
			size_t n = strlen(weekday_words[w]), k;

			if (strncmp(p, weekday_words[w], n) != 0)
				continue;
			for (k = 0; k < 8; k++) {
				size_t dn = strlen(weekday_days[k]), len = n + dn;

				if (strncmp(p + n, weekday_days[k], dn) != 0)
					continue;
				if (weekday_words[w][0] == '(' && p[len] == ')')
					len++;
				else if (weekday_words[w][0] == '(')
					break;
				memmove(p, p + len, strlen(p + len) + 1);
				/* A space may be left on both sides: the caller tidies. */
				break;
			}
		}
	}
}

/* Spaces next to 月 日 - / : . are not meant (the annex writes
 * "12 月 10 日 9:00-10:00"): remove them, and collapse the rest. */
static void tidy_spaces(char *s)
{
	static const char *const glue[] = { "月", "日", "-", "/", ":", ".", "上午", "下午",
		"中午", "晚上", "早上" };
	size_t o = 0, n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		int drop = 0;

		if (s[i] == ' ') {
			for (size_t g = 0; g < sizeof(glue) / sizeof(glue[0]) && !drop; g++) {
				size_t gl = strlen(glue[g]);

				drop = strncmp(s + i + 1, glue[g], gl) == 0 ||
				    (o >= gl && strncmp(s + o - gl, glue[g], gl) == 0);
			}
			drop |= o == 0 || s[o - 1] == ' ' || s[i + 1] == '\0';
		}
		if (!drop)
			s[o++] = s[i];
	}
	s[o] = '\0';
}

/* Normalise into out (ASCII forms, runs of spaces to one); -1 if too long. */
static int normalise(const char *text, char *out, size_t cap)
{
	char buf[160];
	const char *in = buf;
	size_t o = 0;

	if (csvin_fold_width(text, buf, sizeof(buf)) < 0)
		return -1;
	while (*in) {
		const char *to = NULL;
		size_t skip = 1;

		for (size_t i = 0; i < sizeof(fold) / sizeof(fold[0]); i++) {
			size_t n = strlen(fold[i].from);

			if (strncmp(in, fold[i].from, n) == 0) {
				to = fold[i].to;
				skip = n;
				break;
			}
		}
		if (to == NULL) {
			to = in;
			skip = 1;
		}
		if (to[0] == ' ' && (o == 0 || out[o - 1] == ' ')) {
			in += skip;
			continue;
		}
		if (o + (to == in ? 1 : strlen(to)) >= cap)
			return -1;
		if (to == in) {
			out[o++] = *in;
		} else {
			memcpy(out + o, to, strlen(to));
			o += strlen(to);
		}
		in += skip;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return 0;
}

static int valid_date(int y, int m, int d)
{
	int64_t days;
	int y2, m2, d2;

	if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	days = bbt_days_from_civil(y, m, d);
	bbt_civil_from_days(days, &y2, &m2, &d2);
	return y2 == y && m2 == m && d2 == d;
}

/* 上午/下午 and their kin before a time: how to read an hour under 12. */
enum half { HALF_NONE, HALF_AM, HALF_PM, HALF_NOON };

static const char *half_word(const char *s, enum half *h)
{
	static const struct { const char *w; enum half h; } words[] = {
		{ "上午", HALF_AM }, { "早上", HALF_AM }, { "下午", HALF_PM },
		{ "晚上", HALF_PM }, { "中午", HALF_NOON },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i].w);

		if (strncmp(s, words[i].w, n) == 0) {
			*h = words[i].h;
			return s + n;
		}
	}
	return s;
}

/* One "[上午]H:MM"; *h carries the half on to the next time. */
static const char *one_time(const char *s, enum half *h, int *min)
{
	int hh, mm = 0, n = -1, k = -1;

	s = half_word(s, h);
	if (*s < '0' || *s > '9' || sscanf(s, "%2d:%n", &hh, &n) != 1 || n < 0)
		return NULL;
	s += n;
	if (sscanf(s, "%2d%n", &mm, &k) != 1 || k != 2 || *s < '0' || *s > '9')
		return NULL;
	s += k;
	if (hh < 0 || hh > 24 || mm < 0 || mm > 59)
		return NULL;
	if ((*h == HALF_PM && hh < 12) || (*h == HALF_NOON && hh < 11))
		hh += 12;
	if (hh > 24)
		return NULL;
	*min = hh * 60 + mm;
	return s;
}

/* "[上午]H:MM-[下午]H:MM" with nothing after it; a half given before the
 * first time also holds for the second ("下午2:30-3:10" is 14:30-15:10). */
static int parse_span(const char *s, int *start, int *end)
{
	enum half h = HALF_NONE;

	s = one_time(s, &h, start);
	if (s == NULL || *s++ != '-')
		return -1;
	s = one_time(s, &h, end);
	if (s == NULL || *s != '\0' || *start >= 24 * 60 || *end > 24 * 60)
		return -1;
	return 0;
}

int schedule_time_parse(const char *text, int year, int *y, int *m, int *d,
    int *start_min, int *end_min, struct bbt_error *e)
{
	char s[160];
	int n = -1;

	if (normalise(text, s, sizeof(s)) < 0)
		return bbt_error_set(e, "开课时间 too long");
	drop_weekdays(s);
	tidy_spaces(s);
	*y = year;
	/* 2026-12-10 9:00-10:00 (2026年12月10日 became 2026-12月10日) */
	if (sscanf(s, "%4d-%2d-%2d %n", y, m, d, &n) == 3 && n > 0) {
	} else if (n = -1, sscanf(s, "%4d/%2d/%2d %n", y, m, d, &n) == 3 && n > 0) {
	} else if (n = -1, sscanf(s, "%4d.%2d.%2d %n", y, m, d, &n) == 3 && n > 0) {
	} else if (n = -1, sscanf(s, "%4d-%2d月%2d日 %n", y, m, d, &n) == 3 && n > 0) {
	} else if (*y = year, n = -1, sscanf(s, "%2d月%2d日 %n", m, d, &n) == 2 && n > 0) {
	} else {
		return bbt_error_set(e, "开课时间 '%.60s' is not like 12月10日 9:00-10:00, "
		    "下午2:30-3:10 or 2026-12-10 09:00-10:00", text);
	}
	if (!valid_date(*y, *m, *d))
		return bbt_error_set(e, "开课时间 '%.60s': no such date", text);
	if (parse_span(s + n, start_min, end_min) < 0)
		return bbt_error_set(e, "开课时间 '%.60s': the times are not like 9:00-10:00",
		    text);
	if (*end_min <= *start_min)
		return bbt_error_set(e, "开课时间 '%.60s': ends before it starts", text);
	return 0;
}

/* A cell; the ' that CSV writers put before = + - @ or ＝ ＋ － ＠ (so Excel
 * does not run the text as a formula) is theirs, not the officer's: it goes. */
static const char *cell(const struct parse *ps, size_t n, char **f, int c)
{
	const char *v = csvin_cell(ps->idx, (size_t)c, n, f);

	static const char *const wide[] = { "＝", "＋", "－", "＠" };

	if (v[0] != '\'')
		return v;
	if (v[1] && strchr("=+-@", v[1]) != NULL)
		return v + 1;
	for (size_t k = 0; k < sizeof(wide) / sizeof(wide[0]); k++)
		if (strncmp(v + 1, wide[k], strlen(wide[k])) == 0)
			return v + 1;
	return v;
}

static int copy(char *dst, size_t cap, const char *v[C_COUNT], int c, struct bbt_error *e)
{
	return csvin_copy(dst, cap, v[c], &col_names[c], e);
}

static int fill(struct schedule_lesson *l, const char *v[C_COUNT], struct bbt_error *e)
{
	static const int need[] = { C_SEQ, C_SCHOOL, C_TIME };

	if (csvin_require(col_names, v, need, sizeof(need) / sizeof(need[0]), e) < 0)
		return -1;
	if (v[C_RROOM][0] && !v[C_RSCHOOL][0])
		return bbt_error_set(e, "接收教室 given without 接收单位");
	if (copy(l->seq, sizeof(l->seq), v, C_SEQ, e) < 0 ||
	    copy(l->type, sizeof(l->type), v, C_TYPE, e) < 0 ||
	    copy(l->subject, sizeof(l->subject), v, C_SUBJECT, e) < 0 ||
	    copy(l->teacher, sizeof(l->teacher), v, C_TEACHER, e) < 0 ||
	    copy(l->area, sizeof(l->area), v, C_AREA, e) < 0 ||
	    copy(l->school, sizeof(l->school), v, C_SCHOOL, e) < 0 ||
	    copy(l->course, sizeof(l->course), v, C_COURSE, e) < 0 ||
	    copy(l->stage, sizeof(l->stage), v, C_STAGE, e) < 0 ||
	    copy(l->grade, sizeof(l->grade), v, C_GRADE, e) < 0 ||
	    copy(l->platform, sizeof(l->platform), v, C_PLATFORM, e) < 0 ||
	    copy(l->note, sizeof(l->note), v, C_NOTE, e) < 0 ||
	    copy(l->owner, sizeof(l->owner), v, C_OWNER, e) < 0 ||
	    copy(l->contact, sizeof(l->contact), v, C_CONTACT, e) < 0 ||
	    copy(l->room, sizeof(l->room), v, C_ROOM, e) < 0 ||
	    copy(l->recv_school, sizeof(l->recv_school), v, C_RSCHOOL, e) < 0 ||
	    copy(l->recv_room, sizeof(l->recv_room), v, C_RROOM, e) < 0)
		return -1;
	return 0;
}

static int push(struct schedule *s, const struct schedule_lesson *l, struct bbt_error *e)
{
	if (bbt_grow(&s->v, &s->cap, s->n + 1, sizeof(*s->v)) < 0)
		return bbt_error_set(e, "out of memory");
	s->v[s->n++] = *l;
	return 0;
}

static int on_row(void *arg, size_t line, size_t n, char **f, struct bbt_error *e)
{
	struct parse *ps = arg;
	struct schedule_lesson *l;
	const char *v[C_COUNT];
	int rc;

	if (ps->ncols == 0)	/* the first record is the header */
		return csvin_map_header(col_names, C_COUNT, n, f, ps->idx, &ps->ncols, e);
	for (int c = 0; c < C_COUNT; c++)
		v[c] = cell(ps, n, f, c);
	if (csvin_row_empty(v, C_COUNT))
		return 0;
	if (csvin_check_width(col_names, C_COUNT, ps->idx, ps->ncols, n, e) < 0)
		return -1;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return bbt_error_set(e, "out of memory");
	l->line = line;
	rc = fill(l, v, e);
	if (rc == 0)
		rc = schedule_time_parse(v[C_TIME], ps->year, &l->year, &l->month, &l->day,
		    &l->start_min, &l->end_min, e);
	if (rc == 0)
		rc = push(ps->s, l, e);
	free(l);
	return rc;
}

/* Two rows for one lesson (序号 and date) in one file are a mistake to show,
 * not something to settle by keeping the last. */
static int check_unique(const struct schedule *s, const char *name, struct bbt_error *e)
{
	for (size_t i = 1; i < s->n; i++) {
		const struct schedule_lesson *a = &s->v[i];

		for (size_t j = 0; j < i; j++) {
			const struct schedule_lesson *b = &s->v[j];

			if (strcmp(a->seq, b->seq) == 0 && a->year == b->year &&
			    a->month == b->month && a->day == b->day)
				return bbt_error_set(e, "%s:%zu: 序号 %s on %04d-%02d-%02d is "
				    "already on line %zu", name, a->line, a->seq, a->year,
				    a->month, a->day, b->line);
		}
	}
	return 0;
}

static int finish(struct parse *ps, const char *name, int rc, struct bbt_error *e)
{
	if (rc == 0 && ps->ncols == 0)
		rc = bbt_error_set(e, "%s: empty file (no header row)", name);
	if (rc == 0)
		rc = check_unique(ps->s, name, e);
	if (rc < 0)
		schedule_free(ps->s);
	return rc;
}

int schedule_parse_buf(const char *name, const char *buf, size_t len, int year,
    struct schedule *s, struct bbt_error *e)
{
	struct parse ps = { .s = s, .year = year };

	memset(s, 0, sizeof(*s));
	return finish(&ps, name, csvin_parse_buf(name, buf, len, on_row, &ps, NULL, e), e);
}

int schedule_parse_file(const char *path, int year, struct schedule *s,
    struct bbt_error *e)
{
	struct parse ps = { .s = s, .year = year };

	memset(s, 0, sizeof(*s));
	return finish(&ps, path, csvin_read_file(path, on_row, &ps, NULL, e), e);
}

void schedule_free(struct schedule *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}
