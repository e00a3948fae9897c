build-clang/obj/server/timetable.o: server/timetable.c server/timetable.h \
  common/bbt_error.h server/csvin.h

server/timetable.h:

common/bbt_error.h:

server/csvin.h:
