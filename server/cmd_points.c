/*
 * cmd_points: `bbt-server points` (SPEC 5.1, 5.4): the points report for a
 * week or a period, recomputed from the stored sessions at every call.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "db.h"
#include "points_report.h"
#include "rules.h"

static const char usage_text[] =
    "usage: bbt-server points [--week 2026-W48 | --from DATE --to DATE] [--school CODE]\n"
    "                         [--explain] [--format table|csv|json]\n";

/* Parse options into q and f; returns 0, or the exit status to leave with. */
static int parse(int argc, char **argv, struct points_query *q, enum report_format *f)
{
	static const struct option opts[] = {
		{ "week", required_argument, NULL, 'w' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "school", required_argument, NULL, 's' },
		{ "explain", no_argument, NULL, 'x' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bbt_error e;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'w': q->week = optarg; break;
		case 'f': q->from = optarg; break;
		case 't': q->to = optarg; break;
		case 's': q->school = optarg; break;
		case 'x': q->explain = 1; break;
		case 'F':
			if (report_format_parse(optarg, f, &e) < 0) {
				fprintf(stderr, "bbt-server: points: %s\n", bbt_error_msg(&e));
				return 2;
			}
			break;
		case 'h': fputs(usage_text, stdout); return -1;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind != argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	return 0;
}

int cmd_points(struct server_ctx *ctx, int argc, char **argv)
{
	struct points_query q = { 0 };
	enum report_format f = REPORT_TABLE;
	struct points_rule rule;
	struct bbt_error e;
	struct db *db = NULL;
	struct report *rep = NULL;
	int rc = parse(argc, argv, &q, &f);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	rc = 1;
	if (rules_load(ctx->rules, &rule, &e) < 0 || cmd_db_open(ctx, &db, &e) < 0 ||
	    db_school_check(db, q.school, &e) < 0)
		goto fail;
	rep = points_report_query(db, &rule, ctx->tz, &q, (int64_t)time(NULL), f, &e);
	if (rep == NULL || report_write(rep, f, stdout, &e) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bbt-server: points: %s\n", bbt_error_msg(&e));
out:
	report_free(rep);
	db_close(db);
	return rc;
}
