build-clang/obj/server/points.o: server/points.c server/points.h \
  common/bbt_error.h common/bbt_session.h server/timetable.h \
  common/bbt_time.h

server/points.h:

common/bbt_error.h:

common/bbt_session.h:

server/timetable.h:

common/bbt_time.h:
