/*
 * cmd_common: what every `bbt-server` subcommand shares (server/commands.h):
 * the exit convention for usage text, the parsing of a subcommand that
 * takes one argument and --help, opening --db so that a command that
 * only reads never creates an empty database in the wrong folder, and the
 * check that a school named on the command line is stored.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "commands.h"
#include "credcache.h"

int cmd_usage(FILE *f, const char *text)
{
	fputs(text, f);
	return f == stdout ? CMD_OK : CMD_USAGE;
}

int cmd_help_opts(int argc, char **argv, int (*usage)(FILE *))
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		return usage(c == 'h' ? stdout : stderr);
	return -1;
}

const char *cmd_one_arg(int argc, char **argv, int (*usage)(FILE *), int *rc)
{
	*rc = cmd_help_opts(argc, argv, usage);
	if (*rc >= 0)
		return NULL;
	if (argc - optind != 1 || argv[optind][0] == '\0') {
		*rc = usage(stderr);
		return NULL;
	}
	return argv[optind];
}

int cmd_no_subcommand(const char *command, int argc, char **argv, int (*usage)(FILE *))
{
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout);
	fprintf(stderr, "bbt-server %s: unknown %s '%s'\n", command,
	    argv[1][0] == '-' ? "option" : "subcommand", argv[1]);
	return usage(stderr);
}

int cmd_school_known(struct db *db, const char *code, struct bbt_error *e)
{
	struct db_school s;
	int found;

	if (db_school_get(db, code, &s, &found, e) < 0)
		return -1;
	return found ? 0 : bbt_error_set(e, "unknown school %s (add it with `school add`)",
	    code);
}

/* The credential generation when cmd_db_open opened the command's database
 * (a command opens one at a time). */
static int64_t opened_gen;
static int opened_gen_known;

int cmd_db_open(const struct server_ctx *ctx, struct db **db, struct bbt_error *e)
{
	struct bbt_error ignored;
	struct stat sb;

	*db = NULL;
	if (!db_is_url(ctx->db) && stat(ctx->db, &sb) != 0) {
		if (errno != ENOENT)
			return bbt_error_set(e, "database %s: %s", ctx->db, strerror(errno));
		if (!ctx->db_create)
			return bbt_error_set(e, "no database at %s (give --db PATH or set "
			    "$BBT_DB; `bbt-server school add` creates a new one)", ctx->db);
		fprintf(stderr, "bbt-server: creating a new database at %s\n", ctx->db);
	}
	if (db_open(ctx->db, db, e) < 0)
		return -1;
	opened_gen_known = db_auth_generation(*db, &opened_gen, &ignored) == 0;
	return 0;
}

void cmd_db_close(struct db *db)
{
	static const struct timespec settle = {
		CREDCACHE_SETTLE_MS / 1000, CREDCACHE_SETTLE_MS % 1000 * 1000000L,
	};
	struct bbt_error ignored;
	int64_t gen;

	if (!db)
		return;
	/* Unknown at either end: wait, the change may be one. */
	if (!opened_gen_known || db_auth_generation(db, &gen, &ignored) < 0 ||
	    gen != opened_gen)
		nanosleep(&settle, NULL);
	db_close(db);
}
