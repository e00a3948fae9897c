/*
 * cmd_devices: `bbt-server devices` (SPEC 5.1): the fleet of enrolled
 * classroom devices (server/fleet.h), for people, Excel or programs.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "commands.h"
#include "db.h"
#include "fleet.h"

static const char usage_text[] =
    "usage: bbt-server devices [--school CODE] [--offline-after SECONDS]\n"
    "                          [--format table|csv|json]\n";

struct devices_opts {
	const char *school;
	long offline_after;
	enum report_format f;
};

static int parse_seconds(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end || *out < 1 || *out > 366L * 86400 ? -1 : 0;
}

/* 0, -1 after --help, or the exit status to leave with. */
static int parse(int argc, char **argv, struct devices_opts *o)
{
	static const struct option opts[] = {
		{ "school", required_argument, NULL, 's' },
		{ "offline-after", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bbt_error e;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->school = optarg; break;
		case 'o':
			if (parse_seconds(optarg, &o->offline_after) < 0) {
				fprintf(stderr, "bbt-server: devices: --offline-after: "
				    "'%s' is not a number of seconds\n", optarg);
				return 2;
			}
			break;
		case 'F':
			if (report_format_parse(optarg, &o->f, &e) < 0) {
				fprintf(stderr, "bbt-server: devices: %s\n", bbt_error_msg(&e));
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

int cmd_devices(struct server_ctx *ctx, int argc, char **argv)
{
	struct devices_opts o = { NULL, FLEET_OFFLINE_AFTER_S, REPORT_TABLE };
	struct bbt_error e;
	struct db *db = NULL;
	struct report *rep = NULL;
	int rc = parse(argc, argv, &o);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	rc = 1;
	if (cmd_db_open(ctx, &db, &e) < 0 || db_school_check(db, o.school, &e) < 0)
		goto fail;
	rep = fleet_devices_report(db, o.school, ctx->tz, (int64_t)time(NULL),
	    o.offline_after, &e);
	if (rep == NULL || report_write(rep, o.f, stdout, &e) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bbt-server: devices: %s\n", bbt_error_msg(&e));
out:
	report_free(rep);
	db_close(db);
	return rc;
}
