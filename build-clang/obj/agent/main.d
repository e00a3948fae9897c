build-clang/obj/agent/main.o: agent/main.c common/bbt_log.h \
  agent/commands.h agent/config.h common/bbt_error.h agent/detector.h \
  common/bbt_session.h

common/bbt_log.h:

agent/commands.h:

agent/config.h:

common/bbt_error.h:

agent/detector.h:

common/bbt_session.h:
