build-clang/obj/server/ingest.o: server/ingest.c common/bbt_time.h \
  common/bbt_error.h server/http.h server/db.h common/bbt_session.h \
  server/ingest.h

common/bbt_time.h:

common/bbt_error.h:

server/http.h:

server/db.h:

common/bbt_session.h:

server/ingest.h:
