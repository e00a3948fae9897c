build-clang/obj/agent/store.o: agent/store.c agent/store.h \
  common/bbt_error.h common/bbt_session.h common/bbt_log.h

agent/store.h:

common/bbt_error.h:

common/bbt_session.h:

common/bbt_log.h:
