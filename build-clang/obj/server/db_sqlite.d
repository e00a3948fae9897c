build-clang/obj/server/db_sqlite.o: server/db_sqlite.c common/bbt_log.h \
  server/db.h common/bbt_error.h common/bbt_session.h \
  server/db_sqlite_internal.h

common/bbt_log.h:

server/db.h:

common/bbt_error.h:

common/bbt_session.h:

server/db_sqlite_internal.h:
