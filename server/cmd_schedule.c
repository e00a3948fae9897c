/* cmd_schedule: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_schedule(struct server_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-server: 'schedule' is not implemented yet\n");
	return 3;
}
