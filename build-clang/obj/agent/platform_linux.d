build-clang/obj/agent/platform_linux.o: agent/platform_linux.c \
  common/bbt_log.h common/bbt_time.h common/bbt_error.h agent/platform.h \
  common/bbt_session.h

common/bbt_log.h:

common/bbt_time.h:

common/bbt_error.h:

agent/platform.h:

common/bbt_session.h:
