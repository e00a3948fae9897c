/* cmd_serve: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_serve(struct server_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-server: 'serve' is not implemented yet\n");
	return 3;
}
