/*
 * cmd_teachers: `bbt-server teachers` (SPEC 5.1): one row per teacher for
 * a term or a year, the evidence an award recommendation asks for.
 */
#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "commands.h"
#include "db.h"
#include "report_xlsx.h"
#include "rules.h"
#include "teachers.h"

static const char usage_text[] =
    "usage: bbt-server teachers [--from DATE --to DATE] [--school CODE]\n"
    "                           [--format table|csv|json|xlsx] [--out FILE]\n";

int cmd_teachers(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "school", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'F' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *to = NULL, *school = NULL;
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
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 's': school = optarg; break;
		case 'F':
			if (report_xlsx_format_parse(optarg, &f, &xlsx, &e) < 0) {
				fprintf(stderr, "bbt-server: teachers: %s\n", bbt_error_msg(&e));
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
	if (rules_load(ctx->rules, &rule, &e) < 0 || cmd_db_open(ctx, &db, &e) < 0 ||
	    db_school_check(db, school, &e) < 0)
		goto fail;
	rep = teachers_report(db, &rule, ctx->tz, from, to, (int64_t)time(NULL), school, &e);
	if (rep == NULL ||
	    report_xlsx_output(rep, xlsx, f, out, ctx->tz, "教师", &e) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bbt-server: teachers: %s\n", bbt_error_msg(&e));
out:
	report_free(rep);
	db_close(db);
	return rc;
}
