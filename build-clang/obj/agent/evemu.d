build-clang/obj/agent/evemu.o: agent/evemu.c agent/evemu.h \
  common/bbt_error.h common/bbt_session.h

agent/evemu.h:

common/bbt_error.h:

common/bbt_session.h:
