/*
 * cmd_admin: `bbt-server admin create NAME [--school CODE]`, `admin list`,
 * `admin revoke NAME` (SPEC 5.1). create prints the admin token once, alone
 * on the last line of stdout; only its SHA-256 digest is stored. Without
 * --school the admin is a bureau admin and sees every school; with it, only
 * that school. revoke ends the token at once on every server process (each
 * request looks its token up in the database); `admin create` with the
 * revoked name later makes it anew with a new token.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "bbt_time.h"
#include "commands.h"
#include "db.h"
#include "points.h"
#include "report.h"

static int usage(FILE *f)
{
	fputs("usage: bbt-server admin create NAME [--school CODE]\n"
	    "       bbt-server admin list [--format table|csv|json]\n"
	    "       bbt-server admin revoke NAME\n", f);
	return f == stdout ? 0 : 2;
}

static int store(struct server_ctx *ctx, const struct db_admin *a, const char *hash,
    struct bbt_error *e)
{
	struct db_school s;
	struct db *db = NULL;
	int found = 1, rc = -1;

	if (cmd_db_open(ctx, &db, e) < 0)
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

enum { A_NAME, A_SCOPE, A_SCHOOL, A_CREATED, A_STATE, A_REVOKED, A_N };

struct admin_walk {
	struct report *rep;
	const char *zone;
};

static int admin_row(void *arg, const struct db_admin *a, struct bbt_error *e)
{
	struct admin_walk *w = arg;
	int rc = 0;

	rc |= report_row(w->rep);
	rc |= report_str(w->rep, A_NAME, a->name);
	rc |= report_str(w->rep, A_SCOPE, a->school[0] ? "school" : "bureau");
	rc |= report_str(w->rep, A_SCHOOL, a->school[0] ? a->school : NULL);
	rc |= report_time(w->rep, A_CREATED, a->created_at, w->zone);
	rc |= report_str(w->rep, A_STATE, a->revoked_at ? "revoked" : "active");
	rc |= report_time(w->rep, A_REVOKED, a->revoked_at, w->zone);
	return rc ? bbt_error_set(e, "out of memory") : 0;
}

static int list(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const cols[A_N] = { "name", "scope", "school", "created", "state",
		"revoked" };
	struct admin_walk w = { NULL, ctx->tz };
	enum report_format f = REPORT_TABLE;
	struct db *db = NULL;
	struct bbt_error e;
	int c, rc = 1;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (report_format_parse(optarg, &f, &e) < 0) {
				fprintf(stderr, "bbt-server: admin list: %s\n", bbt_error_msg(&e));
				return 2;
			}
			break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind != argc)
		return usage(stderr);
	w.rep = report_new(A_N, cols);
	if (w.rep == NULL) {
		bbt_error_set(&e, "out of memory");
		goto fail;
	}
	if (cmd_db_open(ctx, &db, &e) < 0 || db_admins_each(db, admin_row, &w, &e) < 0 ||
	    report_write(w.rep, f, stdout, &e) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bbt-server: admin list: %s\n", bbt_error_msg(&e));
out:
	report_free(w.rep);
	db_close(db);
	return rc;
}

static int revoke(struct server_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct db *db = NULL;
	struct bbt_error e;
	int c, found, already;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (argc - optind != 1 || argv[optind][0] == '\0')
		return usage(stderr);
	if (cmd_db_open(ctx, &db, &e) < 0 || db_begin(db, &e) < 0 ||
	    db_admin_revoke(db, argv[optind], (int64_t)time(NULL), &found, &already, &e) < 0 ||
	    db_commit(db, &e) < 0) {
		fprintf(stderr, "bbt-server: admin revoke: %s\n", bbt_error_msg(&e));
		db_close(db);
		return 1;
	}
	db_close(db);
	if (!found) {
		fprintf(stderr, "bbt-server: admin revoke: no admin named '%s' (see `admin "
		    "list`)\n", argv[optind]);
		return 1;
	}
	printf(already ? "admin %s was already revoked\n" : "admin %s revoked: its token is "
	    "refused from now on, by every server process\n", argv[optind]);
	return 0;
}

int cmd_admin(struct server_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return create(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return list(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
		return revoke(ctx, argc - 1, argv + 1);
	return cmd_no_subcommand("admin", argc, argv, usage);
}
