build-clang/obj/server/db_sqlite_points.o: server/db_sqlite_points.c \
  server/db_sqlite_internal.h common/bbt_error.h server/db.h \
  common/bbt_session.h server/points.h server/timetable.h

server/db_sqlite_internal.h:

common/bbt_error.h:

server/db.h:

common/bbt_session.h:

server/points.h:

server/timetable.h:
