/* cmd_sessions: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_sessions(struct agent_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-agent: 'sessions' is not implemented yet\n");
	return 3;
}
