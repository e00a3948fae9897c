/*
 * cmd_check: `bbt-server check`: the database's own consistency check
 * (db_check), for an admin after a power cut, a crash or a restore, and
 * for the durability tests, through the product on any backend. Read-only.
 * Exit 0 and "database ok", or 1 and the first finding.
 */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"
#include "db.h"

static int usage(FILE *f)
{
	return cmd_usage(f, "usage: bbt-server check\n");
}

int cmd_check(struct server_ctx *ctx, int argc, char **argv)
{
	char problem[512];
	struct bbt_error e;
	struct db *db = NULL;
	int ok = 0, rc = cmd_help_opts(argc, argv, usage);

	if (rc >= 0)
		return rc;
	rc = CMD_FAIL;
	if (optind != argc)
		return usage(stderr);
	if (cmd_db_open(ctx, &db, &e) < 0 ||
	    db_check(db, &ok, problem, sizeof(problem), &e) < 0) {
		fprintf(stderr, "bbt-server: check: %s\n", bbt_error_msg(&e));
		goto out;
	}
	if (ok) {
		puts("database ok");
		rc = CMD_OK;
	} else {
		printf("database damaged: %s\n", problem);
	}
out:
	cmd_db_close(db);
	return rc;
}
