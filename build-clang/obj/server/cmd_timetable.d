build-clang/obj/server/cmd_timetable.o: server/cmd_timetable.c \
  server/commands.h server/db.h common/bbt_error.h common/bbt_session.h \
  server/timetable.h

server/commands.h:

server/db.h:

common/bbt_error.h:

common/bbt_session.h:

server/timetable.h:
