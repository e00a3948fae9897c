build-clang/obj/server/points_query.o: server/points_query.c \
  server/points_report.h common/bbt_error.h server/points.h \
  common/bbt_session.h server/timetable.h server/report.h server/db.h

server/points_report.h:

common/bbt_error.h:

server/points.h:

common/bbt_session.h:

server/timetable.h:

server/report.h:

server/db.h:
