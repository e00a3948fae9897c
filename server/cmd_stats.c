/* cmd_stats: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_stats(struct server_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-server: 'stats' is not implemented yet\n");
	return 3;
}
