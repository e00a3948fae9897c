/* cmd_admin: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_admin(struct server_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-server: 'admin' is not implemented yet\n");
	return 3;
}
