build-clang/obj/agent/detector.o: agent/detector.c agent/detector.h \
  common/bbt_session.h common/bbt_error.h

agent/detector.h:

common/bbt_session.h:

common/bbt_error.h:
