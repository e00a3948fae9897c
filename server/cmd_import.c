/* cmd_import: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_import(struct server_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-server: 'import' is not implemented yet\n");
	return 3;
}
