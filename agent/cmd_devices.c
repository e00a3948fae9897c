/* cmd_devices: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_devices(struct agent_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-agent: 'devices' is not implemented yet\n");
	return 3;
}
