/* cmd_run: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_run(struct agent_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-agent: 'run' is not implemented yet\n");
	return 3;
}
