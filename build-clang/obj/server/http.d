build-clang/obj/server/http.o: server/http.c server/auth.h \
  common/bbt_error.h common/bbt_log.h server/http.h server/db.h \
  common/bbt_session.h server/metrics.h

server/auth.h:

common/bbt_error.h:

common/bbt_log.h:

server/http.h:

server/db.h:

common/bbt_session.h:

server/metrics.h:
