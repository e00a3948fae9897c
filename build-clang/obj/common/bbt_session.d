build-clang/obj/common/bbt_session.o: common/bbt_session.c \
  common/bbt_session.h common/bbt_error.h common/bbt_time.h

common/bbt_session.h:

common/bbt_error.h:

common/bbt_time.h:
