build-clang/obj/server/cmd_verify.o: server/cmd_verify.c \
  server/commands.h

server/commands.h:
