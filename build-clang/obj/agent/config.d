build-clang/obj/agent/config.o: agent/config.c agent/config.h \
  common/bbt_error.h agent/detector.h common/bbt_session.h \
  common/bbt_log.h

agent/config.h:

common/bbt_error.h:

agent/detector.h:

common/bbt_session.h:

common/bbt_log.h:
