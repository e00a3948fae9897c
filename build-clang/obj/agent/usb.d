build-clang/obj/agent/usb.o: agent/usb.c /usr/include/libusb-1.0/libusb.h \
  common/bbt_log.h agent/usb.h common/bbt_error.h

/usr/include/libusb-1.0/libusb.h:

common/bbt_log.h:

agent/usb.h:

common/bbt_error.h:
