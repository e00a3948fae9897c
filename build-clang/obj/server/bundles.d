build-clang/obj/server/bundles.o: server/bundles.c server/bundles.h \
  common/bbt_bundle.h common/bbt_ed25519.h common/bbt_error.h \
  common/bbt_session.h server/db.h server/ingest.h

server/bundles.h:

common/bbt_bundle.h:

common/bbt_ed25519.h:

common/bbt_error.h:

common/bbt_session.h:

server/db.h:

server/ingest.h:
