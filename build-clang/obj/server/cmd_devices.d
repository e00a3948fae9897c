build-clang/obj/server/cmd_devices.o: server/cmd_devices.c \
  server/commands.h

server/commands.h:
