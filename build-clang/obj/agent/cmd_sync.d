build-clang/obj/agent/cmd_sync.o: agent/cmd_sync.c common/bbt_log.h \
  agent/commands.h agent/config.h common/bbt_error.h agent/detector.h \
  common/bbt_session.h agent/enroll.h agent/store.h agent/sync.h \
  agent/http_client.h

common/bbt_log.h:

agent/commands.h:

agent/config.h:

common/bbt_error.h:

agent/detector.h:

common/bbt_session.h:

agent/enroll.h:

agent/store.h:

agent/sync.h:

agent/http_client.h:
