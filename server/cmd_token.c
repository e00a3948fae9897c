/* cmd_token: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_token(struct server_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-server: 'token' is not implemented yet\n");
	return 3;
}
