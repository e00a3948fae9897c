build-clang/obj/agent/clock.o: agent/clock.c agent/clock.h \
  common/bbt_error.h common/bbt_session.h agent/platform.h

agent/clock.h:

common/bbt_error.h:

common/bbt_session.h:

agent/platform.h:
