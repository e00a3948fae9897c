/*
 * cmd_run: `bbt-agent run`, the daemon. The loop lives in daemon.c and
 * everything operating-system specific in platform_*.c; this file only
 * checks the command line.
 */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"
#include "daemon.h"

int cmd_run(struct agent_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] = "usage: bbt-agent [--config FILE] [--state-dir DIR] run\n"
	    "  the capture daemon: watch input devices, detect sessions, buffer\n";
	int c;

	optind = 0;	/* glibc: restart parsing after main's own getopt */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		fputs(usage, c == 'h' ? stdout : stderr);
		return c == 'h' ? 0 : 2;
	}
	if (optind != argc) {
		fprintf(stderr, "bbt-agent: run: unexpected argument '%s'\n%s", argv[optind],
		    usage);
		return 2;
	}
	return daemon_run(&ctx->cfg, ctx->cli_config, ctx->cli_state_dir);
}
