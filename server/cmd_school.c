/*
 * cmd_school: `bbt-server school add CODE NAME [--district NAME]` (SPEC
 * 5.1). A school must exist before tokens, admins, timetables or devices can
 * name it; its code is the key everywhere.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "db.h"

static int usage(FILE *f)
{
	fputs("usage: bbt-server school add CODE NAME [--district NAME]\n", f);
	return f == stdout ? 0 : 2;
}

/* Codes go into URLs, CSV and file names: keep them plain. */
static int code_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < DB_SCHOOL_LEN &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static int add(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "district", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct db_school s = { 0 };
	struct bbt_error e;
	struct db *db = NULL;
	int c, rc = 1;

	optind = 0;
	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': snprintf(s.district, sizeof(s.district), "%s", optarg); break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (argc - optind != 2)
		return usage(stderr);
	if (!code_valid(argv[optind])) {
		fprintf(stderr, "bbt-server: school code '%s' must be 1..%d of A-Z a-z 0-9 . _ -\n",
		    argv[optind], DB_SCHOOL_LEN - 1);
		return 2;
	}
	if (argv[optind + 1][0] == '\0' || strlen(argv[optind + 1]) >= sizeof(s.name)) {
		fprintf(stderr, "bbt-server: school name must be 1..%zu bytes\n",
		    sizeof(s.name) - 1);
		return 2;
	}
	snprintf(s.code, sizeof(s.code), "%s", argv[optind]);
	snprintf(s.name, sizeof(s.name), "%s", argv[optind + 1]);
	if (db_open(ctx->db, &db, &e) < 0 || db_school_add(db, &s, &e) < 0) {
		fprintf(stderr, "bbt-server: %s\n", bbt_error_msg(&e));
		goto out;
	}
	printf("school %s added: %s%s%s\n", s.code, s.name, s.district[0] ? ", " : "",
	    s.district);
	rc = 0;
out:
	db_close(db);
	return rc;
}

int cmd_school(struct server_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return add(ctx, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return usage(stdout);
	return usage(stderr);
}
