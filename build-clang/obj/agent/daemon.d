build-clang/obj/agent/daemon.o: agent/daemon.c common/bbt_log.h \
  common/bbt_time.h common/bbt_error.h agent/daemon.h agent/config.h \
  agent/detector.h common/bbt_session.h agent/platform.h agent/store.h \
  agent/sync.h agent/http_client.h

common/bbt_log.h:

common/bbt_time.h:

common/bbt_error.h:

agent/daemon.h:

agent/config.h:

agent/detector.h:

common/bbt_session.h:

agent/platform.h:

agent/store.h:

agent/sync.h:

agent/http_client.h:
