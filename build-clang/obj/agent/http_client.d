build-clang/obj/agent/http_client.o: agent/http_client.c \
  agent/http_client.h common/bbt_error.h common/bbt_log.h

agent/http_client.h:

common/bbt_error.h:

common/bbt_log.h:
