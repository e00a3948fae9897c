/*
 * cmd_stats: `bbt-server stats` (SPEC 5.1, 5.6): per school, per district
 * and in total for a period (default: the current ISO week); --explain says
 * which equipment bracket and rollout target apply and why, --behind keeps
 * only the rows short of their target.
 */
#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "commands.h"
#include "db.h"
#include "report_xlsx.h"
#include "rules.h"
#include "stats.h"

static const char usage_text[] =
    "usage: bbt-server stats [--from DATE --to DATE] [--school CODE] [--explain] [--behind]\n"
    "                        [--format table|csv|json|xlsx] [--out FILE]\n";

int cmd_stats(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "school", required_argument, NULL, 's' },
		{ "explain", no_argument, NULL, 'x' },
		{ "behind", no_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'F' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct stats_query q = { 0 };
	struct rules_stats rs;
	enum report_format f = REPORT_TABLE;
	struct points_rule rule;
	struct bbt_error e;
	struct db *db = NULL;
	struct report *rep = NULL;
	const char *out = NULL;
	int c, rc = 1, xlsx = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': q.from = optarg; break;
		case 't': q.to = optarg; break;
		case 's': q.school = optarg; break;
		case 'x': q.explain = 1; break;
		case 'b': q.behind = 1; break;
		case 'F':
			if (report_xlsx_format_parse(optarg, &f, &xlsx, &e) < 0) {
				fprintf(stderr, "bbt-server: stats: %s\n", bbt_error_msg(&e));
				return 2;
			}
			break;
		case 'o': out = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind != argc || (xlsx && out == NULL)) {
		fputs(xlsx && out == NULL ? "--format xlsx needs --out FILE\n" : usage_text,
		    stderr);
		return 2;
	}
	if (rules_load_all(ctx->rules, &rule, &rs, &e) < 0 || cmd_db_open(ctx, &db, &e) < 0 ||
	    db_school_check(db, q.school, &e) < 0)
		goto fail;
	rep = stats_report(db, &rule, &rs, ctx->tz, &q, (int64_t)time(NULL), &e);
	if (rep == NULL ||
	    report_xlsx_output(rep, xlsx, f, out, ctx->tz, "统计", &e) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bbt-server: stats: %s\n", bbt_error_msg(&e));
out:
	report_free(rep);
	db_close(db);
	return rc;
}
