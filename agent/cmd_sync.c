/* cmd_sync: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_sync(struct agent_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-agent: 'sync' is not implemented yet\n");
	return 3;
}
