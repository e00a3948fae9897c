/*
 * cmd_schedule: `bbt-server schedule import FILE.csv [--year YYYY]` (CONTRACT
 * 5.5). The whole file is parsed, every school resolved (by code or name)
 * and every lesson stored in one transaction: a row that cannot be
 * understood ("FILE:LINE: reason") stores nothing of the file. A lesson
 * with the same 序号 on the same date as a stored one replaces it.
 *
 * `schedule export` (CONTRACT 5.1) writes the stored lessons back in the
 * province's layout, the columns import reads, plus each end's verification
 * (verify's own report): re-importing an export changes nothing. 开课时间 is
 * written as 2026-12-10 09:00-10:00 (the year travels with it); 单位 is the
 * school's name when that name leads back to the same code, else the code.
 */
#include <errno.h>
#include <getopt.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bbt_time.h"
#include "commands.h"
#include "db.h"
#include "points.h"
#include "report_xlsx.h"
#include "schedule.h"
#include "verify.h"

static const char usage_text[] =
    "usage: bbt-server schedule import FILE.csv [--year YYYY]\n"
    "       bbt-server schedule export [--from DATE --to DATE] [--school CODE]\n"
    "                                  [--format csv|xlsx] [--encoding utf-8|gbk] "
    "[--out FILE]\n";

/* The calendar year now in zone: the default for "12月10日". */
static int current_year(const char *zone)
{
	int64_t now = (int64_t)time(NULL);
	int y, m, d;

	bbt_civil_from_days((now + period_tz_offset(zone, now)) / 86400, &y, &m, &d);
	return y;
}

static int resolve(struct db *db, const char *path, const struct schedule_lesson *l,
    const char *ref, char code[DB_SCHOOL_LEN], struct bbt_error *e)
{
	int found;

	if (db_school_resolve(db, ref, code, &found, e) < 0)
		return -1;
	if (!found)
		return bbt_error_set(e, "%s:%zu: unknown school '%s' (not a code or name of "
		    "`bbt-server school add`)", path, l->line, ref);
	return 0;
}

static int to_db(struct db *db, const char *path, const char *zone,
    const struct schedule_lesson *l, struct db_live_lesson *out, struct bbt_error *e)
{
	int64_t midnight;

	memset(out, 0, sizeof(*out));
	snprintf(out->seq, sizeof(out->seq), "%s", l->seq);
	out->day = bbt_days_from_civil(l->year, l->month, l->day);
	snprintf(out->type, sizeof(out->type), "%s", l->type);
	snprintf(out->subject, sizeof(out->subject), "%s", l->subject);
	snprintf(out->teacher, sizeof(out->teacher), "%s", l->teacher);
	snprintf(out->course, sizeof(out->course), "%s", l->course);
	snprintf(out->area, sizeof(out->area), "%s", l->area);
	snprintf(out->stage, sizeof(out->stage), "%s", l->stage);
	snprintf(out->grade, sizeof(out->grade), "%s", l->grade);
	snprintf(out->platform, sizeof(out->platform), "%s", l->platform);
	snprintf(out->note, sizeof(out->note), "%s", l->note);
	snprintf(out->owner, sizeof(out->owner), "%s", l->owner);
	snprintf(out->contact, sizeof(out->contact), "%s", l->contact);
	if (strlen(l->room) >= sizeof(out->room) || strlen(l->recv_room) >= sizeof(out->room))
		return bbt_error_set(e, "%s:%zu: room name too long", path, l->line);
	snprintf(out->room, sizeof(out->room), "%s", l->room);
	snprintf(out->recv_room, sizeof(out->recv_room), "%s", l->recv_room);
	midnight = period_local_midnight(zone, out->day);
	out->start = midnight + l->start_min * 60;
	out->end = midnight + l->end_min * 60;
	if (resolve(db, path, l, l->school, out->school, e) < 0)
		return -1;
	if (l->recv_school[0] && resolve(db, path, l, l->recv_school, out->recv_school, e) < 0)
		return -1;
	return 0;
}

static int store(struct db *db, const char *path, const char *zone,
    const struct schedule *s, struct bbt_error *e)
{
	struct db_live_lesson row;

	if (db_begin(db, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		if (to_db(db, path, zone, &s->v[i], &row, e) < 0 ||
		    db_live_upsert(db, &row, e) < 0) {
			db_rollback(db);
			return -1;
		}
	}
	return db_commit(db, e);
}

static int import(struct server_ctx *ctx, const char *path, int year)
{
	struct schedule s;
	struct bbt_error e;
	struct db *db = NULL;
	int rc = 1;

	if (schedule_parse_file(path, year, &s, &e) < 0) {
		fprintf(stderr, "bbt-server: %s (nothing stored)\n", bbt_error_msg(&e));
		return 1;
	}
	if (s.n == 0)
		fprintf(stderr, "bbt-server: %s: no lessons (nothing stored)\n", path);
	else if (cmd_db_open(ctx, &db, &e) < 0 || store(db, path, ctx->tz, &s, &e) < 0)
		fprintf(stderr, "bbt-server: %s (nothing stored)\n", bbt_error_msg(&e));
	else {
		printf("schedule: %zu lessons stored\n", s.n);
		rc = 0;
	}
	cmd_db_close(db);
	schedule_free(&s);
	return rc;
}

/* ---- export ---- */

enum { E_SEQ, E_TYPE, E_SUBJECT, E_TEACHER, E_AREA, E_SCHOOL, E_COURSE, E_TIME, E_STAGE,
	E_GRADE, E_OWNER, E_CONTACT, E_PLATFORM, E_NOTE, E_ROOM, E_RSCHOOL, E_RROOM,
	E_DSTATUS, E_DMIN, E_DSESS, E_RSTATUS, E_RMIN, E_RSESS, E_N };

static const char *const export_cols[E_N] = { "序号", "授课类型", "学科",
	"主讲教师", "地市（县区）", "单位", "课程名称", "开课时间", "学段",
	"年级", "学校排课负责人", "联系方式", "平台", "备注", "教室",
	"接收单位", "接收教室", "主讲端核验结果", "主讲端覆盖分钟",
	"主讲端会话数", "接收端核验结果", "接收端覆盖分钟", "接收端会话数" };

static const size_t code_cols[] = { E_SEQ, E_SCHOOL, E_CONTACT, E_ROOM, E_RSCHOOL,
	E_RROOM };

struct export {
	struct db *db;
	const char *zone;
	struct report *rep;
	cJSON *cursor;			/* next unread verify row, in lesson order */
};

/* The name of the school when it resolves back to code, else the code. */
static int school_ref(struct db *db, const char *code, char out[DB_NAME_LEN],
    struct bbt_error *e)
{
	struct db_school s;
	char back[DB_SCHOOL_LEN];
	int found;

	snprintf(out, DB_NAME_LEN, "%s", code);
	if (code[0] == '\0' || db_school_get(db, code, &s, &found, e) < 0 || !found)
		return code[0] == '\0' ? 0 : (found ? -1 : 0);
	if (db_school_resolve(db, s.name, back, &found, e) < 0)
		return -1;
	if (found && strcmp(back, code) == 0)
		snprintf(out, DB_NAME_LEN, "%s", s.name);
	return 0;
}

/* The verify row of one end: verify lists the same lessons in the same
 * order (start, seq), deliver before receive, so a cursor finds it. */
static cJSON *find_end(struct export *x, const struct db_live_lesson *l, const char *role)
{
	char t[BBT_ISO8601_LEN];

	bbt_time_format(l->start, period_tz_offset(x->zone, l->start), t);
	for (cJSON *r = x->cursor; r != NULL; r = r->next) {
		const char *seq = cJSON_GetStringValue(cJSON_GetObjectItem(r, "seq"));
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(r, "start"));
		const char *ro = cJSON_GetStringValue(cJSON_GetObjectItem(r, "end_role"));

		if (seq && st && ro && strcmp(seq, l->seq) == 0 && strcmp(st, t) == 0 &&
		    strcmp(ro, role) == 0) {
			x->cursor = r->next;
			return r;
		}
	}
	return NULL;
}

static int put_end(struct report *rep, size_t col, const cJSON *r)
{
	int rc = 0;

	if (r == NULL)
		return 0;
	rc |= report_str(rep, col, report_xlsx_value(cJSON_GetStringValue(cJSON_GetObjectItem(r,
	    "status"))));
	rc |= report_int(rep, col + 1,
	    (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "covered_min")));
	rc |= report_int(rep, col + 2, cJSON_GetArraySize(cJSON_GetObjectItem(r, "sessions")));
	return rc;
}

static int on_export(void *arg, const struct db_live_lesson *l, struct bbt_error *e)
{
	struct export *x = arg;
	const char *texts[] = { l->seq, l->type, l->subject, l->teacher, l->area };
	const char *rest[] = { l->course, NULL, l->stage, l->grade, l->owner, l->contact,
		l->platform, l->note, l->room };
	char school[DB_NAME_LEN], recv[DB_NAME_LEN], when[64];
	int64_t start_min = (l->start - period_local_midnight(x->zone, l->day)) / 60;
	int64_t end_min = start_min + (l->end - l->start) / 60;
	int y, m, d, rc;

	if (school_ref(x->db, l->school, school, e) < 0 ||
	    school_ref(x->db, l->recv_school, recv, e) < 0)
		return -1;
	bbt_civil_from_days(l->day, &y, &m, &d);
	snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d-%02d:%02d", y, m, d,
	    (int)(start_min / 60), (int)(start_min % 60), (int)(end_min / 60),
	    (int)(end_min % 60));
	rc = report_row(x->rep);
	for (int i = 0; i < 5; i++)
		rc |= report_str(x->rep, E_SEQ + i, texts[i]);
	rc |= report_str(x->rep, E_SCHOOL, school);
	for (int i = 0; i < 9; i++)
		rc |= report_str(x->rep, E_COURSE + i, i == 1 ? when : rest[i]);
	rc |= report_str(x->rep, E_RSCHOOL, recv);
	rc |= report_str(x->rep, E_RROOM, l->recv_room);
	rc |= put_end(x->rep, E_DSTATUS, find_end(x, l, "deliver"));
	if (l->recv_school[0])
		rc |= put_end(x->rep, E_RSTATUS, find_end(x, l, "receive"));
	return rc ? bbt_error_set(e, "out of memory") : 0;
}

static struct report *export_report(struct db *db, const char *zone, const char *school,
    int64_t from, int64_t to, struct bbt_error *e)
{
	struct report *ver = verify_report(db, NULL, zone, from, to, e);
	struct export x = { db, zone, NULL, NULL };
	cJSON *arr;

	if (ver == NULL)
		return NULL;
	arr = report_to_json(ver);
	report_free(ver);
	x.rep = report_new(E_N, export_cols);
	/* Codes, rooms and phone numbers stay text in Excel (report.h). */
	for (size_t i = 0; x.rep != NULL && i < sizeof(code_cols) / sizeof(code_cols[0]); i++)
		report_code_column(x.rep, code_cols[i]);
	if (arr == NULL || x.rep == NULL) {
		bbt_error_set(e, "out of memory");
		goto fail;
	}
	x.cursor = arr->child;
	if (db_live_each(db, school, from, to, on_export, &x, e) < 0)
		goto fail;
	cJSON_Delete(arr);
	return x.rep;
fail:
	cJSON_Delete(arr);
	report_free(x.rep);
	return NULL;
}

/*
 * iconv_open through a pointer, which drops glibc's __attr_dealloc: with it
 * gcc -fanalyzer takes iconv_open for an allocator that fails with NULL,
 * not (iconv_t)-1, and reports that -1 as leaked on write_gbk's error
 * return (a false finding: nothing was opened).
 */
static iconv_t (*open_conv)(const char *, const char *) = iconv_open;

/* UTF-8 CSV text (with its BOM) -> GB18030 (a superset of GBK), no BOM. */
static int write_gbk(const char *buf, size_t len, FILE *out, struct bbt_error *e)
{
	iconv_t cd = open_conv("GB18030", "UTF-8");
	char chunk[4096];
	char *in = (char *)buf;
	size_t left = len;
	int rc = 0;

	if (cd == (iconv_t)-1)
		return bbt_error_set(e, "iconv UTF-8 -> GB18030: %s", strerror(errno));
	if (left >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
		in += 3;
		left -= 3;
	}
	while (left > 0 && rc == 0) {
		char *o = chunk;
		size_t room = sizeof(chunk);

		if (iconv(cd, &in, &left, &o, &room) == (size_t)-1 && errno != E2BIG)
			rc = bbt_error_set(e, "cannot write as GBK: %s", strerror(errno));
		if (fwrite(chunk, 1, sizeof(chunk) - room, out) != sizeof(chunk) - room)
			rc = bbt_error_set(e, "write: %s", strerror(errno));
	}
	iconv_close(cd);
	return rc;
}

struct export_opts {
	const char *from, *to, *school, *out;
	int xlsx, gbk;
};

static int export_write(struct report *rep, const struct export_opts *o, const char *zone,
    struct bbt_error *e)
{
	FILE *out = stdout, *mem;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (o->xlsx)
		return report_xlsx_write(rep, o->out, zone, "课表", e);
	mem = open_memstream(&buf, &len);
	if (mem == NULL)
		return bbt_error_set(e, "out of memory");
	rc = report_write(rep, REPORT_CSV, mem, e);
	if (fclose(mem) != 0 && rc == 0)
		rc = bbt_error_set(e, "out of memory");
	if (rc == 0 && o->out && (out = fopen(o->out, "wb")) == NULL)
		rc = bbt_error_set(e, "%s: %s", o->out, strerror(errno));
	if (rc == 0 && o->gbk)
		rc = write_gbk(buf, len, out, e);
	else if (rc == 0 && fwrite(buf, 1, len, out) != len)
		rc = bbt_error_set(e, "write: %s", strerror(errno));
	if (out != stdout && out != NULL && fclose(out) != 0 && rc == 0)
		rc = bbt_error_set(e, "%s: %s", o->out, strerror(errno));
	free(buf);
	return rc;
}

static int export(struct server_ctx *ctx, const struct export_opts *o)
{
	struct bbt_error e;
	struct db *db = NULL;
	struct report *rep = NULL;
	int64_t from, to;
	int rc = 1;

	if (verify_period(ctx->tz, o->from, o->to, (int64_t)time(NULL), &from, &to, &e) < 0 ||
	    cmd_db_open(ctx, &db, &e) < 0 || db_school_check(db, o->school, &e) < 0 ||
	    (rep = export_report(db, ctx->tz, o->school, from, to, &e)) == NULL ||
	    export_write(rep, o, ctx->tz, &e) < 0)
		fprintf(stderr, "bbt-server: schedule export: %s\n", bbt_error_msg(&e));
	else
		rc = 0;
	report_free(rep);
	cmd_db_close(db);
	return rc;
}

static int parse_export_opt(int c, struct export_opts *o)
{
	switch (c) {
	case 'f': o->from = optarg; return 0;
	case 't': o->to = optarg; return 0;
	case 's': o->school = optarg; return 0;
	case 'o': o->out = optarg; return 0;
	case 'F':
		if (strcmp(optarg, "csv") == 0 || strcmp(optarg, "xlsx") == 0) {
			o->xlsx = optarg[0] == 'x';
			return 0;
		}
		fprintf(stderr, "bbt-server: schedule export: bad format '%s' (want csv or "
		    "xlsx)\n", optarg);
		return 2;
	case 'e':
		if (strcasecmp(optarg, "utf-8") == 0 || strcasecmp(optarg, "utf8") == 0) {
			o->gbk = 0;
			return 0;
		}
		if (strcasecmp(optarg, "gbk") == 0 || strcasecmp(optarg, "gb18030") == 0) {
			o->gbk = 1;
			return 0;
		}
		fprintf(stderr, "bbt-server: schedule export: bad encoding '%s' (want utf-8 "
		    "or gbk)\n", optarg);
		return 2;
	}
	return 2;
}

int cmd_schedule(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "school", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'F' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct export_opts xo = { 0 };
	int year = current_year(ctx->tz), c, exporting, nexport = 0;
	char *end;
	long v;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'y':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 2000 || v > 2100) {
				fprintf(stderr, "bbt-server: schedule: --year %s is not a year\n",
				    optarg);
				return 2;
			}
			year = (int)v;
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'f': case 't': case 's': case 'F': case 'e': case 'o':
			nexport++;
			if (parse_export_opt(c, &xo) != 0)
				return 2;
			break;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	exporting = argc - optind == 1 && strcmp(argv[optind], "export") == 0;
	if (exporting) {
		if (xo.xlsx && xo.out == NULL) {
			fputs("bbt-server: schedule export: --format xlsx needs --out FILE\n",
			    stderr);
			return 2;
		}
		return export(ctx, &xo);
	}
	if (optind < argc && strcmp(argv[optind], "import") != 0 &&
	    strcmp(argv[optind], "export") != 0)
		fprintf(stderr, "bbt-server schedule: unknown subcommand '%s'\n", argv[optind]);
	if (argc - optind != 2 || strcmp(argv[optind], "import") != 0 || nexport > 0) {
		fputs(usage_text, stderr);
		return 2;
	}
	return import(ctx, argv[optind + 1], year);
}
