build-clang/obj/agent/cmd_devices.o: agent/cmd_devices.c common/bbt_log.h \
  agent/commands.h agent/config.h common/bbt_error.h agent/detector.h \
  common/bbt_session.h agent/hwinfo.h agent/platform.h agent/usbdb.h

common/bbt_log.h:

agent/commands.h:

agent/config.h:

common/bbt_error.h:

agent/detector.h:

common/bbt_session.h:

agent/hwinfo.h:

agent/platform.h:

agent/usbdb.h:
