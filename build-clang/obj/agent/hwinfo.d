build-clang/obj/agent/hwinfo.o: agent/hwinfo.c common/bbt_log.h \
  agent/hwinfo.h common/bbt_error.h agent/platform.h \
  common/bbt_session.h agent/usbdb.h agent/usb.h

common/bbt_log.h:

agent/hwinfo.h:

common/bbt_error.h:

agent/platform.h:

common/bbt_session.h:

agent/usbdb.h:

agent/usb.h:
