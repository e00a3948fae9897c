build-clang/obj/agent/cmd_export.o: agent/cmd_export.c \
  common/bbt_bundle.h common/bbt_ed25519.h common/bbt_error.h \
  common/bbt_session.h common/bbt_log.h common/bbt_time.h agent/clock.h \
  agent/commands.h agent/config.h agent/detector.h agent/store.h

common/bbt_bundle.h:

common/bbt_ed25519.h:

common/bbt_error.h:

common/bbt_session.h:

common/bbt_log.h:

common/bbt_time.h:

agent/clock.h:

agent/commands.h:

agent/config.h:

agent/detector.h:

agent/store.h:
