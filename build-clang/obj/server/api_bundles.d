build-clang/obj/server/api_bundles.o: server/api_bundles.c server/api.h \
  server/http.h server/db.h common/bbt_error.h common/bbt_session.h \
  server/auth.h common/bbt_log.h server/bundles.h common/bbt_bundle.h \
  common/bbt_ed25519.h server/ingest.h

server/api.h:

server/http.h:

server/db.h:

common/bbt_error.h:

common/bbt_session.h:

server/auth.h:

common/bbt_log.h:

server/bundles.h:

common/bbt_bundle.h:

common/bbt_ed25519.h:

server/ingest.h:
