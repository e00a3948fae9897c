build-clang/obj/agent/sync.o: agent/sync.c agent/sync.h \
  common/bbt_error.h agent/config.h agent/detector.h \
  common/bbt_session.h agent/http_client.h agent/store.h \
  common/bbt_log.h common/bbt_time.h agent/clock.h agent/enroll.h \
  agent/hwinfo.h agent/platform.h agent/usbdb.h

agent/sync.h:

common/bbt_error.h:

agent/config.h:

agent/detector.h:

common/bbt_session.h:

agent/http_client.h:

agent/store.h:

common/bbt_log.h:

common/bbt_time.h:

agent/clock.h:

agent/enroll.h:

agent/hwinfo.h:

agent/platform.h:

agent/usbdb.h:
