/* cmd_points: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_points(struct server_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-server: 'points' is not implemented yet\n");
	return 3;
}
