/*
 * bbt-server: the collector. Enrolls agents, ingests sessions exactly once,
 * credits points, verifies live lessons and reports (CONTRACT 5).
 *
 * main() is the plan: global options, then one subcommand.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_defaults.h"
#include "bbt_log.h"
#include "bbt_time.h"
#include "commands.h"
#include "report_cmd.h"

static const struct {
	const char *name;
	int (*fn)(struct server_ctx *, int, char **);
} commands[] = {
	{ "serve", cmd_serve },
	{ "school", cmd_school },
	{ "token", cmd_token },
	{ "admin", cmd_admin },
	{ "timetable", cmd_timetable },
	{ "schedule", cmd_schedule },
	{ "import", cmd_import },
	{ "device", cmd_device },
	{ "check", cmd_check },
};

/* The commands that may make a missing database: serve, so that a fresh
 * install starts, and school add, the first thing done with a new one.
 * Every other command needs an existing one (commands.h, cmd_db_open). */
static int creates_db(const char *command, const char *sub)
{
	return strcmp(command, "serve") == 0 ||
	    (strcmp(command, "school") == 0 && sub != NULL && strcmp(sub, "add") == 0);
}

/* The report entry argv starts with: a report ("points") or a command's list
 * ("token list"); *words is how many words named it. NULL: a command. */
static const struct report_entry *report_entry(int argc, char **argv, int *words)
{
	char two[64];

	*words = 1;
	if (strchr(argv[0], ' ') != NULL)
		return NULL;
	if (report_cmd_find(argv[0]) != NULL)
		return report_cmd_find(argv[0]);
	*words = 2;
	if (argc < 2 || strchr(argv[1], ' ') != NULL ||
	    snprintf(two, sizeof(two), "%s %s", argv[0], argv[1]) >= (int)sizeof(two))
		return NULL;
	return report_cmd_find(two);
}

static void usage(FILE *f)
{
	fputs("usage: bbt-server [--db PATH|postgresql://...] [--tz ZONE] [--rules FILE] COMMAND\n"
	    "  serve [--listen 127.0.0.1:8470] [--threads N] [--tls-cert FILE --tls-key FILE]\n"
	    "  school add CODE NAME [--district NAME]\n"
	    "  school set CODE [--idle-gap S] [--min-session S] [--stuck-contact S] [--reset]\n"
	    "  token create --school CODE [--uses N] [--expires-days D]\n"
	    "  admin create NAME [--school CODE] | admin passwd NAME | admin list\n"
	    "  admin revoke NAME\n"
	    "  token list [--school CODE] | token revoke PREFIX\n"
	    "  device list [--school CODE] | device revoke ID\n"
	    "  device move ID --school CODE --room NAME\n"
	    "  timetable import FILE.csv | timetable list [--school CODE]\n"
	    "  schedule import FILE.csv [--year YYYY]\n"
	    "  schedule export [--from DATE --to DATE] [--school CODE] [--format csv|xlsx]\n"
	    "                  [--encoding utf-8|gbk] [--out FILE]\n"
	    "  import BUNDLE...\n"
	    "  points  [--week 2026-W48 | --from DATE --to DATE] [--school CODE] [--explain]\n"
	    "  verify  [--from DATE --to DATE] [--school CODE]\n"
	    "  stats   [--from DATE --to DATE] [--school CODE] [--explain] [--behind]\n"
	    "  devices [--school CODE] [--offline-after SECONDS]\n"
	    "  teachers [--from DATE --to DATE] [--school CODE]\n"
	    "  (each report above also takes [--format table|csv|json|xlsx] [--out FILE]\n"
	    "   [--lang zh|en])\n"
	    "  sessions [--school CODE] [--device ID] [--format table|csv|json]\n"
	    "  check\n"
	    "  --version, --help; COMMAND --help for its options\n"
	    "default --db $BBT_DB, else ./bbt.db (SQLite); --tz " BBT_DEFAULT_ZONE "\n"
	    "exit status: 0 ok, 1 failure, 2 usage error\n", f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "tz", required_argument, NULL, 'z' },
		{ "rules", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct server_ctx ctx = { "./bbt.db", BBT_DEFAULT_ZONE, NULL, 0 };
	const char *env = getenv("BBT_DB");
	const struct report_entry *re;
	struct bbt_error e;
	int c, tz_given = 0, words;

	bbt_log_init("bbt-server", BBT_LOG_INFO);
	if (env != NULL && *env != '\0')
		ctx.db = env;
	while ((c = getopt_long(argc, argv, "+d:z:r:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'd': ctx.db = optarg; break;
		case 'z': ctx.tz = optarg; tz_given = 1; break;
		case 'r': ctx.rules = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("bbt-server %s\n", BBT_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (ctx.db[0] == '\0') {
		fputs("bbt-server: --db: empty path\n", stderr);
		return 2;
	}
	if (!tz_given && bbt_tz_check(ctx.tz, &e) < 0) {
		fprintf(stderr, "bbt-server: the default time zone %s is not in this machine's "
		    "tz database (install tzdata, or give --tz)\n", ctx.tz);
		return 1;
	}
	if (bbt_tz_check(ctx.tz, &e) < 0 || ctx.tz[0] == '\0') {
		fprintf(stderr, "bbt-server: --tz: %s\n", ctx.tz[0] ? bbt_error_msg(&e) :
		    "empty zone name");
		return 2;
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if ((re = report_entry(argc - optind, argv + optind, &words)) != NULL)
		return report_cmd_run(re, &ctx, argc - optind - words + 1,
		    argv + optind + words - 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		optind++;
		ctx.db_create = creates_db(commands[i].name, argv[optind]);
		return commands[i].fn(&ctx, argc - optind + 1, argv + optind - 1);
	}
	fprintf(stderr, "bbt-server: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
