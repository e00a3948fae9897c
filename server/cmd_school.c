/* cmd_school: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_school(struct server_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-server: 'school' is not implemented yet\n");
	return 3;
}
