/*
 * cmd_timetable: `bbt-server timetable import FILE.csv` (SPEC 5.4).
 *
 * The whole file is parsed and validated before the database is touched,
 * then stored in one transaction that replaces the timetable of every school
 * in the file: a bad row ("FILE:LINE: reason") or an unknown school stores
 * nothing at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "db.h"
#include "timetable.h"

static int usage(void)
{
	fputs("usage: bbt-server timetable import FILE.csv\n", stderr);
	return 2;
}

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
	if (db_open(ctx->db, &db, &e) < 0 || db_timetable_replace(db, &tt, &e) < 0) {
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
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs("usage: bbt-server timetable import FILE.csv\n", stdout);
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "import") != 0)
		return usage();
	return import(ctx, argv[2]);
}
