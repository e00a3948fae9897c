build-clang/obj/server/auth.o: server/auth.c server/auth.h \
  common/bbt_error.h

server/auth.h:

common/bbt_error.h:
