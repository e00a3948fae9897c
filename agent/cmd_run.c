/*
 * cmd_run: `bbt-agent run`, the daemon. The loop lives in daemon.c and
 * everything operating-system specific in platform_*.c; this file only
 * checks the command line.
 */
#include <stdio.h>

#include "commands.h"
#include "daemon.h"

int cmd_run(struct agent_ctx *ctx, int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "usage: bbt-agent [--config FILE] [--state-dir DIR] run\n");
		return 2;
	}
	return daemon_run(&ctx->cfg, ctx->cli_config, ctx->cli_state_dir);
}
