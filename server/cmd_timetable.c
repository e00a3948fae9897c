/*
 * cmd_timetable: `bbt-server timetable import FILE.csv` (SPEC 5.4).
 *
 * The whole file is parsed and validated before the database is touched,
 * then stored in one transaction that replaces the timetable of every school
 * in the file: a bad row ("FILE:LINE: reason") or an unknown school stores
 * nothing at all.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "db.h"
#include "timetable.h"

static const char usage_text[] = "usage: bbt-server timetable import FILE.csv\n"
    "  (a file whose name starts with '-': timetable import -- FILE.csv)\n";

static int import(struct server_ctx *ctx, const char *path)
{
	struct timetable tt;
	struct bbt_error e;
	struct db *db = NULL;
	const char **schools = NULL;
	size_t nschools;
	int rc = 1;

	if (timetable_parse_file(path, &tt, &e) < 0) {
		fprintf(stderr, "bbt-server: %s\n", bbt_error_msg(&e));
		return 1;
	}
	if (tt.n == 0) {
		fprintf(stderr, "bbt-server: %s: no timetable rows (nothing stored)\n", path);
		goto out;
	}
	if (cmd_db_open(ctx, &db, &e) < 0 || db_timetable_replace(db, &tt, &e) < 0) {
		fprintf(stderr, "bbt-server: %s: %s (nothing stored)\n", path, bbt_error_msg(&e));
		goto out;
	}
	nschools = timetable_schools(&tt, &schools);
	printf("timetable: %zu slots stored, replacing the timetable of", tt.n);
	for (size_t i = 0; i < nschools; i++)
		printf(" %s", schools[i]);
	printf("\n");
	rc = 0;
out:
	free(schools);
	db_close(db);
	timetable_free(&tt);
	return rc;
}

int cmd_timetable(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* Options may come before or after "import"; getopt moves them first. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		return cmd_usage(c == 'h' ? stdout : stderr, usage_text);
	if (optind < argc && strcmp(argv[optind], "import") != 0)
		fprintf(stderr, "bbt-server timetable: unknown subcommand '%s'\n", argv[optind]);
	if (argc - optind != 2 || strcmp(argv[optind], "import") != 0)
		return cmd_usage(stderr, usage_text);
	return import(ctx, argv[optind + 1]);
}
