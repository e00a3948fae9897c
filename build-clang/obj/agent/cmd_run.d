build-clang/obj/agent/cmd_run.o: agent/cmd_run.c agent/commands.h \
  agent/config.h common/bbt_error.h agent/detector.h \
  common/bbt_session.h agent/daemon.h

agent/commands.h:

agent/config.h:

common/bbt_error.h:

agent/detector.h:

common/bbt_session.h:

agent/daemon.h:
