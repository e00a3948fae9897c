build-clang/obj/server/cmd_admin.o: server/cmd_admin.c server/auth.h \
  common/bbt_error.h server/commands.h server/db.h common/bbt_session.h

server/auth.h:

common/bbt_error.h:

server/commands.h:

server/db.h:

common/bbt_session.h:
