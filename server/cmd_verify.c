/*
 * cmd_verify: `bbt-server verify` (SPEC 5.1, 5.5): each end of each live
 * lesson in a period with its status and evidence, judged now from what is
 * stored. Default period: the current ISO week.
 */
#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "commands.h"
#include "db.h"
#include "points.h"
#include "verify.h"

static const char usage_text[] =
    "usage: bbt-server verify [--from DATE --to DATE] [--school CODE]\n"
    "                         [--format table|csv|json]\n";

struct verify_opts {
	const char *from, *to, *school;
	enum report_format f;
};

static int parse(int argc, char **argv, struct verify_opts *o)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "school", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bbt_error e;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': o->from = optarg; break;
		case 't': o->to = optarg; break;
		case 's': o->school = optarg; break;
		case 'F':
			if (report_format_parse(optarg, &o->f, &e) < 0) {
				fprintf(stderr, "bbt-server: verify: %s\n", bbt_error_msg(&e));
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

int cmd_verify(struct server_ctx *ctx, int argc, char **argv)
{
	struct verify_opts o = { NULL, NULL, NULL, REPORT_TABLE };
	struct bbt_error e;
	struct db *db = NULL;
	struct report *rep = NULL;
	int64_t from, to;
	int rc = parse(argc, argv, &o);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	rc = 1;
	if (verify_period(ctx->tz, o.from, o.to, (int64_t)time(NULL), &from, &to, &e) < 0 ||
	    cmd_db_open(ctx, &db, &e) < 0 || db_school_check(db, o.school, &e) < 0)
		goto fail;
	rep = verify_report(db, o.school, ctx->tz, from, to, &e);
	if (rep == NULL || report_write(rep, o.f, stdout, &e) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bbt-server: verify: %s\n", bbt_error_msg(&e));
out:
	report_free(rep);
	db_close(db);
	return rc;
}
