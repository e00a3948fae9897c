build-clang/obj/agent/cmd_replay.o: agent/cmd_replay.c common/bbt_log.h \
  common/bbt_time.h common/bbt_error.h agent/commands.h agent/config.h \
  agent/detector.h common/bbt_session.h agent/evemu.h agent/store.h

common/bbt_log.h:

common/bbt_time.h:

common/bbt_error.h:

agent/commands.h:

agent/config.h:

agent/detector.h:

common/bbt_session.h:

agent/evemu.h:

agent/store.h:
