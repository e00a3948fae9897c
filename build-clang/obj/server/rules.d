build-clang/obj/server/rules.o: server/rules.c server/rules.h \
  common/bbt_error.h server/points.h common/bbt_session.h \
  server/timetable.h

server/rules.h:

common/bbt_error.h:

server/points.h:

common/bbt_session.h:

server/timetable.h:
