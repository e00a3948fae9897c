/* cmd_replay: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_replay(struct agent_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-agent: 'replay' is not implemented yet\n");
	return 3;
}
