build-clang/obj/server/api_admin.o: server/api_admin.c server/api.h \
  server/http.h server/db.h common/bbt_error.h common/bbt_session.h \
  common/bbt_log.h common/bbt_time.h server/metrics.h

server/api.h:

server/http.h:

server/db.h:

common/bbt_error.h:

common/bbt_session.h:

common/bbt_log.h:

common/bbt_time.h:

server/metrics.h:
