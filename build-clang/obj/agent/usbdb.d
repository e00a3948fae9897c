build-clang/obj/agent/usbdb.o: agent/usbdb.c agent/usbdb.h

agent/usbdb.h:
