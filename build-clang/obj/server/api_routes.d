build-clang/obj/server/api_routes.o: server/api_routes.c server/api.h \
  server/http.h server/db.h common/bbt_error.h common/bbt_session.h

server/api.h:

server/http.h:

server/db.h:

common/bbt_error.h:

common/bbt_session.h:
