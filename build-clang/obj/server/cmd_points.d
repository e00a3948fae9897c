build-clang/obj/server/cmd_points.o: server/cmd_points.c \
  server/commands.h server/db.h common/bbt_error.h common/bbt_session.h \
  server/points_report.h server/points.h server/timetable.h \
  server/report.h server/rules.h

server/commands.h:

server/db.h:

common/bbt_error.h:

common/bbt_session.h:

server/points_report.h:

server/points.h:

server/timetable.h:

server/report.h:

server/rules.h:
