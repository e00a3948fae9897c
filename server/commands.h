/*
 * commands: one function per `bbt-server` subcommand, each in its own
 * cmd_<name>.c (SPEC 5.1). main() parses the global options (--db, --tz)
 * and hands over argc/argv starting at the subcommand's own arguments.
 * Each returns the process exit status.
 */
#ifndef SERVER_COMMANDS_H
#define SERVER_COMMANDS_H

struct server_ctx {
	const char *db;		/* --db: a path (SQLite) or postgresql://... */
	const char *tz;		/* --tz: IANA zone for output, default Asia/Shanghai */
	const char *rules;	/* --rules: points rule file, NULL = built-in path */
};

int cmd_serve(struct server_ctx *ctx, int argc, char **argv);
int cmd_school(struct server_ctx *ctx, int argc, char **argv);
int cmd_token(struct server_ctx *ctx, int argc, char **argv);
int cmd_admin(struct server_ctx *ctx, int argc, char **argv);
int cmd_timetable(struct server_ctx *ctx, int argc, char **argv);
int cmd_schedule(struct server_ctx *ctx, int argc, char **argv);
int cmd_import(struct server_ctx *ctx, int argc, char **argv);
int cmd_points(struct server_ctx *ctx, int argc, char **argv);
int cmd_verify(struct server_ctx *ctx, int argc, char **argv);
int cmd_stats(struct server_ctx *ctx, int argc, char **argv);
int cmd_devices(struct server_ctx *ctx, int argc, char **argv);
int cmd_device(struct server_ctx *ctx, int argc, char **argv);
int cmd_teachers(struct server_ctx *ctx, int argc, char **argv);

#endif
