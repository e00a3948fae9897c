/* cmd_timetable: placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_timetable(struct server_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bbt-server: 'timetable' is not implemented yet\n");
	return 3;
}
