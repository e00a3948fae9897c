build-clang/obj/server/cmd_school.o: server/cmd_school.c \
  server/commands.h server/db.h common/bbt_error.h common/bbt_session.h

server/commands.h:

server/db.h:

common/bbt_error.h:

common/bbt_session.h:
