build-clang/obj/server/points_report.o: server/points_report.c \
  server/points_report.h common/bbt_error.h server/points.h \
  common/bbt_session.h server/timetable.h server/report.h \
  common/bbt_time.h

server/points_report.h:

common/bbt_error.h:

server/points.h:

common/bbt_session.h:

server/timetable.h:

server/report.h:

common/bbt_time.h:
