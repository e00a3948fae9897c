build-clang/obj/server/main.o: server/main.c common/bbt_log.h \
  server/commands.h

common/bbt_log.h:

server/commands.h:
