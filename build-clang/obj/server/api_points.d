build-clang/obj/server/api_points.o: server/api_points.c server/api.h \
  server/http.h server/db.h common/bbt_error.h common/bbt_session.h \
  server/points_report.h server/points.h server/timetable.h \
  server/report.h server/rules.h

server/api.h:

server/http.h:

server/db.h:

common/bbt_error.h:

common/bbt_session.h:

server/points_report.h:

server/points.h:

server/timetable.h:

server/report.h:

server/rules.h:
