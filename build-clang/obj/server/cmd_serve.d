build-clang/obj/server/cmd_serve.o: server/cmd_serve.c server/commands.h \
  server/http.h server/db.h common/bbt_error.h common/bbt_session.h

server/commands.h:

server/http.h:

server/db.h:

common/bbt_error.h:

common/bbt_session.h:
