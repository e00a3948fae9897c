/*
 * cmd_admin: `bbt-server admin create NAME [--school CODE]` (SPEC 5.1).
 * Prints the admin token once, alone on the last line of stdout; only its
 * SHA-256 digest is stored. Without --school the admin is a bureau admin
 * and sees every school; with it, only that school.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "commands.h"
#include "db.h"

static int usage(FILE *f)
{
	fputs("usage: bbt-server admin create NAME [--school CODE]\n", f);
	return f == stdout ? 0 : 2;
}

static int store(struct server_ctx *ctx, const struct db_admin *a, const char *hash,
    struct bbt_error *e)
{
	struct db_school s;
	struct db *db = NULL;
	int found = 1, rc = -1;

	if (db_open(ctx->db, &db, e) < 0)
		goto out;
	if (a->school[0] && db_school_get(db, a->school, &s, &found, e) < 0)
		goto out;
	if (!found) {
		bbt_error_set(e, "unknown school %s (add it with `school add`)", a->school);
		goto out;
	}
	rc = db_admin_add(db, a, hash, (int64_t)time(NULL), e);
out:
	db_close(db);
	return rc;
}

static int create(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "school", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct db_admin a = { 0 };
	char token[AUTH_TOKEN_LEN], hash[AUTH_HASH_LEN];
	struct bbt_error e;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': snprintf(a.school, sizeof(a.school), "%s", optarg); break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (argc - optind != 1)
		return usage(stderr);
	if (argv[optind][0] == '\0' || strlen(argv[optind]) >= sizeof(a.name)) {
		fprintf(stderr, "bbt-server: admin name must be 1..%zu bytes\n",
		    sizeof(a.name) - 1);
		return 2;
	}
	snprintf(a.name, sizeof(a.name), "%s", argv[optind]);
	if (auth_token_new(token, &e) < 0 || auth_hash(token, hash, &e) < 0 ||
	    store(ctx, &a, hash, &e) < 0) {
		fprintf(stderr, "bbt-server: %s\n", bbt_error_msg(&e));
		return 1;
	}
	printf("admin %s (%s%s), token shown once, stored only as a hash:\n%s\n", a.name,
	    a.school[0] ? "school " : "bureau: every school", a.school, token);
	return 0;
}

int cmd_admin(struct server_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return create(ctx, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return usage(stdout);
	return usage(stderr);
}
