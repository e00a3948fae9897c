build-clang/obj/server/api_device.o: server/api_device.c server/api.h \
  server/http.h server/db.h common/bbt_error.h common/bbt_session.h \
  server/auth.h common/bbt_ed25519.h common/bbt_log.h common/bbt_time.h \
  server/ingest.h server/metrics.h

server/api.h:

server/http.h:

server/db.h:

common/bbt_error.h:

common/bbt_session.h:

server/auth.h:

common/bbt_ed25519.h:

common/bbt_log.h:

common/bbt_time.h:

server/ingest.h:

server/metrics.h:
