build-clang/obj/server/csvin.o: server/csvin.c server/csvin.h \
  common/bbt_error.h

server/csvin.h:

common/bbt_error.h:
