/*
 * commands: one function per `bbt-agent` subcommand, each in its own
 * cmd_<name>.c. main() parses the global options, loads the config and
 * hands over argc/argv starting at the subcommand's own arguments.
 * Each returns the process exit status.
 */
#ifndef COMMANDS_H
#define COMMANDS_H

#include "config.h"

struct agent_ctx {
	struct agent_config cfg;
	const char *cli_config;		/* --config, or NULL */
	const char *cli_state_dir;	/* --state-dir, or NULL */
};

int cmd_run(struct agent_ctx *ctx, int argc, char **argv);
int cmd_replay(struct agent_ctx *ctx, int argc, char **argv);
int cmd_enroll(struct agent_ctx *ctx, int argc, char **argv);
int cmd_sync(struct agent_ctx *ctx, int argc, char **argv);
int cmd_export(struct agent_ctx *ctx, int argc, char **argv);
int cmd_status(struct agent_ctx *ctx, int argc, char **argv);
int cmd_sessions(struct agent_ctx *ctx, int argc, char **argv);
int cmd_devices(struct agent_ctx *ctx, int argc, char **argv);

#endif
