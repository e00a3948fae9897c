build-clang/obj/server/report.o: server/report.c server/report.h \
  common/bbt_error.h

server/report.h:

common/bbt_error.h:
