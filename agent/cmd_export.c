/* cmd_export: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_export(struct agent_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-agent: 'export' is not implemented yet\n");
	return 3;
}
