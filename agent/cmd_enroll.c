/* cmd_enroll: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_enroll(struct agent_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-agent: 'enroll' is not implemented yet\n");
	return 3;
}
