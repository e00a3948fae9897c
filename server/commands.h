/*
 * commands: one function per `bbt-server` subcommand, each in its own
 * cmd_<name>.c (CONTRACT 5.1). main() parses the global options (--db, --tz)
 * and hands over argc/argv starting at the subcommand's own arguments.
 *
 * Each returns the process exit status, one convention for every command
 * (bbt-server(8) EXIT STATUS): CMD_OK, CMD_FAIL (the work failed: a bad
 * file, no database, an unknown school) or CMD_USAGE (the command line is
 * wrong). --help prints the usage on stdout and is CMD_OK; a usage error
 * prints it on stderr. Open the database with cmd_db_open, not db_open.
 * The report commands (points, verify, stats, devices, teachers) and the
 * lists of stored rows (sessions, timetable list, token list, device list,
 * admin list) are not here: they are entries served by one runner
 * (report_cmd.h).
 */
#ifndef SERVER_COMMANDS_H
#define SERVER_COMMANDS_H

#include <stdio.h>

#include "db.h"

#define CMD_OK 0
#define CMD_FAIL 1
#define CMD_USAGE 2

struct server_ctx {
	const char *db;		/* --db: a path (SQLite) or postgresql://..., else $BBT_DB */
	const char *tz;		/* --tz: IANA zone for output, default BBT_DEFAULT_ZONE */
	const char *rules;	/* --rules: points rule file, NULL = built-in path */
	int db_create;		/* the command may create a missing database (main.c) */
};

/* Print text on f; CMD_OK if f is stdout (--help), else CMD_USAGE. */
int cmd_usage(FILE *f, const char *text);
/* The options of a (sub)command whose only option is --help: -1 to go on
 * with its operands from argv[optind], else the exit status after --help
 * or a usage error (usage printed). */
int cmd_help_opts(int argc, char **argv, int (*usage)(FILE *));
/* The one non-empty argument of a subcommand that takes only that and
 * --help (argv[0] the subcommand); NULL with *rc the exit status after
 * --help or a usage error. */
const char *cmd_one_arg(int argc, char **argv, int (*usage)(FILE *), int *rc);
/* A command with subcommands whose argv[1] is none of them: --help, or a
 * usage error naming what was given. Returns the exit status. */
int cmd_no_subcommand(const char *command, int argc, char **argv, int (*usage)(FILE *));
/* db_open, but a missing SQLite file is an error naming the path unless
 * ctx->db_create (and then a note on stderr says a new one is made). */
int cmd_db_open(const struct server_ctx *ctx, struct db **db, struct bbt_error *e);
/*
 * db_close for a database from cmd_db_open. If the credential generation
 * moved while it was open (this command revoked, moved or re-set what a
 * device token stands for, server/credcache.h), wait CREDCACHE_SETTLE_MS
 * first: when the command returns, every collector obeys the change.
 */
void cmd_db_close(struct db *db);
/* 0 if code is a stored school, else -1 naming it and how to add it. */
int cmd_school_known(struct db *db, const char *code, struct bbt_error *e);

int cmd_serve(struct server_ctx *ctx, int argc, char **argv);
int cmd_school(struct server_ctx *ctx, int argc, char **argv);
int cmd_token(struct server_ctx *ctx, int argc, char **argv);
int cmd_admin(struct server_ctx *ctx, int argc, char **argv);
int cmd_timetable(struct server_ctx *ctx, int argc, char **argv);
int cmd_schedule(struct server_ctx *ctx, int argc, char **argv);
int cmd_import(struct server_ctx *ctx, int argc, char **argv);
int cmd_device(struct server_ctx *ctx, int argc, char **argv);
int cmd_check(struct server_ctx *ctx, int argc, char **argv);

#endif
