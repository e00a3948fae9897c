/* cmd_status: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_status(struct agent_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-agent: 'status' is not implemented yet\n");
	return 3;
}
