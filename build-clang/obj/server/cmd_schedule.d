build-clang/obj/server/cmd_schedule.o: server/cmd_schedule.c \
  server/commands.h

server/commands.h:
