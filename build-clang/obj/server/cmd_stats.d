build-clang/obj/server/cmd_stats.o: server/cmd_stats.c server/commands.h

server/commands.h:
