/* cmd_verify: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_verify(struct server_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-server: 'verify' is not implemented yet\n");
	return 3;
}
