build-clang/obj/agent/cmd_enroll.o: agent/cmd_enroll.c common/bbt_log.h \
  agent/commands.h agent/config.h common/bbt_error.h agent/detector.h \
  common/bbt_session.h agent/enroll.h agent/store.h agent/http_client.h

common/bbt_log.h:

agent/commands.h:

agent/config.h:

common/bbt_error.h:

agent/detector.h:

common/bbt_session.h:

agent/enroll.h:

agent/store.h:

agent/http_client.h:
