build-clang/obj/server/cmd_import.o: server/cmd_import.c \
  common/bbt_bundle.h common/bbt_ed25519.h common/bbt_error.h \
  common/bbt_session.h common/bbt_log.h server/bundles.h server/db.h \
  server/ingest.h server/commands.h

common/bbt_bundle.h:

common/bbt_ed25519.h:

common/bbt_error.h:

common/bbt_session.h:

common/bbt_log.h:

server/bundles.h:

server/db.h:

server/ingest.h:

server/commands.h:
