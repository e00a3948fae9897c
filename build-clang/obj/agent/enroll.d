build-clang/obj/agent/enroll.o: agent/enroll.c agent/enroll.h \
  common/bbt_error.h agent/config.h agent/detector.h \
  common/bbt_session.h agent/store.h common/bbt_ed25519.h \
  common/bbt_log.h agent/http_client.h agent/sync.h

agent/enroll.h:

common/bbt_error.h:

agent/config.h:

agent/detector.h:

common/bbt_session.h:

agent/store.h:

common/bbt_ed25519.h:

common/bbt_log.h:

agent/http_client.h:

agent/sync.h:
