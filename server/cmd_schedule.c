/*
 * cmd_schedule: `bbt-server schedule import FILE.csv [--year YYYY]` (SPEC
 * 5.5). The whole file is parsed, every school resolved (by code or name)
 * and every lesson stored in one transaction: a row that cannot be
 * understood ("FILE:LINE: reason") stores nothing of the file. A lesson
 * with the same 序号 on the same date as a stored one replaces it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bbt_time.h"
#include "commands.h"
#include "db.h"
#include "points.h"
#include "schedule.h"

static const char usage_text[] = "usage: bbt-server schedule import FILE.csv [--year YYYY]\n";

/* The calendar year now in zone: the default for "12月10日". */
static int current_year(const char *zone)
{
	int64_t now = (int64_t)time(NULL);
	int y, m, d;

	bbt_civil_from_days((now + points_tz_offset(zone, now)) / 86400, &y, &m, &d);
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
	if (strlen(l->room) >= sizeof(out->room) || strlen(l->recv_room) >= sizeof(out->room))
		return bbt_error_set(e, "%s:%zu: room name too long", path, l->line);
	snprintf(out->room, sizeof(out->room), "%s", l->room);
	snprintf(out->recv_room, sizeof(out->recv_room), "%s", l->recv_room);
	midnight = points_local_midnight(zone, out->day);
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
	else if (db_open(ctx->db, &db, &e) < 0 || store(db, path, ctx->tz, &s, &e) < 0)
		fprintf(stderr, "bbt-server: %s (nothing stored)\n", bbt_error_msg(&e));
	else {
		printf("schedule: %zu lessons stored\n", s.n);
		rc = 0;
	}
	db_close(db);
	schedule_free(&s);
	return rc;
}

int cmd_schedule(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int year = current_year(ctx->tz), c;
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
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "import") != 0) {
		fputs(usage_text, stderr);
		return 2;
	}
	return import(ctx, argv[optind + 1], year);
}
