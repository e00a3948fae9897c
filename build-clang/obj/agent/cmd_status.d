build-clang/obj/agent/cmd_status.o: agent/cmd_status.c common/bbt_log.h \
  agent/commands.h agent/config.h common/bbt_error.h agent/detector.h \
  common/bbt_session.h agent/store.h

common/bbt_log.h:

agent/commands.h:

agent/config.h:

common/bbt_error.h:

agent/detector.h:

common/bbt_session.h:

agent/store.h:
